"""One-sided coordination: pairs of teams where A rates B well while B rates A poorly."""

import pytest

from insights.models import CoordinationCell
from peakos.models import TeamDependency
from tests.insights.dashboards.factories import seed_results
from tests.insights.dashboards.helpers import csv_rows, tables, url

pytestmark = pytest.mark.django_db

TITLE = "One-sided coordination"


@pytest.fixture
def results(tenant_a):
    return seed_results(tenant_a)


def rate(tenant, rnd, rater, rated, mean) -> None:
    """Store a cell (``mean=None``: suppressed) along a declared dependency."""
    TeamDependency.objects.get_or_create(organization=tenant.org, from_team=rater, to_team=rated)
    common = {"organization": tenant.org, "round": rnd, "rater_team": rater, "rated_team": rated}
    if mean is None:
        CoordinationCell.objects.create(suppressed=True, **common)
    else:
        CoordinationCell.objects.create(suppressed=False, respondents=8, mean=mean, score=(mean - 1) * 25, **common)


def test_a_pair_rated_both_ways_is_listed_with_the_higher_rater_first(as_role, tenant_a, results):
    rate(tenant_a, results.latest, tenant_a.other_team, tenant_a.team, 4.5)  # Team rates Other Team 2.1
    html = as_role("leader").get(url("dashboard_coordination", tenant_a)).content.decode()
    rows = tables(html)[TITLE]
    assert rows[0] == ["Team A", "Rates B (1–5)", "Team B", "Rates A (1–5)", "Difference"]
    assert rows[1:] == [["Alpha Other Team", "4.5", "Alpha Team", "2.1", "2.4"]]


def test_pairs_that_rate_each_other_alike_are_not_listed(as_role, tenant_a, results):
    rate(tenant_a, results.latest, tenant_a.other_team, tenant_a.team, 2.3)
    html = as_role("leader").get(url("dashboard_coordination", tenant_a)).content.decode()
    assert TITLE not in tables(html)
    assert "No pair of teams that rate each other differs by 0.5 points" in html


def test_a_suppressed_cell_never_makes_a_pair(as_role, tenant_a, results):
    # Subteam → Other Team is stored suppressed; Other Team rates Subteam highly.
    rate(tenant_a, results.latest, tenant_a.other_team, tenant_a.subteam, 4.8)
    html = as_role("leader").get(url("dashboard_coordination", tenant_a)).content.decode()
    assert "Alpha Subteam" not in str(tables(html).get(TITLE, []))
    assert "4.8" not in html.split('id="table-asymmetry"')[1].split("</section>")[0]


def test_asymmetry_csv_equals_the_table(as_role, tenant_a, results):
    rate(tenant_a, results.latest, tenant_a.other_team, tenant_a.team, 4.5)
    client = as_role("leader")
    shown = tables(client.get(url("dashboard_coordination", tenant_a)).content.decode())[TITLE]
    rows = csv_rows(client.get(url("dashboard_coordination", tenant_a, format="csv", table="asymmetry")))
    assert rows[0] == shown[0]
    assert rows[1:] == [["Alpha Other Team", "4.5", "Alpha Team", "2.1", "2.4"]]


def test_manager_sees_pairs_touching_their_teams_only(as_role, tenant_a, results):
    rate(tenant_a, results.latest, tenant_a.other_team, tenant_a.team, 4.5)
    rate(tenant_a, results.latest, tenant_a.department, tenant_a.other_team, 1.5)  # Other Team rates Dept 4.2
    client = as_role("manager")
    rows = tables(client.get(url("dashboard_coordination", tenant_a)).content.decode())[TITLE]
    assert rows[1:] == [["Alpha Other Team", "4.5", "Alpha Team", "2.1", "2.4"]]
    assert client.get(url("dashboard_coordination", tenant_a, tenant_a.other_team)).status_code == 404
    leader = tables(as_role("leader").get(url("dashboard_coordination", tenant_a)).content.decode())[TITLE]
    assert ["Alpha Other Team", "4.2", "Alpha Department", "1.5", "2.7"] in leader


def test_members_see_no_asymmetry(as_role, tenant_a, results):
    rate(tenant_a, results.latest, tenant_a.other_team, tenant_a.team, 4.5)
    client = as_role("member")
    html = client.get(url("dashboard_coordination", tenant_a)).content.decode()
    assert TITLE not in html
    assert client.get(url("dashboard_coordination", tenant_a, format="csv", table="asymmetry")).status_code == 404


def test_another_organizations_pairs_are_not_found(as_role, tenant_a, tenant_b, results):
    other = seed_results(tenant_b)
    rate(tenant_b, other.latest, tenant_b.other_team, tenant_b.team, 4.5)
    client = as_role("owner")
    assert client.get(url("dashboard_coordination", tenant_b, format="csv", table="asymmetry")).status_code == 404
    html = client.get(url("dashboard_coordination", tenant_a)).content.decode()
    assert "Bravo" not in html
