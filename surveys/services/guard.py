"""The double-submit guard and the "answered" marks, without a link from a response to a person.

A submit inserts one ``SubmissionGuard`` row whose primary key is a keyed hash (HMAC) of
the invitation, in the same transaction as the response. The key is derived from
``SUBMISSION_GUARD_KEY`` (default: ``SECRET_KEY``) and never stored in the database, so a
dump or a backup alone cannot say which invitation a guard row belongs to, although guard
rows and responses are written side by side in submission order. The unique primary key
keeps single use enforced by the database.

Reminders need to know who answered. That mark (``Invitation.answered``) is never written
at submit time (it would put the invitations in submission order, physically and in the
transaction log). ``apply_answered_marks`` computes the hash of each unanswered invitation
of a round, looks it up in the guard table and sets the flag in shuffled batches, and it
does so only at a round's *mark moments*: each passed reminder moment (the reminders
reveal who had not answered by then anyway) and its close. So the marks split the
respondents only into the groups the reminders already tell apart. Between two moments
a person who answered is still recognised by the guard (the page says "already
answered", a reminder is skipped) — see ``answered_among``. docs/privacy.md explains the
threat model.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from peakos.tenancy import org_scope, scopes_disabled
from surveys.models import Invitation, Round, RoundStatus, SubmissionGuard

log = logging.getLogger(__name__)

GUARD_SALT = "peakos.surveys.SubmissionGuard"
# Marks are written in batches of this size, in a random order of invitations.
MARK_BATCH_SIZE = 200
_shuffle = random.SystemRandom().shuffle


def guard_digest(invitation_id: int) -> str:
    """The guard table's key for an invitation: HMAC-SHA256 under a key the database never sees.

    Changing ``SUBMISSION_GUARD_KEY`` (or ``SECRET_KEY`` when that is not set) while a
    round is open lets its invitations be used once more: rotate between rounds.
    """
    secret = getattr(settings, "SUBMISSION_GUARD_KEY", "") or settings.SECRET_KEY
    return salted_hmac(GUARD_SALT, f"invitation:{invitation_id}", secret=secret, algorithm="sha256").hexdigest()


def has_answered(invitation: Invitation) -> bool:
    """Whether the invitation was used: its mark, else its guard row (one primary-key lookup)."""
    if invitation.answered:
        return True
    return SubmissionGuard.objects.filter(pk=guard_digest(invitation.pk)).exists()


def answered_among(invitation_ids: Iterable[int]) -> set[int]:
    """Those of the invitations that have a guard row (one statement per 500)."""
    by_digest = {guard_digest(pk): pk for pk in invitation_ids}
    digests = list(by_digest)
    found: set[int] = set()
    for start in range(0, len(digests), 500):
        chunk = digests[start : start + 500]
        found.update(by_digest[d] for d in SubmissionGuard.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


def mark_moment(round: Round, now: datetime) -> datetime | None:
    """The latest moment marks may be applied for: the close of a closed round, else the
    latest passed reminder moment; None before the first reminder moment."""
    if round.status == RoundStatus.CLOSED:
        return round.closed_at or round.closes_at
    if round.status != RoundStatus.OPEN:
        return None
    from surveys.services.schedule import reminder_due  # schedule imports this module

    return reminder_due(round, now)


def apply_answered_marks(*, round: Round, now: datetime | None = None) -> int:
    """Set ``answered`` on the round's invitations that have a guard row, once per mark moment.

    Returns how many were marked. Idempotent: a second call for the same moment claims
    nothing (the claim is a conditional UPDATE of ``Round.marks_applied_at``).
    """
    now = now or timezone.now()
    moment = mark_moment(round, now)
    if moment is None:
        return 0
    with transaction.atomic():
        claimed = (
            Round.objects.filter(pk=round.pk)
            .filter(Q(marks_applied_at__isnull=True) | Q(marks_applied_at__lt=moment))
            .update(marks_applied_at=moment)
        )
        if not claimed:
            return 0
        pending = Invitation.objects.filter(round=round, answered=False).values_list("pk", flat=True)
        answered = list(answered_among(pending))
        _shuffle(answered)
        for start in range(0, len(answered), MARK_BATCH_SIZE):
            Invitation.objects.filter(pk__in=answered[start : start + MARK_BATCH_SIZE]).update(answered=True)
    round.marks_applied_at = moment
    return len(answered)


def apply_due_marks(now: datetime | None = None) -> int:
    """The beat job: apply the marks of every round whose mark moment passed and is not applied.

    Unscoped on purpose (ids only, across organizations); each round is marked inside its
    organization's scope.
    """
    now = now or timezone.now()
    not_applied = Q(marks_applied_at__isnull=True) | Q(marks_applied_at__lt=F("closed_at"))
    with scopes_disabled():
        rounds = list(
            Round.objects.filter(
                Q(status=RoundStatus.OPEN) & ~Q(reminder_days=[]) | Q(status=RoundStatus.CLOSED) & not_applied
            ).select_related("organization")
        )
    marked = 0
    for round in rounds:
        moment = mark_moment(round, now)
        if moment is None or (round.marks_applied_at is not None and round.marks_applied_at >= moment):
            continue
        with org_scope(round.organization):
            marked += apply_answered_marks(round=round, now=now)
    return marked
