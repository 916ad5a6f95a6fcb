"""Answering: finding an invitation by its link, and storing one anonymous response.

Exactly one response per invitation, enforced by the database, not only in Python: the
submit inserts a ``SubmissionGuard`` row whose primary key is a keyed hash of the
invitation (``guard.guard_digest``). On PostgreSQL a second, concurrent submit blocks on
that key until the first commits, then fails on it; either way the second one stores
nothing. The guard row, the Response and its Answers are one transaction: either all of
it is stored, or none of it.

Nothing that names the person is written here (no update of the invitation, no audit
event): the "answered" mark reminders need is applied later, in shuffled batches
(surveys/services/guard.py), so no row that names a person follows submission order.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from peakos.tokens import hash_token
from surveys import events
from surveys.models import (
    Answer,
    Invitation,
    InvitationToken,
    Response,
    Round,
    RoundStatus,
    SubmissionGuard,
    random_id,
)
from surveys.services.guard import guard_digest, has_answered
from surveys.sheet import AnswerSheet

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


class AlreadyAnsweredError(Exception):
    """The invitation was used."""


class RoundClosedError(Exception):
    """The round no longer accepts answers."""


class StaleSheetError(Exception):
    """The database refused the writes (nothing stored): an answer named a priority or team
    deleted since the sheet was compiled (the web process caches it), or, very rarely, a
    random id collided. Compile the sheet afresh and submit once more."""


def find_invitation(raw_token: str) -> Invitation | None:
    """The invitation a link names, or None.

    Unscoped on purpose: the token names the organization (the caller then works inside
    ``org_scope(invitation.organization)``). Only hashes are compared.
    """
    if not TOKEN_RE.match(raw_token or ""):
        return None
    digest = hash_token(raw_token)
    # The person's language rides along (``person_language``): the page is in it, at the
    # cost of a join on the primary key, not another statement.
    base = (
        Invitation.objects.with_scopes_disabled()
        .select_related("organization", "round", "round__survey")
        .annotate(person_language=F("person__language"))
    )
    # One statement whichever link it is: the first e-mail's token is on the invitation, a
    # reminder's in InvitationToken (both unique, so at most one row: a LIMIT, no ORDER BY).
    # The id comes from one scalar subquery of two index look-ups (an OR of the two
    # columns would scan the invitations).
    first = Invitation.objects.with_scopes_disabled().filter(token_hash=digest).values("pk")[:1]
    extra = InvitationToken.objects.with_scopes_disabled().filter(token_hash=digest).values("invitation_id")[:1]
    found = list(base.filter(pk=Coalesce(Subquery(first), Subquery(extra)))[:1])
    return found[0] if found else None


def submit_response(*, invitation: Invitation, sheet: AnswerSheet, data, now: datetime | None = None) -> Response:
    """Validate ``data`` against ``sheet`` and store one anonymous Response with its Answers.

    Raises ``ValidationError`` (bad input: nothing stored), ``AlreadyAnsweredError`` or
    ``RoundClosedError``. After commit, asks the insights engine to (debounced) recompute.
    """
    now = now or timezone.now()
    answers = sheet.clean(data)  # before any write: bad input changes nothing
    round = invitation.round
    org = invitation.organization
    if round.status != RoundStatus.OPEN or not (round.opens_at <= now < round.closes_at):
        raise RoundClosedError
    if invitation.answered:
        raise AlreadyAnsweredError
    submitted_on = now.astimezone(zoneinfo.ZoneInfo(org.timezone)).date()
    try:
        return _store(invitation, org, round, submitted_on, answers, now)
    except IntegrityError as exc:
        # A used link is AlreadyAnsweredError, not this: only a foreign key (checked at
        # commit) or a random id collision gets here, and the whole transaction is undone.
        raise StaleSheetError from exc


def _store(invitation: Invitation, org, round: Round, submitted_on, answers, now: datetime) -> Response:
    with transaction.atomic():
        if round.frozen_at is None:
            # The first response freezes the round's privacy settings (rolled back with the
            # rest if the guard says the link was used).
            Round.objects.filter(pk=round.pk, frozen_at__isnull=True).update(
                frozen_at=now,
                anonymity_threshold=org.anonymity_threshold,
                comment_threshold=org.comment_threshold,
            )
        if connection.vendor == "postgresql":
            response = _store_postgresql(invitation, org, round, submitted_on, answers)
        else:
            response = _store_orm(invitation, org, round, submitted_on, answers)
        # Names the round only (never the invitation): insights schedules a recompute after commit.
        events.send(events.response_submitted, organization_id=org.pk, round_id=round.id)
    return response


def _store_orm(invitation: Invitation, org, round: Round, submitted_on, answers) -> Response:
    """The guard claim and the writes through the ORM (SQLite, the embedded default)."""
    try:
        # No savepoint needed: on a conflict the whole transaction is abandoned.
        SubmissionGuard.objects.create(digest=guard_digest(invitation.pk), organization=org, round=round)
    except IntegrityError:
        raise AlreadyAnsweredError
    response = Response.objects.create(
        organization=org,
        round=round,
        team_id=invitation.team_id,
        layer=invitation.layer,
        manager_id=invitation.manager_id,
        submitted_on=submitted_on,
    )
    Answer.objects.bulk_create(
        Answer(
            organization=org,
            response=response,
            question=a.question,
            value=a.value,
            text=a.text,
            rated_team_id=a.rated_team_id,
            priority_id=a.priority_id,
        )
        for a in answers
    )
    return response


# One statement, one round trip for the guard claim and all the writes (PostgreSQL): the
# guard insert does nothing on a used link (a concurrent submit of the same link waits on
# its key until the first commits), and the response and answers are inserted only from
# the guard row it returned. A collision of a random response/answer id still fails loudly.
_CLAIM_AND_STORE = """
WITH g AS (
    INSERT INTO surveys_submissionguard (digest, organization_id, round_id) VALUES (%s, %s, %s)
    ON CONFLICT (digest) DO NOTHING RETURNING 1
), r AS (
    INSERT INTO surveys_response (id, organization_id, round_id, team_id, layer, manager_id, submitted_on)
    SELECT %s, %s, %s, %s, %s, %s, %s FROM g RETURNING id
){answers}
SELECT count(*) FROM r
"""
_ANSWERS = """, a AS (
    INSERT INTO surveys_answer (id, organization_id, response_id, question_id, value, text, rated_team_id, priority_id)
    SELECT v.id, %s, r.id, v.question_id, v.value, v.text, v.rated_team_id, v.priority_id
    FROM r, (VALUES {rows}) AS v (id, question_id, value, text, rated_team_id, priority_id)
    RETURNING 1
)"""
_ROW = "(%s::bigint, %s::bigint, %s::smallint, %s::text, %s::bigint, %s::bigint)"


def _store_postgresql(invitation: Invitation, org, round: Round, submitted_on, answers) -> Response:
    """The guard claim and the writes in one raw statement (no model instances saved)."""
    response_id = random_id()
    params: list = [guard_digest(invitation.pk), org.id, round.id]
    params += [response_id, org.id, round.id, invitation.team_id, invitation.layer, invitation.manager_id]
    params.append(submitted_on)
    answers_sql = ""
    if answers:
        answers_sql = _ANSWERS.format(rows=", ".join([_ROW] * len(answers)))
        params.append(org.id)
        for a in answers:
            params += [random_id(), a.question.id, a.value, a.text, a.rated_team_id, a.priority_id]
    with connection.cursor() as cur:
        cur.execute(_CLAIM_AND_STORE.format(answers=answers_sql), params)
        stored = cur.fetchone()[0]
    if not stored:
        raise AlreadyAnsweredError
    response = Response(
        id=response_id,
        organization=org,
        round=round,
        team_id=invitation.team_id,
        layer=invitation.layer,
        manager_id=invitation.manager_id,
        submitted_on=submitted_on,
    )
    response._state.adding = False
    response._state.db = connection.alias
    return response


def check_answers(*, sheet: AnswerSheet, data) -> None:
    """Validate without storing (the admin's preview)."""
    sheet.clean(data)


__all__ = [
    "AlreadyAnsweredError",
    "RoundClosedError",
    "StaleSheetError",
    "ValidationError",
    "check_answers",
    "find_invitation",
    "has_answered",
    "submit_response",
]
