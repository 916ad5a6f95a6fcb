"""CSV export: every table a page shows, with the same rows, for the same people."""

import pytest

from tests.insights.dashboards.factories import seed_results
from tests.insights.dashboards.helpers import PAGES, csv_rows, tables, url

pytestmark = pytest.mark.django_db

EXPORTS = {
    "dashboard": ["gap-layer", "gap-depth", "heatmap", "signals"],
    "dashboard_coordination": ["matrix", "graph", "links", "weak", "received"],
    "dashboard_trends": ["trends", "enps", "participation", "changes", "by-layer", "by-team"],
    "dashboard_priorities": ["top", "picks"],
    "dashboard_comments": ["comments"],
}


@pytest.fixture
def results(tenant_a):
    return seed_results(tenant_a)


def test_every_table_shown_has_its_csv_link(as_role, tenant_a, results):
    client = as_role("leader")
    for name, exports in EXPORTS.items():
        html = client.get(url(name, tenant_a)).content.decode()
        for table in exports:
            assert f"format=csv&amp;table={table}" in html, (name, table)


def test_a_csv_has_the_rows_of_the_table_on_the_page(as_role, tenant_a, results):
    client = as_role("leader")
    for name, exports in EXPORTS.items():
        shown = tables(client.get(url(name, tenant_a)).content.decode())
        for table in exports:
            response = client.get(url(name, tenant_a, format="csv", table=table))
            assert response.status_code == 200, (name, table)
            assert response["Content-Disposition"].startswith("attachment; filename=")
            rows = csv_rows(response)
            # The same header and the same number of rows as a table on the page (dates are ISO in the CSV).
            assert any(page_rows[0] == rows[0] and len(page_rows) == len(rows) for page_rows in shown.values()), (
                name,
                table,
            )


def test_csv_keeps_the_filters(as_role, tenant_a, results):
    first = results.rounds[0]
    rows = csv_rows(as_role("leader").get(url("dashboard", tenant_a, round=first.pk, format="csv", table="heatmap")))
    assert rows[2][:3] == ["Alpha Department", "20", "71.0"]  # round 1: three points lower


def test_an_unknown_table_is_not_found(as_role, tenant_a, results):
    assert as_role("leader").get(url("dashboard", tenant_a, format="csv", table="people")).status_code == 404


def test_managers_cannot_export_outside_their_subtree(as_role, tenant_a, results):
    client = as_role("manager")
    for name in PAGES:
        assert client.get(url(name, tenant_a, tenant_a.department, format="csv", table="heatmap")).status_code == 404
    rows = csv_rows(client.get(url("dashboard", tenant_a, format="csv", table="heatmap")))
    assert [row[0] for row in rows[1:]] == ["Alpha Team", "Alpha Subteam"]
    links = csv_rows(client.get(url("dashboard_coordination", tenant_a, format="csv", table="links")))
    assert all("Alpha Department" not in row for row in links)


def test_members_export_organization_level_tables_only(as_role, tenant_a, results):
    client = as_role("member")
    assert client.get(url("dashboard", tenant_a, format="csv", table="heatmap")).status_code == 404
    assert client.get(url("dashboard", tenant_a, format="csv", table="gap-layer")).status_code == 404
    assert client.get(url("dashboard", tenant_a, tenant_a.team, format="csv", table="heatmap")).status_code == 404
    rows = csv_rows(client.get(url("dashboard_trends", tenant_a, format="csv", table="trends")))
    assert len(rows) > 1


def test_a_formula_in_a_team_name_is_neutralised(as_role, tenant_a, results):
    tenant_a.department.name = '=HYPERLINK("http://evil.example")'
    tenant_a.department.save()
    rows = csv_rows(as_role("leader").get(url("dashboard", tenant_a, format="csv", table="heatmap")))
    assert rows[2][0] == '\'=HYPERLINK("http://evil.example")'
