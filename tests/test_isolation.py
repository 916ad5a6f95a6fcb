"""Tenant isolation over every URL of the project (see tests/isolation.py)."""

import pytest
from django.test import override_settings

from tests import isolation


def test_every_url_pattern_is_covered():
    assert isolation.uncovered_routes() == []


def test_harness_walks_the_organization_routes():
    names = {r.name for r in isolation.org_routes()}
    assert {"org_home", "org_settings", "members", "member_role"} <= names


@pytest.mark.django_db
def test_no_route_leaks_another_organization(client, tenant_a, tenant_b):
    assert isolation.check_isolation(client, tenant_a, tenant_b) == []


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.leaky_urls")
def test_harness_catches_a_deliberately_unscoped_view(client, tenant_a, tenant_b):
    failures = isolation.check_isolation(client, tenant_a, tenant_b)
    assert any("leaky" in f and "B's data" in f for f in failures), failures


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.leaky_urls")
def test_harness_reports_an_uncovered_parameter():
    problems = isolation.uncovered_routes()
    assert any("widget_id" in p for p in problems)
