"""Rounds: opening (audience snapshot → invitations), closing, reminders, and the
periodic ``tick`` that Celery beat and ``manage.py pulses_tick`` run."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from peakos.audit import record_audit
from peakos.models import Organization
from peakos.tenancy import org_scope, scopes_disabled
from surveys import events, selectors
from surveys.models import Invitation, Round, RoundQuestion, RoundStatus, Survey
from surveys.services import guard, mail
from surveys.services.setup import compute_next_run, next_scheduled_run

log = logging.getLogger(__name__)

SEND_BATCH_SIZE = 100
# An invitation never claimed by a send task this long after its round opened was lost
# in the queue (broker restart, an enqueue that failed): the tick hands it to a send task
# again. One whose claim expired (its worker died before the mail server took the
# message, see mail.CLAIM_LEASE) is handed out on the very next tick. Sending stays
# idempotent either way.
RESEND_AFTER = timedelta(minutes=10)


@transaction.atomic
def open_round(*, survey: Survey, now: datetime | None = None, actor=None, force: bool = False) -> Round | None:
    """Open the survey's next round if it is due (``force``: now, for "Open a round now").

    Snapshots the questions and the audience (one ``Invitation`` per person with their
    team and layer as of now), schedules the next round, and after commit hands the
    invitations to send tasks in batches. Safe to call twice: the survey row is locked
    and ``next_run_at`` is checked again under the lock.
    """
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().select_related("organization").get(pk=survey.pk)
    org = survey.organization
    last = Round.objects.filter(survey=survey).order_by("-number").first()
    if force:
        if last is not None and last.status == RoundStatus.OPEN:
            raise ValidationError("A round of this survey is still open; close it first.")
        scheduled = now
    else:
        if not survey.active or survey.next_run_at is None or survey.next_run_at > now:
            return None
        if last is not None and last.status == RoundStatus.OPEN:
            return None  # rounds never overlap: wait for the open one to close
        scheduled = survey.next_run_at
    closes_at = scheduled + timedelta(days=survey.open_days)
    if closes_at <= now:
        # The scheduler was down for the whole round: skip it rather than open a round
        # that is already over, and say so in the audit log.
        survey.next_run_at = next_scheduled_run(survey, floor=now)
        survey.save(update_fields=["next_run_at", "updated_at"])
        record_audit(
            organization=org,
            actor=None,
            action="round.skipped",
            obj=survey,
            summary=f"{survey.name}: the round due {scheduled:%Y-%m-%d %H:%M} UTC was missed and skipped",
        )
        return None
    questions = selectors.survey_questions(survey)
    if not questions:
        raise ValidationError("The survey has no questions.")
    people = selectors.audience_people(survey)
    round = Round.objects.create(
        organization=org,
        survey=survey,
        number=(last.number if last else 0) + 1,
        opens_at=now,
        closes_at=closes_at,
        status=RoundStatus.OPEN,
        audience=survey.audience,
        audience_team_ids=sorted(survey.survey_teams.values_list("team_id", flat=True)),
        reminder_days=list(survey.reminder_days),
        invited_count=len(people),
    )
    RoundQuestion.objects.bulk_create(
        RoundQuestion(organization=org, round=round, question=q, position=i) for i, q in enumerate(questions)
    )
    Invitation.objects.bulk_create(
        (
            Invitation(
                organization=org, round=round, person_id=pid, team_id=team_id, layer=layer, manager_id=manager_id
            )
            for pid, team_id, layer, manager_id in people
        ),
        batch_size=1000,
    )
    survey.next_run_at = compute_next_run(survey, now=now, last_round=round)
    survey.save(update_fields=["next_run_at", "updated_at"])
    record_audit(
        organization=org,
        actor=actor,
        action="round.open",
        obj=round,
        summary=f"{survey.name} #{round.number}: {len(people)} invited, closes {closes_at:%Y-%m-%d %H:%M} UTC",
    )
    org_id, round_id = org.id, round.id
    # robust: the round is open whatever the broker does; unsent invitations are queued
    # again by the next tick.
    transaction.on_commit(lambda: enqueue_unsent(organization_id=org_id, round_id=round_id), robust=True)
    return round


def enqueue_unsent(
    *, organization_id: int, round_id: int, older_than: datetime | None = None, now: datetime | None = None
) -> int:
    """Hand the round's unsent invitations to send tasks, SEND_BATCH_SIZE per task."""
    from surveys import tasks

    qs = Invitation.objects.filter(organization_id=organization_id, round_id=round_id, sent_at__isnull=True)
    if older_than is not None:
        # Never claimed and queued long ago, or claimed by a task whose lease expired.
        now = now or timezone.now()
        qs = qs.filter(
            Q(send_claimed_at__isnull=True, created_at__lte=older_than) | Q(send_claimed_at__lt=now - mail.CLAIM_LEASE)
        )
    ids = list(qs.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), SEND_BATCH_SIZE):
        tasks.send_invitations.delay(organization_id, ids[start : start + SEND_BATCH_SIZE])
    return len(ids)


@transaction.atomic
def close_round(*, round: Round, now: datetime | None = None, actor=None) -> bool:
    """Close an open round (on time, or early by an admin) and, after commit, have the
    insights engine recompute its scores. Returns False if it was not open."""
    now = now or timezone.now()
    closed = Round.objects.filter(pk=round.pk, status=RoundStatus.OPEN).update(status=RoundStatus.CLOSED, closed_at=now)
    if not closed:
        return False
    round.refresh_from_db()
    record_audit(
        organization=round.organization,
        actor=actor,
        action="round.close",
        obj=round,
        summary=f"{round.survey.name} #{round.number} closed" + (" early" if now < round.closes_at else ""),
    )
    events.send(events.round_closed, round=round)  # insights scores it after the commit
    return True


def reminder_due(round: Round, now: datetime) -> datetime | None:
    """The latest reminder moment of the round that has passed, if any."""
    moments = [round.opens_at + timedelta(days=d) for d in round.reminder_days or []]
    passed = [m for m in moments if m <= now and m < round.closes_at]
    return max(passed) if passed else None


def enqueue_reminders(*, round: Round, due: datetime) -> int:
    """Hand those who have not answered (and were not reminded since ``due``) to remind tasks.

    Applies the round's "answered" marks for this reminder moment first (once per moment;
    the send task also skips anyone with a guard row): a person who answered is never
    reminded."""
    from surveys import tasks

    guard.apply_answered_marks(round=round, now=due)
    ids = list(
        Invitation.objects.filter(round=round, answered=False, sent_at__isnull=False, sent_at__lt=due)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=due))
        .order_by("id")
        .values_list("id", flat=True)
    )
    for start in range(0, len(ids), SEND_BATCH_SIZE):
        tasks.send_reminders.delay(round.organization_id, ids[start : start + SEND_BATCH_SIZE], due.isoformat())
    return len(ids)


@dataclass
class TickReport:
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    reminders_queued: int = 0
    resent_queued: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"opened {len(self.opened)} round(s), closed {len(self.closed)}, "
            f"queued {self.reminders_queued} reminder(s) and {self.resent_queued} unsent invitation(s)"
            + (f"; {len(self.errors)} error(s)" if self.errors else "")
        )


def tick(now: datetime | None = None) -> TickReport:
    """Everything the scheduler does, once: close rounds that ended, open rounds that are
    due, queue due reminders, re-queue lost invitations. Each step is idempotent, so
    overlapping ticks (beat and a manual ``pulses_tick``) do no harm."""
    now = now or timezone.now()
    report = TickReport()
    # Unscoped on purpose: the scheduler looks across every organization for due work
    # (ids only); each change below runs inside that organization's scope.
    with scopes_disabled():
        to_close = list(
            Round.objects.filter(status=RoundStatus.OPEN, closes_at__lte=now).values_list("id", "organization_id")
        )
        due_surveys = list(
            Survey.objects.filter(active=True, next_run_at__lte=now).values_list("id", "organization_id")
        )
        open_rounds = list(
            Round.objects.filter(status=RoundStatus.OPEN, closes_at__gt=now).values_list("id", "organization_id")
        )
        orgs = Organization.objects.in_bulk({o for _, o in to_close + due_surveys + open_rounds})

    for round_id, org_id in to_close:
        with org_scope(orgs[org_id]):
            round = Round.objects.select_related("survey", "organization").get(pk=round_id)
            if close_round(round=round, now=now):
                report.closed.append(round_id)
    for survey_id, org_id in due_surveys:
        with org_scope(orgs[org_id]):
            try:
                round = open_round(survey=Survey.objects.get(pk=survey_id), now=now)
            except ValidationError as exc:
                log.warning("survey %s not opened: %s", survey_id, exc)
                report.errors.append(f"survey {survey_id}: {' '.join(exc.messages)}")
                continue
            if round is not None:
                report.opened.append(round.id)
    for round_id, org_id in open_rounds:
        with org_scope(orgs[org_id]):
            round = Round.objects.get(pk=round_id)
            report.resent_queued += enqueue_unsent(
                organization_id=org_id, round_id=round_id, older_than=now - RESEND_AFTER, now=now
            )
            due = reminder_due(round, now)
            if due is not None:
                report.reminders_queued += enqueue_reminders(round=round, due=due)
    return report
