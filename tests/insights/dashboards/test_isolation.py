"""The isolation harness over the dashboard URLs, with results stored in both organizations."""

import pytest

from tests import isolation
from tests.insights.dashboards.factories import seed_results
from tests.insights.dashboards.helpers import PAGES, csv_rows, url

pytestmark = pytest.mark.django_db


def test_dashboard_routes_are_covered_by_the_harness():
    names = {r.name for r in isolation.org_routes()}
    assert set(PAGES) | {f"{name}_team" for name in PAGES} <= names
    assert isolation.uncovered_routes() == []


def test_no_dashboard_route_shows_another_organizations_results(client, tenant_a, tenant_b):
    seed_results(tenant_a)
    seed_results(tenant_b)
    routes = [r for r in isolation.org_routes() if r.name.startswith("dashboard")]
    assert isolation.check_isolation(client, tenant_a, tenant_b, routes) == []


def test_exports_show_no_other_organizations_data(client, tenant_a, tenant_b):
    seed_results(tenant_a)
    seed_results(tenant_b)
    client.force_login(tenant_a.users["owner"])
    markers = isolation.markers(tenant_b)
    for name, table in [
        ("dashboard", "heatmap"),
        ("dashboard", "signals"),
        ("dashboard_coordination", "links"),
        ("dashboard_comments", "comments"),
    ]:
        text = str(csv_rows(client.get(url(name, tenant_a, format="csv", table=table))))
        assert not [m for m in markers if m in text], (name, table)
        assert client.get(url(name, tenant_a, tenant_b.department, format="csv", table=table)).status_code == 404
