"""Tenant isolation over every /api/v1/ route, with tokens and sessions (see tests/isolation.py)."""

import pytest
from django.test import override_settings

from tests import isolation


def test_every_api_route_has_sources_for_its_parameters():
    assert [p for p in isolation.uncovered_routes() if "api/" in p] == []


def test_harness_finds_the_api_routes():
    names = {r.name for r in isolation.api_routes()}
    assert {"api:organization", "api:team-list", "api:team-detail", "api:person-bulk-upsert"} <= names


@pytest.mark.django_db
def test_no_api_route_leaks_another_organization_either_way(client, tenant_a, tenant_b):
    failures, checked = isolation.check_api_isolation(client, tenant_a, tenant_b)
    assert failures == []
    assert checked == {r.name for r in isolation.api_routes()}, "every API route is requested"


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.api.leaky_api_urls")
def test_harness_catches_a_deliberately_unscoped_api_view(client, tenant_a, tenant_b):
    routes = [r for r in isolation.api_routes() if r.name == "api:leaky"]
    failures, _ = isolation.check_api_isolation(client, tenant_a, tenant_b, routes=routes)
    assert any("leaky" in f and "other's data" in f for f in failures), failures
