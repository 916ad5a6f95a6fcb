"""Priorities: leadership's ranking against what each group picked."""

import pytest

from tests.insights.dashboards.factories import seed_results
from tests.insights.dashboards.helpers import figures, tables, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(tenant_a):
    return seed_results(tenant_a)


def test_leadership_ranking_and_share_naming_its_top_priority(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_priorities", tenant_a)).content.decode()
    ranking = html.split('class="dash-ranking"')[1].split("</ol>")[0]
    assert ranking.index("Win the mid-market") < ranking.index("Launch the API") < ranking.index("Reach 70% margin")
    top = tables(html)["Share naming leadership's top priority"]
    assert top[1] == ["Leadership team", "10", "90%", "60%"]
    assert ["Individual contributor", "80", "44%", "60%"] in top
    bars = figures(html)["top"]["data"][0]
    assert bars["y"][:2] == ["Leadership team", "Organization"]
    assert bars["x"][:2] == [90.0, 55.0]


def test_what_each_group_picked_in_leaderships_order(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_priorities", tenant_a)).content.decode()
    picks = figures(html)["picks"]
    assert picks["data"][0]["y"] == ["1. Win the mid-market", "2. Launch the API", "3. Reach 70% margin"]
    individual = next(trace for trace in picks["data"] if trace["name"] == "Individual contributor")
    assert individual["x"] == [43.8, 75.0, 37.5]


def test_a_suppressed_group_shows_no_share(as_role, tenant_a):
    seed_results(tenant_a, suppressed=[tenant_a.other_team.parent])
    html = as_role("leader").get(url("dashboard_priorities", tenant_a)).content.decode()
    top = tables(html)["Share naming leadership's top priority"]
    row = next(r for r in top if r[0] == "Alpha Other Department")
    assert row[1:] == ["not enough responses"] * 3
    bars = figures(html)["top"]["data"][0]
    index = bars["y"].index("Alpha Other Department (not enough responses)")
    assert bars["x"][index] is None and bars["hovertext"][index] == ""
    assert "Alpha Other Department" not in {trace["name"] for trace in figures(html)["picks"]["data"]}


def test_member_sees_the_organization_only(as_role, tenant_a, results):
    html = as_role("member").get(url("dashboard_priorities", tenant_a)).content.decode()
    top = tables(html)["Share naming leadership's top priority"]
    assert [row[0] for row in top[1:]] == ["Organization"]


def test_department_page_compares_the_department_with_its_teams(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_priorities", tenant_a, tenant_a.department)).content.decode()
    top = tables(html)["Share naming leadership's top priority"]
    assert [row[0] for row in top[1:]] == ["Alpha Department"]


def test_a_round_without_picks_explains_what_to_do(as_role, tenant_a, results):
    html = as_role("admin").get(url("dashboard_priorities", tenant_a, round=results.rounds[0].pk)).content.decode()
    assert "No priority picks in this round" in html
