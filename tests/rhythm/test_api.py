"""The rhythm API: read-only, tenant-scoped, the same team visibility as the pages."""

import pytest

from peakos.models import Role
from tests.api.conftest import make_token, token_client
from tests.rhythm.factories import decision_for, issue_for, measurable_for, meeting_for

pytestmark = pytest.mark.django_db


def test_a_leader_token_lists_meetings_with_their_average_rating(tenant_a, tenant_b):
    meeting_for(tenant_a)
    meeting_for(tenant_b)
    data = token_client(make_token(tenant_a)).get("/api/v1/rhythm/meetings/").json()
    assert data["count"] == 1
    row = data["results"][0]
    assert row["team"] == tenant_a.team.pk and row["rating_mean"] == 8.0 and row["ratings"] == 2


def test_measurables_carry_their_weeks_red_or_green(tenant_a):
    measurable_for(tenant_a)
    row = token_client(make_token(tenant_a)).get("/api/v1/rhythm/measurables/").json()["results"][0]
    assert row["goal"] == "10.00" and row["entries"][0]["value"] == "12.00" and row["entries"][0]["on_track"]


def test_issues_and_decisions_filter_by_team(tenant_a):
    issue_for(tenant_a)
    decision_for(tenant_a)
    client = token_client(make_token(tenant_a))
    issues = client.get(f"/api/v1/rhythm/issues/?team={tenant_a.team.pk}&status=open").json()
    assert [i["title"] for i in issues["results"]] == ["Alpha Corp needs a decision"]
    assert client.get(f"/api/v1/rhythm/issues/?team={tenant_a.other_team.pk}").json()["count"] == 0
    assert client.get("/api/v1/rhythm/decisions/").json()["results"][0]["what"] == "Alpha Corp decision"


def test_a_member_token_sees_no_teams_rhythm(tenant_a):
    issue_for(tenant_a)
    assert token_client(make_token(tenant_a, Role.MEMBER)).get("/api/v1/rhythm/issues/").json()["count"] == 0


def test_rhythm_health_is_for_leaders(tenant_a):
    meeting_for(tenant_a, live=False)
    assert token_client(make_token(tenant_a, Role.MEMBER)).get("/api/v1/rhythm/health/").status_code == 403
    data = token_client(make_token(tenant_a)).get("/api/v1/rhythm/health/").json()
    team = next(r for r in data["teams"] if r["team"] == tenant_a.team.pk)
    assert team["velocity"]["meetings_held"] == 1 and team["velocity"]["rating_mean"] == 8.0
    department = next(r for r in data["departments"] if r["team"] == tenant_a.department.pk)
    assert department["teams"] == 3 and department["velocity"]["meetings_held"] == 1


def _solved(tenant, team, days: float, *, ago: float = 0.0001, raised_to=None):
    from datetime import timedelta

    from django.utils import timezone

    from rhythm.models import Issue, IssueStatus

    solved = timezone.now() - timedelta(days=ago)
    return Issue.objects.create(
        organization=tenant.org, team=team, raised_to=raised_to, title=f"Solved in {days} days",
        raised_at=solved - timedelta(days=days), solved_at=solved, status=IssueStatus.SOLVED,
    )  # fmt: skip


def test_velocity_by_quarter_per_team_department_and_organization(tenant_a, tenant_b):
    ago = 0.0001  # seconds ago: inside this quarter
    for days in (2, 4, 9):
        _solved(tenant_a, tenant_a.team, days, ago=ago)
    _solved(tenant_a, tenant_a.subteam, 20, ago=ago)
    _solved(tenant_b, tenant_b.team, 50, ago=ago)
    data = token_client(make_token(tenant_a)).get("/api/v1/rhythm/velocity/?quarters=2").json()
    assert len(data["quarters"]) == 2
    team = next(r for r in data["teams"] if r["team"] == tenant_a.team.pk)
    now, before = team["quarters"][1], team["quarters"][0]
    assert (now["decisions"], now["median_days_to_decision"], now["complete"]) == (3, 4, False)
    assert before["decisions"] == 0 and before["complete"]
    department = next(r for r in data["departments"] if r["team"] == tenant_a.department.pk)
    assert department["teams"] == 3 and department["quarters"][1]["median_days_to_decision"] == 6.5
    assert data["organization"][1]["decisions"] == 4  # never tenant B's 50-day issue
    assert all(r["team"] != tenant_b.team.pk for r in data["teams"])


def test_velocity_for_a_review_period_and_one_team(tenant_a):
    client = token_client(make_token(tenant_a))
    year = client.get(f"/api/v1/rhythm/velocity/?period=2026&team={tenant_a.team.pk}").json()
    assert year["quarters"] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert [r["team"] for r in year["teams"]] == [tenant_a.team.pk] and year["organization"] is None


def test_velocity_rejects_bad_parameters_with_the_json_error_body(tenant_a, tenant_b):
    client = token_client(make_token(tenant_a))
    for query in ("period=2026-Q5", "quarters=0", "quarters=many", "team=x"):
        response = client.get(f"/api/v1/rhythm/velocity/?{query}")
        assert response.status_code == 400, query
        assert response.json()["code"] == "invalid" and response.json()["errors"], query
    response = client.get(f"/api/v1/rhythm/velocity/?team={tenant_b.team.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_member_sees_their_own_teams_velocity_only(tenant_a, member_in_team):
    from rest_framework.test import APIClient

    _solved(tenant_a, tenant_a.team, 3, ago=0.001)
    _solved(tenant_a, tenant_a.other_team, 30, ago=0.001)
    client = APIClient()
    client.force_authenticate(tenant_a.users["member"])
    data = client.get("/api/v1/rhythm/velocity/?quarters=1", HTTP_X_ORGANIZATION=tenant_a.org.slug).json()
    assert [r["team"] for r in data["teams"]] == [tenant_a.team.pk]
    assert data["organization"] is None and data["departments"] == []
    other = client.get(f"/api/v1/rhythm/velocity/?team={tenant_a.other_team.pk}",
                       HTTP_X_ORGANIZATION=tenant_a.org.slug)  # fmt: skip
    assert other.status_code == 404
