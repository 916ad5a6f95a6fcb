"""Scheduling: the tick opens due rounds (audience snapshot, one invitation each, e-mails in
batches), sends reminders, closes rounds and asks insights to recompute."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from peakos.models import AuditEvent, Person
from surveys.models import Invitation, Round, RoundStatus, SubmissionGuard, Survey
from surveys.services import schedule
from surveys.services.guard import guard_digest
from tests.surveys.factories import make_survey


@pytest.fixture
def due_survey(tenant_a):
    survey = make_survey(tenant_a, reminder_days="2")
    Survey.objects.filter(pk=survey.pk).update(next_run_at=timezone.now() - timedelta(minutes=1))
    survey.refresh_from_db()
    return survey


def test_the_tick_opens_a_due_round_and_emails_everyone_once(tenant_a, due_survey, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = schedule.tick()
    round = Round.objects.get(survey=due_survey)
    assert report.opened == [round.id]
    assert round.status == RoundStatus.OPEN and round.number == 1
    people = Person.objects.filter(organization=tenant_a.org, active=True).count()
    assert round.invited_count == people == Invitation.objects.filter(round=round).count()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(round.invitations.values_list("person__email", flat=True))
    assert not Invitation.objects.filter(round=round, sent_at__isnull=True).exists()


def test_the_audience_is_a_snapshot_taken_when_the_round_opens(tenant_a, due_survey):
    schedule.tick()
    round = Round.objects.get(survey=due_survey)
    invitation = round.invitations.get(person=tenant_a.people[3])
    moved = tenant_a.people[3]
    moved.team = tenant_a.other_team
    moved.save()
    invitation.refresh_from_db()
    assert invitation.team_id == tenant_a.team.id  # still the team at the time
    assert round.invitations.count() == 6


def test_a_survey_that_is_not_due_or_paused_does_not_open(tenant_a):
    make_survey(tenant_a)  # starts tomorrow
    paused = make_survey(tenant_a, name="Paused")
    Survey.objects.filter(pk=paused.pk).update(active=False, next_run_at=timezone.now() - timedelta(hours=1))
    assert schedule.tick().opened == []
    assert not Round.objects.exists()


def test_the_next_round_is_scheduled_after_this_one_closes(due_survey):
    schedule.tick()
    due_survey.refresh_from_db()
    round = Round.objects.get(survey=due_survey)
    assert due_survey.next_run_at >= round.closes_at
    assert schedule.tick().opened == []  # running again opens nothing more


def test_a_once_survey_runs_once(tenant_a):
    survey = make_survey(tenant_a, name="One-off", cadence="once")
    Survey.objects.filter(pk=survey.pk).update(next_run_at=timezone.now())
    schedule.tick()
    survey.refresh_from_db()
    assert survey.next_run_at is None and survey.rounds.count() == 1


def test_a_round_missed_entirely_is_skipped_and_audited(due_survey):
    Survey.objects.filter(pk=due_survey.pk).update(next_run_at=timezone.now() - timedelta(days=10))
    report = schedule.tick()
    assert report.opened == [] and not Round.objects.exists()
    due_survey.refresh_from_db()
    assert due_survey.next_run_at > timezone.now()
    assert AuditEvent.objects.filter(action="round.skipped").exists()


def test_the_tick_closes_ended_rounds_then_insights_recomputes(due_survey, django_capture_on_commit_callbacks):
    schedule.tick()
    round = Round.objects.get(survey=due_survey)
    later = round.closes_at + timedelta(minutes=1)
    with mock.patch("insights.tasks.recompute_round.apply_async") as recompute:
        with django_capture_on_commit_callbacks(execute=True):
            report = schedule.tick(now=later)
        assert report.closed == [round.id]
        recompute.assert_called_once_with(args=(round.organization_id, round.id), kwargs={})
        # A second tick does not close it again nor recompute twice.
        with django_capture_on_commit_callbacks(execute=True):
            schedule.tick(now=later)
        recompute.assert_called_once()
    round.refresh_from_db()
    assert round.status == RoundStatus.CLOSED


def test_recompute_is_only_enqueued_after_the_close_commits(due_survey, django_capture_on_commit_callbacks):
    schedule.tick()
    round = Round.objects.get(survey=due_survey)
    with mock.patch("insights.tasks.recompute_round.apply_async") as recompute:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            schedule.close_round(round=round)
        recompute.assert_not_called()
        for callback in callbacks:
            callback()
        recompute.assert_called_once_with(args=(round.organization_id, round.id), kwargs={})


def test_reminders_go_to_those_who_have_not_answered_once_per_reminder_day(
    due_survey, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        schedule.tick()
    round = Round.objects.get(survey=due_survey)
    answered = round.invitations.first()
    # Answered: the guard row only (the "answered" mark comes at the reminder moment).
    SubmissionGuard.objects.create(digest=guard_digest(answered.pk), organization=round.organization, round=round)
    mail.outbox.clear()

    day3 = round.opens_at + timedelta(days=2, hours=1)
    report = schedule.tick(now=day3)
    assert report.reminders_queued == 5
    assert len(mail.outbox) == 5
    assert answered.person.email not in [m.to[0] for m in mail.outbox]
    answered.refresh_from_db()
    assert answered.answered  # the reminder applied the marks first
    assert all(m.subject.startswith("Reminder") for m in mail.outbox)
    schedule.tick(now=day3 + timedelta(hours=1))
    assert len(mail.outbox) == 5  # nobody reminded twice for the same day


def test_invitations_lost_by_a_crashed_worker_are_sent_by_a_later_tick(due_survey):
    # No on-commit execution: as if the broker lost the send tasks.
    schedule.tick()
    round = Round.objects.get(survey=due_survey)
    assert len(mail.outbox) == 0
    report = schedule.tick(now=timezone.now() + timedelta(minutes=11))
    assert report.resent_queued == round.invited_count
    assert len(mail.outbox) == round.invited_count


def test_pulses_tick_runs_what_beat_runs(due_survey, settings):
    out = StringIO()
    call_command("pulses_tick", stdout=out)
    assert "opened 1 round(s)" in out.getvalue()
    assert settings.CELERY_BEAT_SCHEDULE["surveys-tick"]["task"] == "surveys.tasks.tick"
