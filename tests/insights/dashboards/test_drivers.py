"""Driver analysis on the overview: what moves eNPS and alignment, only with enough respondents."""

import pytest

from insights.models import ScopeKind, SignalSettings, Snapshot
from tests.insights.dashboards.factories import seed_results
from tests.insights.dashboards.helpers import csv_rows, figures, tables, url

pytestmark = pytest.mark.django_db

ENPS_TITLE = "What moves eNPS: correlation of each dimension with eNPS across respondents"
ALIGNMENT_TITLE = "What moves alignment: correlation of each dimension with alignment across respondents"
# dimension → (r with eNPS, r with alignment), as the engine stores them
DRIVERS = {
    "alignment": (0.41, None),
    "team_health": (0.72, 0.35),
    "communication": (-0.28, 0.63),
    "coordination": (0.05, 0.18),
}


@pytest.fixture
def results(tenant_a):
    return seed_results(tenant_a)


def store_drivers(tenant, rnd, **scope) -> None:
    for dim, (enps, alignment) in DRIVERS.items():
        Snapshot.objects.filter(organization=tenant.org, round=rnd, dimension=dim, **scope).update(
            driver_enps=enps, driver_alignment=alignment
        )
    Snapshot.objects.filter(organization=tenant.org, round=rnd, dimension="enps", **scope).update(driver_alignment=0.4)


def test_drivers_are_shown_strongest_first_for_the_organization(as_role, tenant_a, results):
    store_drivers(tenant_a, results.latest, scope_kind=ScopeKind.ORGANIZATION)
    html = as_role("leader").get(url("dashboard", tenant_a)).content.decode()
    assert "What moves eNPS and alignment" in html
    enps = tables(html)[ENPS_TITLE]
    assert enps[0] == ["Dimension", "Correlation (r)", "Strength", "Respondents"]
    assert [row[:2] for row in enps[1:]] == [
        ["Team health", "+0.72"],
        ["Alignment", "+0.41"],
        ["Communication", "−0.28"],
        ["Cross-functional coordination", "+0.05"],
    ]
    assert enps[1][2] == "strong, moves with it"
    assert enps[3][2] == "weak, moves against it"
    alignment = tables(html)[ALIGNMENT_TITLE]
    assert [row[0] for row in alignment[1:]] == ["Communication", "Team health", "Cross-functional coordination"]
    bars = figures(html)["drivers-enps"]["data"][0]
    assert bars["x"] == [0.72, 0.41, -0.28, 0.05]
    assert bars["orientation"] == "h"


def test_drivers_csv_equals_the_table_on_the_page(as_role, tenant_a, results):
    store_drivers(tenant_a, results.latest, scope_kind=ScopeKind.ORGANIZATION)
    client = as_role("leader")
    shown = tables(client.get(url("dashboard", tenant_a)).content.decode())[ENPS_TITLE]
    rows = csv_rows(client.get(url("dashboard", tenant_a, format="csv", table="drivers-enps")))
    assert rows[0] == shown[0]
    assert [[r[0], r[2], r[3]] for r in rows[1:]] == [[r[0], r[2], r[3]] for r in shown[1:]]
    assert [float(r[1]) for r in rows[1:]] == [0.72, 0.41, -0.28, 0.05]


def test_below_the_minimum_an_empty_state_says_how_many_respondents_are_needed(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a, tenant_a.team)).content.decode()
    assert "What moves eNPS and alignment" in html
    assert "Not enough respondents to measure drivers" in html
    assert "at least 30 respondents" in html and "Alpha Team has 20" in html
    assert "drivers-enps" not in html
    assert (
        as_role("leader").get(url("dashboard", tenant_a, tenant_a.team, format="csv", table="drivers-enps")).status_code
        == 404
    )


def test_the_empty_state_follows_the_organizations_minimum(as_role, tenant_a, results):
    SignalSettings.objects.create(organization=tenant_a.org, driver_min_respondents=50)
    html = as_role("leader").get(url("dashboard", tenant_a, tenant_a.team)).content.decode()
    assert "at least 50 respondents" in html


def test_team_drivers_are_shown_on_the_teams_page(as_role, tenant_a, results):
    store_drivers(tenant_a, results.latest, team=tenant_a.department)
    html = as_role("leader").get(url("dashboard", tenant_a, tenant_a.department)).content.decode()
    assert tables(html)[ENPS_TITLE][1][:2] == ["Team health", "+0.72"]
    org = as_role("leader").get(url("dashboard", tenant_a)).content.decode()
    assert ENPS_TITLE not in tables(org) and "Not enough respondents to measure drivers" in org


def test_a_suppressed_scope_shows_no_driver_section_at_all(as_role, tenant_a):
    results = seed_results(tenant_a, suppressed=[tenant_a.team])
    html = as_role("leader").get(url("dashboard", tenant_a, tenant_a.team)).content.decode()
    assert "Not enough responses in Alpha Team" in html
    assert "What moves eNPS and alignment" not in html
    assert "drivers" not in html.split('<nav class="subnav')[1]
    assert results.latest  # the round exists; the team is hidden


def test_manager_sees_the_drivers_of_their_subtree_only(as_role, tenant_a, results):
    store_drivers(tenant_a, results.latest, team=tenant_a.team)
    store_drivers(tenant_a, results.latest, team=tenant_a.other_team)
    client = as_role("manager")
    html = client.get(url("dashboard", tenant_a, tenant_a.team)).content.decode()
    assert tables(html)[ENPS_TITLE][1][:2] == ["Team health", "+0.72"]
    assert client.get(url("dashboard", tenant_a, tenant_a.other_team)).status_code == 404
    csv = client.get(url("dashboard", tenant_a, tenant_a.other_team, format="csv", table="drivers-enps"))
    assert csv.status_code == 404


def test_another_organizations_drivers_are_not_found(as_role, tenant_a, tenant_b, results):
    other = seed_results(tenant_b)
    store_drivers(tenant_b, other.latest, scope_kind=ScopeKind.ORGANIZATION)
    client = as_role("owner")
    assert client.get(url("dashboard", tenant_b)).status_code == 404
    assert client.get(url("dashboard", tenant_b, format="csv", table="drivers-enps")).status_code == 404
    html = client.get(url("dashboard", tenant_a)).content.decode()
    assert "+0.72" not in html


def test_page_title_names_the_organization_once(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a)).content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert title.count(tenant_a.org.name) == 1
    team = as_role("leader").get(url("dashboard", tenant_a, tenant_a.team)).content.decode()
    assert "Alpha Team" in team.split("<title>")[1].split("</title>")[0]
