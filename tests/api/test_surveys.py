"""/api/v1/surveys/ and /api/v1/rounds/ (read), and a round's participation (anonymity threshold)."""

import pytest
from django.utils import timezone

from insights.models import Participation
from insights.recompute import recompute_round
from peakos.models import Person
from surveys.models import Response, Round, RoundStatus
from tests.api.conftest import make_token, token_client
from tests.factories import PersonFactory
from tests.surveys.factories import make_survey, open_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_a(tenant_a):
    # Six more people in the team so it reaches the threshold of 5; the others stay below it.
    for i in range(6):
        PersonFactory(organization=tenant_a.org, team=tenant_a.team, email=f"t{i}@alpha.example")
    round_ = open_now(make_survey(tenant_a))
    # Five of them answered; then the round closed and its results were computed.
    Response.objects.bulk_create(
        Response(organization=tenant_a.org, round=round_, team=tenant_a.team, layer="individual",
                 submitted_on=timezone.now().date())
        for _ in range(5)
    )  # fmt: skip
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED, closed_at=timezone.now())
    round_.refresh_from_db()
    recompute_round(round_=round_)
    return round_


def test_surveys_are_listed_with_their_questions(api, tenant_a, round_a):
    body = api("leader").get("/api/v1/surveys/").json()
    assert body["count"] == 1
    survey = body["results"][0]
    assert survey["name"] == "Alignment pulse"
    assert survey["round_count"] == 1
    assert [q["key"] for q in survey["questions"]][:2] == ["alignment-priorities", "alignment-why"]


def test_rounds_show_invited_and_answered(api, tenant_a, round_a):
    body = api("member").get(f"/api/v1/rounds/?survey={round_a.survey_id}&status=closed").json()
    assert body["count"] == 1
    row = body["results"][0]
    invited = Person.objects.filter(organization=tenant_a.org, active=True).count()
    assert (row["invited_count"], row["answered"], row["anonymity_threshold"]) == (invited, 5, 5)


def test_participation_publishes_only_audited_counts(api, tenant_a, round_a):
    body = api("leader").get(f"/api/v1/rounds/{round_a.pk}/participation/").json()
    assert body["threshold"] == 5 and body["live"] is False
    published = {
        p.team_id: p.respondents
        for p in Participation.objects.filter(round=round_a, suppressed=False, team__isnull=False).exclude(
            scope_kind="leadership"
        )
    }
    by_team = {t["team"]: t for t in body["teams"]}
    for team_id, row in by_team.items():
        assert row["answered"] == published.get(team_id)  # never a count the audit did not publish
        assert (row["answered"] is None) == (row["hidden"] != "")
    assert body["hidden_teams"] == sum(1 for t in body["teams"] if t["answered"] is None)
    assert body["hidden_teams"] >= 1  # the small teams


def test_members_may_not_read_participation(api, round_a):
    assert api("member").get(f"/api/v1/rounds/{round_a.pk}/participation/").status_code == 403


def test_rounds_and_surveys_of_another_organization_are_404(tenant_a, tenant_b, round_a):
    client = token_client(make_token(tenant_b))
    assert client.get("/api/v1/rounds/").json()["count"] == 0
    assert client.get(f"/api/v1/rounds/{round_a.pk}/").status_code == 404
    assert client.get(f"/api/v1/rounds/{round_a.pk}/participation/").status_code == 404
    assert client.get(f"/api/v1/surveys/{round_a.survey_id}/").status_code == 404
