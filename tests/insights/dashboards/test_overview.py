"""The organization overview: headline figures, the translation gap, the heatmap, signals."""

import re

import pytest

from surveys.models import Round
from tests.insights.dashboards.factories import seed_results
from tests.insights.dashboards.helpers import figures, tables, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(tenant_a):
    return seed_results(tenant_a)


def test_leader_sees_headline_figures_with_change_since_last_round(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a)).content.decode()
    assert "Alignment pulse #2" in html
    tiles = "".join(re.findall(r'<div class="card stat" role="listitem">(.*?)</div>', html, re.S))
    for label, value in [("Alignment", "70"), ("Team health", "66"), ("eNPS", "+12"), ("Participation", "80%")]:
        assert label in tiles and f">{value}<" in tiles
    assert "+3 since #1" in tiles
    assert "120 of 150 invited" in tiles


def test_translation_gap_starts_at_the_leadership_team_and_follows_the_layers(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a)).content.decode()
    gap = figures(html)["gap-layer"]
    alignment = next(trace for trace in gap["data"] if trace["name"] == "Alignment")
    assert alignment["x"] == ["Leadership team", "Executive", "Manager", "Individual contributor"]
    assert alignment["y"] == [84.0, 82.0, 72.0, 61.0]
    rows = tables(html)["Alignment translation gap: leadership vs each layer"]
    assert rows[4][:4] == ["Individual contributor", "90", "61", "+23"]
    by_depth = next(trace for trace in figures(html)["gap-depth"]["data"] if trace["name"] == "Alignment")
    assert by_depth["y"] == [84.0, 73.0, 66.0]


def test_heatmap_lists_the_departments_and_opens_their_pages(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a)).content.decode()
    heatmap = figures(html)["heatmap"]["data"][0]
    assert heatmap["y"][:2] == ["Alpha Leadership (own members)", "Alpha Department"]
    assert heatmap["z"][1][0] == 74.0
    assert heatmap["customdata"][1][0] == url("dashboard", tenant_a, tenant_a.department)
    rows = tables(html)["Teams × dimensions"]
    assert rows[0][:3] == ["Team", "Respondents", "Alignment"]
    assert rows[2][:3] == ["Alpha Department", "20", "74"]


def test_open_signals_link_to_where_they_point(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a)).content.decode()
    assert f'href="{url("dashboard_coordination", tenant_a, tenant_a.team)}">Alpha Team rates Alpha Other Team' in html
    assert 'href="/o/alpha-corp/insights/?layer=individual">Individual contributors are 23 points' in html
    rows = tables(html)["Open signals"]
    assert rows[1][0] == "High"  # most severe first


def test_member_sees_the_organization_level_only(as_role, tenant_a, results):
    html = as_role("member").get(url("dashboard", tenant_a)).content.decode()
    assert ">70<" in html  # the organization's alignment
    assert "gap-layer" not in figures(html) and "heatmap" not in figures(html)
    for name in ["Alpha Department", "Alpha Team", "Alpha Other Department", "Alpha Leadership"]:
        assert name not in html
    assert "Individual contributors are 23 points" not in html  # a layer signal: leaders only


def test_manager_sees_the_teams_they_lead_and_nothing_beside(as_role, tenant_a, results):
    html = as_role("manager").get(url("dashboard", tenant_a)).content.decode()
    heatmap = figures(html)["heatmap"]["data"][0]
    assert heatmap["y"] == ["Alpha Team", "· Alpha Subteam"]
    assert "gap-layer" not in figures(html)
    assert "Alpha Other Department" not in html and "Alpha Department" not in html
    assert "The translation gap by layer is shown to leaders" in html


def test_round_filter_shows_an_earlier_round(as_role, tenant_a, results):
    first = results.rounds[0]
    html = as_role("leader").get(url("dashboard", tenant_a, round=first.pk)).content.decode()
    assert "Alignment pulse #1" in html and ">67<" in html
    assert "since #" not in html  # no earlier round to compare with
    assert f'<option value="{first.pk}" selected>' in html


def test_department_filter_goes_to_the_department_page_keeping_the_round(as_role, tenant_a, results):
    first = results.rounds[0]
    response = as_role("leader").get(url("dashboard", tenant_a, round=first.pk, department=tenant_a.department.pk))
    assert response.status_code == 302
    assert response["Location"] == url("dashboard", tenant_a, tenant_a.department, round=first.pk)
    back = as_role("leader").get(url("dashboard", tenant_a, round=first.pk, department=""))
    assert back["Location"] == url("dashboard", tenant_a, round=first.pk)


def test_layer_filter_shows_that_layers_figures(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a, layer="individual")).content.decode()
    assert "<h1>Individual contributor" in html
    assert ">61<" in html  # the layer's alignment
    assert '<option value="individual" selected>' in html


def test_layer_filter_is_refused_to_roles_that_see_no_layers(as_role, tenant_a, results):
    assert as_role("member").get(url("dashboard", tenant_a, layer="individual")).status_code == 403
    assert as_role("manager").get(url("dashboard", tenant_a, layer="individual")).status_code == 403
    assert as_role("leader").get(url("dashboard", tenant_a, layer="nonsense")).status_code == 404


def test_unknown_or_foreign_round_is_not_found(as_role, tenant_a, tenant_b, results):
    foreign = seed_results(tenant_b).latest
    client = as_role("leader")
    assert client.get(url("dashboard", tenant_a, round=foreign.pk)).status_code == 404
    assert client.get(url("dashboard", tenant_a, round="abc")).status_code == 404
    assert client.get(url("dashboard", tenant_a, round=10**30)).status_code == 404


def test_no_round_yet_explains_what_to_do(as_role, tenant_a):
    html = as_role("admin").get(url("dashboard", tenant_a)).content.decode()
    assert "No survey results yet" in html
    assert 'href="/o/alpha-corp/surveys/"' in html
    member_html = as_role("member").get(url("dashboard", tenant_a)).content.decode()
    assert "Ask an admin" in member_html


def test_a_scheduled_round_without_results_is_not_offered(as_role, tenant_a, results):
    scheduled = Round.objects.create(
        organization=tenant_a.org,
        survey=results.latest.survey,
        number=3,
        opens_at=results.latest.closes_at.replace(year=2027),
        closes_at=results.latest.closes_at.replace(year=2027, month=12),
    )
    html = as_role("leader").get(url("dashboard", tenant_a)).content.decode()
    assert "Alignment pulse #2" in html and f'value="{scheduled.pk}"' not in html


def test_only_reading_is_allowed(as_role, tenant_a, results):
    assert as_role("owner").post(url("dashboard", tenant_a)).status_code == 405


def test_another_organizations_dashboard_is_not_found(as_role, tenant_a, tenant_b, results):
    seed_results(tenant_b)
    response = as_role("owner").get(url("dashboard", tenant_b))
    assert response.status_code == 404
    assert "Bravo" not in response.content.decode()


def test_dashboard_is_in_everyones_navigation(as_role, tenant_a, results):
    for role in ["owner", "leader", "manager", "member"]:
        html = as_role(role).get(url("dashboard", tenant_a)).content.decode()
        assert 'href="/o/alpha-corp/insights/" aria-current="page">Dashboard</a>' in html
