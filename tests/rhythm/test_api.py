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
