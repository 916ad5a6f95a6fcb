"""The overview's decision-velocity panel: the survey's decision velocity beside the decisions the
weekly meetings recorded in the round's quarter (known rows → known medians), for the teams the
reader may see, with suppressed survey scopes showing no survey figure."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from insights.dashboards.tables import NOT_ENOUGH
from rhythm.models import Issue, IssueStatus, Todo
from tests.insights.dashboards.factories import seed_results, snapshot
from tests.insights.dashboards.helpers import url

pytestmark = pytest.mark.django_db

# seed_results' latest round opens on 20 Sep 2026: the panel measures 2026-Q3 (and 2026-Q2 beside it).
IN_Q3 = datetime(2026, 8, 10, 9, tzinfo=UTC)


def decided(tenant, team, days: float, *, solved_at=IN_Q3, raised_to=None):
    return Issue.objects.create(
        organization=tenant.org, team=team, raised_to=raised_to, title=f"{team.name}: {days} days",
        raised_at=solved_at - timedelta(days=days), solved_at=solved_at, status=IssueStatus.SOLVED,
    )  # fmt: skip


@pytest.fixture
def results(tenant_a):
    results = seed_results(tenant_a, suppressed=[tenant_a.subteam])
    latest = results.latest
    for scope, score in ((None, 61.0), (tenant_a.leadership, 72.0), (tenant_a.department, 55.0),
                         (tenant_a.team, 40.0), (tenant_a.other_team.parent, 66.0)):  # fmt: skip
        snapshot(tenant_a, latest, scope, "decision_velocity", score)
    snapshot(tenant_a, latest, tenant_a.subteam, "decision_velocity", None)  # suppressed
    for days in (3, 5):
        decided(tenant_a, tenant_a.team, days)
    decided(tenant_a, tenant_a.subteam, 10)
    decided(tenant_a, tenant_a.other_team, 2)
    decided(tenant_a, tenant_a.team, 1, solved_at=datetime(2026, 5, 4, tzinfo=UTC))  # 2026-Q2
    decided(tenant_a, tenant_a.team, 30, solved_at=datetime(2026, 10, 2, tzinfo=UTC))  # 2026-Q4: not this round's
    Todo.objects.create(organization=tenant_a.org, team=tenant_a.team, title="Ship it",
                        due_on=IN_Q3.date(), done=True, done_at=IN_Q3 - timedelta(days=1))  # fmt: skip
    Todo.objects.create(organization=tenant_a.org, team=tenant_a.team, title="Late", due_on=IN_Q3.date())
    return results


def panel(client, path):
    response = client.get(path)
    assert response.status_code == 200
    page = response.context["page"]
    table = page.table("velocity")
    return page, ({row[0].text: row for row in table.rows} if table else {}), response.content.decode()


def test_a_leader_sees_measured_velocity_beside_the_survey(as_role, tenant_a, tenant_b, results):
    decided(tenant_b, tenant_b.team, 90)  # another organization's: never counted
    page, rows, body = panel(as_role("leader"), url("dashboard", tenant_a))
    table = page.table("velocity")
    assert table.columns[3:6] == [
        "Decisions 2026-Q3",
        "Median days to decision 2026-Q3",
        "Median days to decision 2026-Q2",
    ]
    org = rows["Alpha Corp"]
    assert [c.text for c in org[1:5]] == ["61", "61%", "4", "4.0"]  # decided in 3, 5, 10 and 2 days
    department = rows["Alpha Department"]  # pools its subtree, as the survey scope does
    assert [c.text for c in department[1:6]] == ["55", "55%", "3", "5.0", "1.0"]
    other = rows["Alpha Other Department"]
    assert [c.text for c in other[1:5]] == ["66", "66%", "1", "2.0"]
    assert rows["Alpha Leadership (own members)"][3].text == "0"
    assert "Decision velocity: felt and measured" in body and 'id="velocity"' in body


def test_the_chart_puts_teams_by_survey_score_and_median_days(as_role, tenant_a, results):
    page, rows, _ = panel(as_role("leader"), url("dashboard", tenant_a, tenant_a.department))
    chart = page.chart("velocity-felt")
    assert chart is not None and chart.group == "velocity"
    trace = json.loads(chart.figure)["data"][0]
    points = dict(zip(trace["text"], zip(trace["x"], trace["y"], strict=True), strict=True))
    # Department 55 and its team 40, both 5 days (3, 5 and the subteam's 10); the subteam is suppressed.
    assert points == {"Alpha Department": (55.0, 5.0), "Alpha Team": (40.0, 5.0)}
    assert rows["Alpha Team"][4].text == "5.0" and rows["Alpha Team"][8].text == "50%"


def test_a_suppressed_survey_scope_shows_no_survey_figure(as_role, tenant_a, results):
    _, rows, _ = panel(as_role("leader"), url("dashboard", tenant_a, tenant_a.team))
    subteam = rows["Alpha Subteam"]
    assert subteam[1].text == NOT_ENOUGH and subteam[2].text == NOT_ENOUGH
    assert subteam[4].text == "10.0"  # what its meetings decided is about the team, not respondents


def test_a_manager_sees_their_subtree_and_no_organization_row(as_role, tenant_a, results):
    _, rows, body = panel(as_role("manager"), url("dashboard", tenant_a))
    assert set(rows) == {"Alpha Team", "Alpha Subteam"}
    assert "Rhythm health of every team" not in body


def test_a_member_gets_no_panel(as_role, tenant_a, results):
    page, rows, body = panel(as_role("member"), url("dashboard", tenant_a))
    assert rows == {} and 'id="velocity"' not in body


def test_the_panel_exports_as_csv(as_role, tenant_a, results):
    response = as_role("leader").get(url("dashboard", tenant_a, format="csv", table="velocity"))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Team", "Decision velocity (survey, 0–100)", "Favourable"]
    assert rows[[r[0] for r in rows].index("Alpha Department")][:6] == [
        "Alpha Department",
        "55.0",
        "55.0",
        "3",
        "5.0",
        "1.0",
    ]


def test_the_panel_speaks_german(client, tenant_a, results):
    leader = tenant_a.users["leader"]
    type(leader).objects.filter(pk=leader.pk).update(language="de")
    client.force_login(leader)
    body = client.get(url("dashboard", tenant_a)).content.decode()
    assert "Entscheidungstempo: gefühlt und gemessen" in body
    assert "Median Tage bis zur Entscheidung 2026-Q3" in body and "Rhythmus-Gesundheit aller Teams" in body
    assert "Do people feel decisions are fast" not in body
