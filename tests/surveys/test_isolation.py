"""The isolation harness over the survey pages alone (the project-wide run is tests/test_isolation.py)."""

import pytest

from tests import isolation


@pytest.mark.django_db
def test_no_survey_page_leaks_another_organization(client, tenant_a, tenant_b):
    routes = [r for r in isolation.org_routes() if "/surveys/" in r.route]
    assert len(routes) >= 10
    assert isolation.check_isolation(client, tenant_a, tenant_b, routes=routes) == []


def test_every_survey_url_is_covered():
    assert [p for p in isolation.uncovered_routes() if "/surveys/" in p or p.startswith("s/<")] == []
