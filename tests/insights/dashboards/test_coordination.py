"""Coordination: the matrix, the dependency network and the weak links."""

import pytest

from peakos.models import TeamDependency
from tests.insights.dashboards.factories import seed_results
from tests.insights.dashboards.helpers import csv_rows, figures, tables, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(tenant_a):
    return seed_results(tenant_a)


def test_weak_links_are_listed_weakest_first(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_coordination", tenant_a)).content.decode()
    weak = tables(html)["Weak links"]
    assert weak[1] == ["Alpha Team", "Alpha Other Team", "2.1", "28", "9"]
    assert len(weak) == 2  # 4.2 is not weak


def test_matrix_rows_rate_columns_with_a_received_row(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_coordination", tenant_a)).content.decode()
    matrix = figures(html)["matrix"]["data"][0]
    assert matrix["x"] == ["Alpha Department", "Alpha Other Team"]
    assert matrix["y"] == ["Alpha Team", "Alpha Subteam", "Alpha Other Team", "Everyone (received)"]
    assert matrix["z"][0] == [None, 2.1]
    assert matrix["z"][3] == [4.2, 2.4]
    assert matrix["hovertext"][1][1].endswith("not enough responses")


def test_network_colours_edges_by_score(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_coordination", tenant_a)).content.decode()
    network = figures(html)["network"]
    names = {trace["name"] for trace in network["data"]}
    assert {"Weak link", "Strong", "Not enough responses", "Teams"} <= names
    teams = next(trace for trace in network["data"] if trace["name"] == "Teams")
    assert sorted(teams["text"]) == ["Alpha Department", "Alpha Other Team", "Alpha Subteam", "Alpha Team"]
    assert len(network["layout"]["annotations"]) == 3  # one arrowhead per dependency


def test_every_dependency_is_in_the_table_suppressed_ones_without_a_number(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_coordination", tenant_a)).content.decode()
    rows = tables(html)["Every dependency, weakest first"]
    assert [
        "Alpha Subteam",
        "Alpha Other Team",
        "not enough responses",
        "not enough responses",
        "not enough responses",
    ] in rows


def test_manager_sees_the_links_of_their_teams_only(as_role, tenant_a, results):
    html = as_role("manager").get(url("dashboard_coordination", tenant_a)).content.decode()
    rows = tables(html)["Every dependency, weakest first"]
    assert [row[:2] for row in rows[1:]] == [["Alpha Team", "Alpha Other Team"], ["Alpha Subteam", "Alpha Other Team"]]
    assert "Alpha Department" not in html


def test_member_is_told_coordination_is_between_teams(as_role, tenant_a, results):
    html = as_role("member").get(url("dashboard_coordination", tenant_a)).content.decode()
    assert "Coordination is measured between teams" in html
    assert "Alpha Other Team" not in html and not figures(html)


def test_no_dependencies_explains_what_to_do(as_role, tenant_a, results):
    TeamDependency.objects.filter(organization=tenant_a.org).delete()
    html = as_role("admin").get(url("dashboard_coordination", tenant_a)).content.decode()
    assert "No dependencies between teams yet" in html
    assert 'href="/o/alpha-corp/manage/dependencies/"' in html


def test_department_page_keeps_links_that_touch_the_department(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_coordination", tenant_a, tenant_a.other_team)).content.decode()
    rows = tables(html)["Every dependency, weakest first"]
    assert len(rows) == 4  # all three involve the other team
    html = as_role("leader").get(url("dashboard_coordination", tenant_a, tenant_a.subteam)).content.decode()
    assert [row[:2] for row in tables(html)["Every dependency, weakest first"][1:]] == [
        ["Alpha Subteam", "Alpha Other Team"]
    ]


def test_long_lists_show_their_weakest_rows_and_export_them_all(as_role, tenant_a, results, monkeypatch):
    from insights.dashboards.pages import coordination

    monkeypatch.setattr(coordination, "SHOWN_ROWS", 2)
    client = as_role("leader")
    html = client.get(url("dashboard_coordination", tenant_a)).content.decode()
    rows = tables(html)["Every dependency, weakest first"]
    assert [row[:2] for row in rows[1:]] == [
        ["Alpha Team", "Alpha Other Team"],
        ["Alpha Other Team", "Alpha Department"],
    ]
    assert "Showing 2 of 3 rows; the CSV has them all." in html
    exported = csv_rows(client.get(url("dashboard_coordination", tenant_a, format="csv", table="links")))
    assert len(exported) == 4
