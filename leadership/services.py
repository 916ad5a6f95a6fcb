"""Writes of the leadership app: starting a 360, e-mailing its raters, taking one answer sheet per link.

The answering path follows the pulse's (surveys/services/submit.py, guard.py): only the
SHA-256 of a link is stored; a submit inserts a ``FeedbackGuard`` whose primary key is a
keyed hash of the rater (so the database enforces single use without naming anyone),
then an anonymous ``FeedbackResponse`` with the relationship and the day, in one
transaction. Nothing that names the rater is written at submit time.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from leadership import bank
from leadership.models import (
    Feedback,
    FeedbackAnswer,
    FeedbackGuard,
    FeedbackResponse,
    FeedbackStatus,
    Rater,
    Relationship,
)
from peakos.audit import record_audit
from peakos.i18n import format_datetime, language_for
from peakos.models import Organization, Person
from peakos.tokens import hash_token, new_token
from surveys.services.submit import TOKEN_RE

log = logging.getLogger(__name__)

GUARD_SALT = "peakos.leadership.FeedbackGuard"
DEFAULT_OPEN_DAYS = 14
MAX_OPEN_DAYS = 60


class AlreadyAnsweredError(Exception):
    """The link was used."""


class FeedbackClosedError(Exception):
    """The 360 no longer takes answers (closed or past its closing time)."""


def guard_digest(rater_id: int) -> str:
    """The guard's key for a rater: HMAC-SHA256 under a key the database never holds."""
    secret = getattr(settings, "SUBMISSION_GUARD_KEY", "") or settings.SECRET_KEY
    return salted_hmac(GUARD_SALT, f"rater:{rater_id}", secret=secret, algorithm="sha256").hexdigest()


# --------------------------------------------------------------------------- starting


def suggested_raters(leader: Person) -> dict[str, list[Person]]:
    """Raters suggested from the org tree: the leader, their manager, peers (same manager,
    else the same team), their direct reports. Active people with an e-mail only."""
    people = Person.objects.filter(organization_id=leader.organization_id, active=True).exclude(email="")
    manager = [leader.manager] if leader.manager_id and leader.manager.active else []
    if leader.manager_id:
        peers = people.filter(manager_id=leader.manager_id)
    elif leader.team_id:
        peers = people.filter(team_id=leader.team_id, manager__isnull=True)
    else:
        peers = people.none()
    reports = list(people.filter(manager=leader).order_by("name"))
    peers = [p for p in peers.exclude(pk=leader.pk).order_by("name") if p not in reports]
    return {
        Relationship.SELF: [leader],
        Relationship.MANAGER: manager,
        Relationship.PEER: peers,
        Relationship.REPORT: reports,
    }


def start_feedback(
    *,
    organization: Organization,
    actor,
    leader: Person,
    raters: Iterable[tuple[int, str]],
    open_days: int = DEFAULT_OPEN_DAYS,
    show_self: bool = False,
    show_manager: bool = False,
    now: datetime | None = None,
) -> Feedback:
    """Start a 360 about ``leader`` with ``raters`` ((person id, relationship) pairs) and
    e-mail them after commit. The organization's thresholds are copied and never change."""
    now = now or timezone.now()
    if leader.organization_id != organization.id:
        raise ValidationError("The leader is not in this organization.")
    if not 1 <= int(open_days) <= MAX_OPEN_DAYS:
        raise ValidationError({"open_days": f"Between 1 and {MAX_OPEN_DAYS} days."})
    chosen: dict[int, str] = {}
    for person_id, relationship in raters:
        if relationship not in Relationship.values:
            raise ValidationError(f"Unknown relationship {relationship!r}.")
        chosen[int(person_id)] = relationship  # the last choice for a person wins
    people = {p.pk: p for p in Person.objects.filter(organization=organization, pk__in=chosen, active=True)}
    if set(people) != set(chosen):
        raise ValidationError("Some raters are not active people of this organization.")
    for pid, relationship in chosen.items():
        if (relationship == Relationship.SELF) != (pid == leader.pk):
            raise ValidationError("Only the leader rates as “self”, and the leader only as “self”.")
    if not any(r != Relationship.SELF for r in chosen.values()):
        raise ValidationError("Choose at least one rater besides the leader.")
    with transaction.atomic():
        feedback = Feedback.objects.create(
            organization=organization,
            leader=leader,
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
            closes_at=now + timedelta(days=int(open_days)),
            anonymity_threshold=organization.anonymity_threshold,
            comment_threshold=organization.comment_threshold,
            show_self=show_self,
            show_manager=show_manager,
            created_at=now,
        )
        Rater.objects.bulk_create(
            Rater(organization=organization, feedback=feedback, person_id=pid, relationship=rel)
            for pid, rel in sorted(chosen.items())
        )
        record_audit(
            organization=organization,
            actor=actor,
            action="feedback360.start",
            obj=feedback,
            summary=f"360° feedback for {leader.name}: {len(chosen)} raters, closes {feedback.closes_at:%Y-%m-%d}",
        )
        feedback_id = feedback.pk

        def _send():
            from leadership.tasks import send_feedback_invitations

            send_feedback_invitations.delay(feedback_id)

        transaction.on_commit(_send, robust=True)
    return feedback


def close_feedback(*, feedback: Feedback, actor) -> Feedback:
    with transaction.atomic():
        Feedback.objects.filter(pk=feedback.pk).update(status=FeedbackStatus.CLOSED)
        feedback.status = FeedbackStatus.CLOSED
        record_audit(
            organization=feedback.organization, actor=actor, action="feedback360.close", obj=feedback, summary=""
        )
    return feedback


# --------------------------------------------------------------------------- e-mail


def answer_url(raw_token: str) -> str:
    return settings.SITE_URL + reverse("feedback_answer", args=[raw_token])


def send_invitations(feedback_id: int) -> int:
    """E-mail every rater not e-mailed yet, each with a fresh link; returns how many were sent.

    Each rater is *claimed* by a conditional UPDATE that stores the new link's hash only where
    none is stored, so a duplicated task sends nothing twice. A failed send clears the claim
    (the task retries)."""
    feedback = Feedback.objects.select_related("organization", "leader").get(pk=feedback_id)
    if not feedback.is_accepting:
        return 0
    sent = 0
    for rater in Rater.objects.filter(feedback=feedback, token_hash__isnull=True).select_related("person"):
        raw, digest = new_token()
        if not Rater.objects.filter(pk=rater.pk, token_hash__isnull=True).update(token_hash=digest):
            continue
        try:
            build_message(feedback, rater, raw).send()
        except Exception:
            Rater.objects.filter(pk=rater.pk, token_hash=digest).update(token_hash=None)
            raise
        Rater.objects.filter(pk=rater.pk).update(sent_at=timezone.now())
        sent += 1
    return sent


def build_message(feedback: Feedback, rater: Rater, raw_token: str) -> EmailMultiAlternatives:
    org = feedback.organization
    language = language_for(org, rater.person.language)
    closes = feedback.closes_at.astimezone(zoneinfo.ZoneInfo(org.timezone))
    with translation.override(language):
        context = {
            "organization": org,
            "leader": feedback.leader,
            "person": rater.person,
            "relationship": rater.relationship,
            "is_self": rater.relationship == Relationship.SELF,
            "url": answer_url(raw_token),
            "closes_text": format_datetime(closes),
            "threshold": feedback.anonymity_threshold,
            "individual": feedback.shown_individually(rater.relationship),
        }
        if rater.relationship == Relationship.SELF:
            subject = _("%(organization)s: your 360° self-assessment") % {"organization": org.name}
        else:
            subject = _("%(organization)s: feedback for %(leader)s") % {
                "organization": org.name,
                "leader": feedback.leader.name,
            }
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("leadership/email/invitation.txt", context),
            to=[rater.person.email],
            headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
        )
    return message


# --------------------------------------------------------------------------- answering


def find_rater(raw_token: str) -> Rater | None:
    """The rater a link names, or None. Unscoped on purpose: the token names the organization."""
    if not TOKEN_RE.match(raw_token or ""):
        return None
    found = list(
        Rater.objects.with_scopes_disabled()
        .select_related("organization", "feedback", "feedback__leader", "person")
        .filter(token_hash=hash_token(raw_token))[:1]
    )
    return found[0] if found else None


def has_answered(rater: Rater) -> bool:
    return FeedbackGuard.objects.filter(pk=guard_digest(rater.pk)).exists()


def clean_answers(data: Mapping) -> tuple[dict[str, int], dict[str, str]]:
    """Every item 1–5 (required), comments optional; raises ValidationError naming each field."""
    values: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for item in bank.ITEMS:
        raw = data.get(item.key)
        try:
            value = int(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or not 1 <= value <= 5:
            errors[item.key] = [_("Choose one answer.")]
        else:
            values[item.key] = value
    texts = {}
    for key, _label in bank.COMMENTS:
        text = (data.get(key) or "").strip()
        if len(text) > 5000:
            errors[key] = [_("At most 5000 characters.")]
        elif text:
            texts[key] = text
    if errors:
        raise ValidationError(errors)
    return values, texts


def submit_feedback(*, rater: Rater, data: Mapping, now: datetime | None = None) -> FeedbackResponse:
    """Store one anonymous answer sheet for ``rater``'s link (once)."""
    now = now or timezone.now()
    values, texts = clean_answers(data)
    feedback = rater.feedback
    if not (feedback.status == FeedbackStatus.OPEN and now < feedback.closes_at):
        raise FeedbackClosedError
    org = rater.organization
    submitted_on = now.astimezone(zoneinfo.ZoneInfo(org.timezone)).date()
    with transaction.atomic():
        try:
            with transaction.atomic():
                FeedbackGuard.objects.create(digest=guard_digest(rater.pk), organization=org, feedback=feedback)
        except IntegrityError:
            raise AlreadyAnsweredError
        response = FeedbackResponse.objects.create(
            organization=org, feedback=feedback, relationship=rater.relationship, submitted_on=submitted_on
        )
        FeedbackAnswer.objects.bulk_create(
            [FeedbackAnswer(organization=org, response=response, item=k, value=v) for k, v in values.items()]
            + [FeedbackAnswer(organization=org, response=response, item=k, text=t) for k, t in texts.items()]
        )
    return response
