"""The public answering page /s/<token>/: opening, submitting once, and its privacy."""

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from surveys.models import Answer, Invitation, Question, Response, Round, SubmissionGuard
from surveys.services import guard
from tests.cache import clear_cache
from tests.surveys.factories import link_for, make_survey, open_now, valid_answers


def test_opening_the_link_shows_the_survey_without_login(client, link, open_round):
    response = client.get(link)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Alignment pulse" in page and "Alpha Corp" in page
    assert "Question 1 of 8" in page
    assert "I know what our company&#x27;s top priorities are right now." in page


def test_survey_pages_send_no_referrer_and_are_not_cached(client, link):
    response = client.get(link)
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"


def test_get_and_head_never_use_the_link_up(client, link, invitation):
    for _ in range(3):
        assert client.get(link).status_code == 200
        assert client.head(link).status_code == 200
    invitation.refresh_from_db()
    assert not guard.has_answered(invitation) and not Response.objects.exists()


def test_submitting_stores_one_anonymous_response_and_uses_the_link(client, link, invitation, open_round, tenant_a):
    response = client.post(link, valid_answers(open_round, invitation.team_id))
    assert response.status_code == 200
    assert "Thank you" in response.content.decode()
    stored = Response.objects.get()
    assert (stored.team_id, stored.layer) == (tenant_a.team.id, "individual")
    assert stored.submitted_on == timezone.now().date()
    # 5 likert + eNPS + comment + 3 priority picks = 10 answers
    assert Answer.objects.filter(response=stored).count() == 10
    # The link is used up through the guard row (a keyed hash); the invitation row itself is
    # not touched by the submit: its "answered" mark comes later, in a shuffled batch.
    assert SubmissionGuard.objects.filter(pk=guard.guard_digest(invitation.pk)).exists()
    assert guard.has_answered(invitation)
    invitation.refresh_from_db()
    assert not invitation.answered


def test_a_response_has_no_link_to_a_person_or_invitation_and_no_time_finer_than_a_day():
    fields = {f.name: f for f in Response._meta.get_fields()}
    related = {f.related_model for f in fields.values() if f.is_relation}
    assert Invitation not in related and "person" not in fields and "invitation" not in fields
    assert fields["submitted_on"].get_internal_type() == "DateField"
    assert not [f for f in fields.values() if f.get_internal_type() == "DateTimeField"]
    guard_fields = {f.name for f in SubmissionGuard._meta.get_fields()}
    assert guard_fields == {"digest", "organization", "round"}


def test_a_used_link_says_you_already_answered(client, link, invitation, open_round):
    client.post(link, valid_answers(open_round, invitation.team_id))
    again = client.get(link)
    assert "You already answered" in again.content.decode()
    client.post(link, valid_answers(open_round, invitation.team_id))
    assert Response.objects.count() == 1


def test_a_closed_round_shows_a_friendly_closed_page(client, link, open_round):
    Round.objects.filter(pk=open_round.pk).update(status="closed")
    response = client.get(link)
    assert response.status_code == 410
    assert "This survey is closed" in response.content.decode()


def test_a_link_past_the_closing_time_is_closed_even_before_the_tick_runs(client, link, open_round, invitation):
    Round.objects.filter(pk=open_round.pk).update(
        opens_at=timezone.now() - timedelta(days=5), closes_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.post(link, valid_answers(open_round, invitation.team_id))
    assert response.status_code == 410 and not Response.objects.exists()


def test_an_unknown_token_is_a_plain_404(client, open_round):
    response = client.get("/s/" + "x" * 32 + "/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert "Alpha" not in response.content.decode()


def test_unknown_links_are_rate_limited_per_client(client, link):
    clear_cache()
    for _ in range(20):
        assert client.get("/s/" + "y" * 32 + "/").status_code == 404
    assert client.get("/s/" + "z" * 32 + "/").status_code == 429  # this client is blocked for a while
    other = client.__class__(REMOTE_ADDR="10.0.0.9")
    assert other.get("/s/" + "z" * 32 + "/").status_code == 404
    clear_cache()


def test_the_privacy_contract_is_on_the_page_with_the_thresholds(client, link, tenant_a):
    page = client.get(link).content.decode()
    assert "Your privacy, in plain words" in page
    assert "What we collect" in page and "Who sees what" in page
    assert f"at least <strong>{tenant_a.org.anonymity_threshold}</strong> people" in page
    assert f"at least <strong>{tenant_a.org.comment_threshold}</strong> people" in page


def test_rate_a_team_lists_the_teams_the_respondents_team_depends_on(client, tenant_a, priorities):
    coordination = make_survey(tenant_a, name="Coordination", keys=["rate-teams", "comment"])
    round = open_now(coordination)
    mine = link_for(round.invitations.get(person__email="p2@alpha.example"))  # in tenant A's "Team"
    page = client.get(mine).content.decode()
    assert tenant_a.other_team.name in page and tenant_a.department.name in page
    assert tenant_a.subteam.name not in page
    lonely = link_for(round.invitations.get(person__email="p4@alpha.example"))  # a team with no dependencies
    assert "How well does each team" not in client.get(lonely).content.decode()


def test_the_priority_pick_lists_the_current_company_priorities(client, link, priorities):
    page = client.get(link).content.decode()
    for p in priorities:
        assert p.title in page


def test_the_first_response_freezes_the_thresholds_of_the_round(client, link, invitation, open_round, tenant_a):
    assert open_round.anonymity_threshold is None
    client.post(link, valid_answers(open_round, invitation.team_id))
    tenant_a.org.anonymity_threshold = 7
    tenant_a.org.comment_threshold = 12
    tenant_a.org.save()
    open_round.refresh_from_db()
    assert (open_round.anonymity_threshold, open_round.comment_threshold) == (5, 10)
    assert open_round.frozen_at is not None


def test_a_submit_asks_insights_for_a_debounced_recompute_after_commit(
    client, link, invitation, open_round, django_capture_on_commit_callbacks
):
    with (
        mock.patch("insights.tasks.schedule_recompute") as debounce,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(link, valid_answers(open_round, invitation.team_id))
    debounce.assert_called_once_with(open_round.organization_id, open_round.id)


def test_the_answers_go_to_the_questions_the_round_asked(client, link, invitation, open_round):
    client.post(link, valid_answers(open_round, invitation.team_id))
    asked = set(open_round.questions.values_list("id", flat=True))
    assert set(Answer.objects.values_list("question_id", flat=True)) <= asked
    assert Question.objects.filter(key="priority-pick").count() == 1


def test_the_survey_page_sets_no_cookie_and_accepts_a_post_from_an_origin_null_form(link, open_round, invitation):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get(link)
    assert not page.cookies  # no session, no CSRF cookie: nothing to correlate
    # no-referrer makes browsers send "Origin: null" with the form's POST.
    response = browser.post(link, valid_answers(open_round, invitation.team_id), HTTP_ORIGIN="null")
    assert "Thank you" in response.content.decode()
