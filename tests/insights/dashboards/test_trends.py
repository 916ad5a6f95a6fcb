"""Trends: each dimension over rounds, per scope, with round-to-round changes."""

import pytest

from tests.insights.dashboards.factories import seed_results
from tests.insights.dashboards.helpers import figures, tables, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(tenant_a):
    return seed_results(tenant_a)


def test_every_dimension_is_a_line_over_the_rounds(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_trends", tenant_a)).content.decode()
    scores = figures(html)["scores"]["data"]
    assert [trace["name"] for trace in scores] == [
        "Alignment",
        "Team health",
        "Communication",
        "Cross-functional coordination",
    ]
    assert scores[0]["y"] == [67.0, 70.0]
    assert scores[0]["x"][0].startswith("#1")
    enps = figures(html)["enps"]["data"][0]
    assert enps["y"] == [9.0, 12.0]
    assert figures(html)["participation"]["data"][0]["y"] == [80.0, 80.0]


def test_round_to_round_changes_are_listed(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_trends", tenant_a)).content.decode()
    changes = tables(html)["Round-to-round changes"]
    assert changes[0] == ["Dimension", "#1", "#2"]
    assert changes[1] == ["Alignment", "—", "+3"]


def test_leaders_compare_layers_and_departments(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_trends", tenant_a, dimension="team_health")).content.decode()
    by_layer = figures(html)["by-layer"]["data"]
    assert [trace["name"] for trace in by_layer] == ["Executive", "Manager", "Individual contributor"]
    assert by_layer[2]["y"] == [54.0, 57.0]  # team health of individual contributors
    by_team = figures(html)["by-team"]["data"]
    assert [trace["name"] for trace in by_team] == ["Alpha Department", "Alpha Other Department"]


def test_a_team_page_follows_that_team(as_role, tenant_a, results):
    html = as_role("manager").get(url("dashboard_trends", tenant_a, tenant_a.team)).content.decode()
    assert figures(html)["scores"]["data"][0]["y"] == [65.0, 68.0]
    assert "by-layer" not in figures(html)
    assert [t["name"] for t in figures(html)["by-team"]["data"]] == ["Alpha Subteam"]


def test_a_layer_filter_follows_that_layer(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_trends", tenant_a, layer="manager")).content.decode()
    assert figures(html)["scores"]["data"][0]["y"] == [69.0, 72.0]


def test_member_sees_the_organizations_trends_only(as_role, tenant_a, results):
    html = as_role("member").get(url("dashboard_trends", tenant_a)).content.decode()
    assert set(figures(html)) == {"scores", "enps", "participation"}
    assert "Alpha Department" not in html


def test_an_unknown_dimension_falls_back_to_alignment(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_trends", tenant_a, dimension="bogus")).content.decode()
    assert "Alignment by layer" in html
