"""Invitation and reminder e-mails, sent in batches by Celery tasks, never twice.

Idempotency, with a lease: each invitation is *claimed* with a conditional UPDATE
(``SET send_claimed_at = now, token_hash = … WHERE id = … AND sent_at IS NULL AND``
no live claim) that commits before the message is handed to the mail server, and only
the task whose claim took the row sends. ``sent_at`` is written only **after** the mail
server accepted the message, so a sent invitation is never claimed again, and a retried
or duplicated task finds a live claim and sends nothing. If the worker dies between the
claim and the hand-off (OOM killer, SIGKILL, a hard time limit), the claim expires after
``CLAIM_LEASE`` (longer than the send task's hard time limit) and the next scheduler tick
hands the invitation to a send task again — so nobody misses their first e-mail. The
re-claim keeps the previous claim's link valid (as an ``InvitationToken``): in the rare
case that the dead worker's message did reach the server before ``sent_at`` was written,
the person gets two e-mails whose links both work, never a dead link. Failures the mail
server reports (connection refused, timeouts — ``EMAIL_TIMEOUT`` bounds a server that
accepts and never answers) release the claim and the task retries, so a transient
outage loses nothing.

The raw token exists only in the e-mail: the claim stores its SHA-256. Reminders carry
a fresh token (stored as an ``InvitationToken``) because the first one cannot be
recovered; every link of an invitation stays valid until the round closes.

Each message is written in its person's language (``Person.language``, else the
organization's default; see ``peakos.i18n.language_for``): subject, body, dates and
numbers. A worker handles people of many languages in one batch, so the language is
switched per message and put back afterwards.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime, timedelta
from smtplib import SMTPRecipientsRefused

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from peakos.i18n import format_datetime, language_for
from peakos.tokens import new_token
from surveys import selectors
from surveys.models import Invitation, InvitationToken, RoundStatus
from surveys.services.guard import answered_among

log = logging.getLogger(__name__)


def survey_url(raw_token: str) -> str:
    return settings.SITE_URL + reverse("survey_answer", args=[raw_token])


def privacy_url(raw_token: str) -> str:
    """The privacy page of the link's round and organization (opening it never uses the link)."""
    return settings.SITE_URL + reverse("survey_privacy", args=[raw_token])


def build_message(invitation: Invitation, raw_token: str, *, reminder: bool, minutes: int) -> EmailMultiAlternatives:
    """The invitation (or reminder) e-mail of ``invitation``, in its person's language."""
    org = invitation.organization
    language = language_for(org, invitation.person.language)
    with translation.override(language):
        return _build_message(invitation, raw_token, reminder=reminder, minutes=minutes, language=language)


def _build_message(
    invitation: Invitation, raw_token: str, *, reminder: bool, minutes: int, language: str
) -> EmailMultiAlternatives:
    round = invitation.round
    org = invitation.organization
    closes = round.closes_at.astimezone(zoneinfo.ZoneInfo(org.timezone))
    context = {
        "organization": org,
        "survey": round.survey,
        "person": invitation.person,
        "minutes": minutes,
        "closes_text": format_datetime(closes),
        "timezone": org.timezone,
        # The link opens the page in the same language (the person's, unless they switch there).
        "url": survey_url(raw_token),
        "privacy_url": privacy_url(raw_token),
        "reminder": reminder,
        "threshold": round.effective_anonymity_threshold,
        "language": language,
    }
    values = {"organization": org.name, "minutes": minutes}
    if reminder:
        subject = ngettext(
            "Reminder: %(organization)s's %(minutes)s-minute pulse closes soon",
            "Reminder: %(organization)s's %(minutes)s-minute pulse closes soon",
            minutes,
        )
    else:
        subject = ngettext(
            "%(organization)s: a %(minutes)s-minute pulse survey",
            "%(organization)s: a %(minutes)s-minute pulse survey",
            minutes,
        )
    subject %= values
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("surveys/email/invitation.txt", context),
        to=[invitation.person.email],
        headers={
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "Content-Language": language,
        },
    )
    message.attach_alternative(render_to_string("surveys/email/invitation.html", context), "text/html")
    return message


def _candidates(invitation_ids: list[int], now: datetime):
    return (
        Invitation.objects.filter(
            pk__in=invitation_ids, answered=False, round__status=RoundStatus.OPEN, round__closes_at__gt=now
        )
        .select_related("person", "organization", "round__survey", "round__organization")
        .order_by("id")
    )


def _minutes_by_round(invitations) -> dict[int, int]:
    out = {}
    for inv in invitations:
        if inv.round_id not in out:
            out[inv.round_id] = selectors.estimated_minutes(selectors.answer_sheet_questions(inv.round))
    return out


# A send task's hold on an invitation: longer than the mail task's hard time limit
# (CELERY_MAIL_TIME_LIMIT, 90 s), so a live task never loses its claim to the next tick.
CLAIM_LEASE = timedelta(minutes=3)


def claim_is_live(now: datetime) -> Q:
    """Invitations a send task holds right now (claimed within the lease)."""
    return Q(send_claimed_at__gte=now - CLAIM_LEASE)


def _claim(inv: Invitation, digest: str, now: datetime) -> bool:
    """Take the send lease of ``inv`` with the new token's hash; False if sent or held.

    A lease that expired belonged to a task that died before the mail server took its
    message (or after: we cannot know), so its token stays valid as an extra link.
    """
    with transaction.atomic():
        row = (
            Invitation.objects.select_for_update()
            .filter(pk=inv.pk, sent_at__isnull=True)
            .exclude(claim_is_live(now))
            .values_list("token_hash", flat=True)
        )
        found = list(row[:1])
        if not found:
            return False
        if found[0]:
            InvitationToken.objects.get_or_create(
                token_hash=found[0], defaults={"organization_id": inv.organization_id, "invitation_id": inv.pk}
            )
        Invitation.objects.filter(pk=inv.pk).update(send_claimed_at=now, token_hash=digest)
    return True


def send_invitations(*, invitation_ids: list[int], now: datetime | None = None) -> int:
    """Send the first e-mail of each invitation not sent yet. Returns how many were sent.

    Runs in autocommit (not inside a transaction), so each claim is durable before its
    message leaves, and each ``sent_at`` is durable right after the server accepted it.
    Raises on a mail-server failure after releasing the failed claim.
    """
    now = now or timezone.now()
    invitations = list(_candidates(invitation_ids, now).filter(sent_at__isnull=True).exclude(claim_is_live(now)))
    minutes = _minutes_by_round(invitations)
    sent = 0
    connection = get_connection()
    try:
        for inv in invitations:
            raw, digest = new_token()
            if not _claim(inv, digest, now):
                continue  # another (or an earlier) task sent it or is sending it
            try:
                connection.send_messages([build_message(inv, raw, reminder=False, minutes=minutes[inv.round_id])])
            except SMTPRecipientsRefused:
                # The server will never take this address: retrying would not help.
                log.warning("invitation %s: recipient refused", inv.pk)
                Invitation.objects.filter(pk=inv.pk, sent_at__isnull=True).update(sent_at=now)
                continue
            except BaseException:  # SMTP errors, timeouts, the soft time limit: free the claim
                Invitation.objects.filter(pk=inv.pk, token_hash=digest, sent_at__isnull=True).update(
                    send_claimed_at=None, token_hash=None
                )
                raise
            # Only now: the mail server has the message. (A crash before this line leaves
            # the lease to expire and the invitation is sent again; see the module doc.)
            Invitation.objects.filter(pk=inv.pk, sent_at__isnull=True).update(sent_at=now)
            sent += 1
    finally:
        connection.close()
    return sent


def send_reminders(*, invitation_ids: list[int], due: datetime, now: datetime | None = None) -> int:
    """Remind those who have not answered and were not reminded since ``due``. Each
    reminder carries a fresh link; the claim is a conditional UPDATE of ``reminded_at``."""
    now = now or timezone.now()
    # Never record a reminder as earlier than its due time (worker and beat clocks may
    # differ): otherwise the next tick would see it as not yet reminded and send again.
    stamp = max(now, due)
    invitations = list(
        _candidates(invitation_ids, now)
        .filter(sent_at__isnull=False)
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=due))
    )
    # Someone who answered since the last mark moment has no mark yet, but has a guard row:
    # never remind them (one lookup for the whole batch).
    answered = answered_among(inv.pk for inv in invitations)
    invitations = [inv for inv in invitations if inv.pk not in answered]
    minutes = _minutes_by_round(invitations)
    sent = 0
    connection = get_connection()
    try:
        for inv in invitations:
            claimed = (
                Invitation.objects.filter(pk=inv.pk, answered=False)
                .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=due))
                .update(reminded_at=stamp)
            )
            if not claimed:
                continue
            raw, digest = new_token()
            token = InvitationToken.objects.create(organization=inv.organization, invitation=inv, token_hash=digest)
            try:
                connection.send_messages([build_message(inv, raw, reminder=True, minutes=minutes[inv.round_id])])
            except SMTPRecipientsRefused:
                log.warning("invitation %s: recipient refused", inv.pk)
                continue
            except Exception:
                token.delete()
                Invitation.objects.filter(pk=inv.pk, reminded_at=stamp).update(reminded_at=inv.reminded_at)
                raise
            sent += 1
    finally:
        connection.close()
    return sent
