"""The claim → send gap: an invitation claimed by a worker that died before the mail
server took the message is sent on the next tick; one the server accepted never again."""

import re
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from peakos.tokens import new_token
from surveys.models import Invitation
from surveys.services import mail as mail_service
from surveys.services import schedule
from surveys.services.submit import find_invitation

LINK = re.compile(r"http://[^/\s]+/s/([A-Za-z0-9_-]+)/")


def _claimed_by_a_dead_worker(invitation, *, ago):
    """What a worker SIGKILLed between its claim and the SMTP call leaves behind."""
    raw, digest = new_token()
    Invitation.objects.filter(pk=invitation.pk).update(
        token_hash=digest, send_claimed_at=timezone.now() - ago, sent_at=None
    )
    return raw


def test_an_invitation_whose_claim_expired_is_sent_on_the_next_tick(open_round):
    victim = open_round.invitations.order_by("id").first()
    Invitation.objects.filter(round=open_round).exclude(pk=victim.pk).update(sent_at=timezone.now())
    stale_raw = _claimed_by_a_dead_worker(victim, ago=mail_service.CLAIM_LEASE + timedelta(seconds=1))
    report = schedule.tick()  # eager: the queued send task runs here
    assert report.resent_queued == 1
    assert [m.to[0] for m in mail.outbox] == [victim.person.email]
    victim.refresh_from_db()
    assert victim.sent_at is not None
    # The new link works, and so does the dead worker's (its e-mail may have left after all).
    assert find_invitation(LINK.search(mail.outbox[0].body).group(1)).pk == victim.pk
    assert find_invitation(stale_raw).pk == victim.pk


def test_a_live_claim_is_neither_requeued_nor_sent_by_a_duplicate_task(open_round):
    victim = open_round.invitations.order_by("id").first()
    Invitation.objects.filter(round=open_round).exclude(pk=victim.pk).update(sent_at=timezone.now())
    _claimed_by_a_dead_worker(victim, ago=timedelta(seconds=20))
    assert schedule.tick().resent_queued == 0
    assert mail_service.send_invitations(invitation_ids=[victim.pk]) == 0
    assert mail.outbox == []


def test_sent_is_recorded_only_once_the_mail_server_accepted(open_round):
    ids = list(open_round.invitations.order_by("id").values_list("id", flat=True))
    with (
        mock.patch(
            "django.core.mail.backends.locmem.EmailBackend.send_messages",
            side_effect=smtplib.SMTPServerDisconnected("connection lost"),
        ),
        pytest.raises(smtplib.SMTPServerDisconnected),
    ):
        mail_service.send_invitations(invitation_ids=ids)
    # Nothing was accepted: nothing is marked sent and nothing is held, so the retry sends all.
    assert Invitation.objects.filter(pk__in=ids, sent_at__isnull=False).count() == 0
    assert Invitation.objects.filter(pk__in=ids, send_claimed_at__isnull=False).count() == 0
    assert mail_service.send_invitations(invitation_ids=ids) == len(ids)
    # Accepted once: never again, whatever ticks and retries follow.
    assert schedule.tick(now=timezone.now() + timedelta(hours=1)).resent_queued == 0
    assert mail_service.send_invitations(invitation_ids=ids) == 0
    assert len(mail.outbox) == len(ids)


def test_worker_limits_fit_together():
    """Mail tasks are short, recomputes long; the broker waits longer than any task runs
    before handing a taken task to another worker; the send lease outlives a mail task."""
    limits = settings.CELERY_TASK_ANNOTATIONS
    mail_limit = limits["surveys.tasks.send_invitations"]["time_limit"]
    recompute_limit = limits["insights.tasks.recompute_round"]["time_limit"]
    assert mail_limit < recompute_limit
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > max(
        entry["time_limit"] for entry in limits.values()
    )
    assert mail_service.CLAIM_LEASE.total_seconds() > mail_limit
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST and settings.CELERY_TASK_ACKS_LATE
    mail_soft_limit = limits["surveys.tasks.send_invitations"]["soft_time_limit"]
    assert 0 < settings.EMAIL_TIMEOUT < mail_soft_limit
