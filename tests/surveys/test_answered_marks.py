"""The "answered" marks: applied by the beat job at a round's mark moments (each reminder,
the close), never by the submit; a person who answered is never reminded."""

from datetime import timedelta

from django.conf import settings
from django.core import mail

from surveys import selectors
from surveys.models import Invitation, Round
from surveys.services import guard, schedule, submit
from surveys.services import mail as mail_service
from tests.surveys.factories import make_survey, open_now, valid_answers


def _answer(round_, inv, now):
    sheet = selectors.answer_sheet(round_, team_id=inv.team_id)
    submit.submit_response(invitation=inv, sheet=sheet, data=valid_answers(round_, inv.team_id), now=now)


def _marked(round_) -> set[int]:
    return set(Invitation.objects.filter(round=round_, answered=True).values_list("pk", flat=True))


def test_marks_wait_for_the_reminder_moment_then_cover_everyone_who_answered(tenant_a, priorities):
    round_ = open_now(make_survey(tenant_a, reminder_days=[1, 3]))
    opens = round_.opens_at
    first, second, third, *_ = list(Invitation.objects.filter(round=round_).order_by("pk"))
    _answer(round_, first, opens + timedelta(hours=1))
    _answer(round_, second, opens + timedelta(hours=2))
    # Hourly beat runs before the first reminder moment write nothing (a mark would date the answer).
    assert guard.apply_due_marks(now=opens + timedelta(hours=3)) == 0
    assert _marked(round_) == set()
    # At the reminder moment: both, once.
    assert guard.apply_due_marks(now=opens + timedelta(days=1, minutes=5)) == 2
    assert _marked(round_) == {first.pk, second.pk}
    _answer(round_, third, opens + timedelta(days=1, hours=2))
    assert guard.apply_due_marks(now=opens + timedelta(days=1, hours=3)) == 0  # same moment: nothing new
    assert guard.has_answered(third) and third.pk not in _marked(round_)  # the guard still knows
    # The close is the last moment.
    schedule.close_round(round=round_, now=opens + timedelta(days=2))
    assert guard.apply_due_marks(now=opens + timedelta(days=2, minutes=15)) == 1
    assert _marked(round_) == {first.pk, second.pk, third.pk}
    assert guard.apply_due_marks(now=opens + timedelta(days=2, minutes=30)) == 0
    round_.refresh_from_db()
    assert round_.marks_applied_at == round_.closed_at


def test_a_person_who_answered_since_the_last_marks_gets_no_reminder(tenant_a, priorities):
    round_ = open_now(make_survey(tenant_a, reminder_days=[1]))
    ids = list(Invitation.objects.filter(round=round_).order_by("pk").values_list("pk", flat=True))
    mail_service.send_invitations(invitation_ids=ids)
    answered = Invitation.objects.select_related("round", "organization").get(pk=ids[0])
    _answer(round_, answered, round_.opens_at + timedelta(minutes=5))
    mail.outbox.clear()
    # The send task alone (marks not applied yet): the guard row is enough to skip them.
    assert not answered.__class__.objects.get(pk=answered.pk).answered
    sent = mail_service.send_reminders(invitation_ids=ids, due=round_.opens_at + timedelta(seconds=1))
    assert sent == len(ids) - 1
    assert answered.person.email not in [m.to[0] for m in mail.outbox]


def test_reminders_apply_the_marks_first(tenant_a, priorities):
    round_ = open_now(make_survey(tenant_a, reminder_days=[1]))
    ids = list(Invitation.objects.filter(round=round_).order_by("pk").values_list("pk", flat=True))
    Invitation.objects.filter(pk__in=ids).update(sent_at=round_.opens_at)
    _answer(round_, Invitation.objects.get(pk=ids[1]), round_.opens_at + timedelta(hours=2))
    due = round_.opens_at + timedelta(days=1)
    queued = schedule.enqueue_reminders(round=Round.objects.get(pk=round_.pk), due=due)
    assert queued == len(ids) - 1
    assert _marked(round_) == {ids[1]}


def test_the_beat_schedule_runs_the_marks():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "surveys.tasks.apply_answered_marks" in tasks
