"""The review-mail tasks: retried when the mail server fails, and messages queued by older
code with the object id alone (before tenant tasks took the organization id first) still run."""

import logging
from smtplib import SMTPServerDisconnected
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail

from reviews import tasks as review_tasks
from reviews.models import BusinessReview, CycleStatus
from reviews.services import cycles
from tests.reviews.factories import make_cycle


def test_an_old_format_message_with_the_cycle_id_alone_sends_the_invitations(tenant_a, tenant_b):
    cycle = make_cycle(tenant_a, status=CycleStatus.OPEN)
    make_cycle(tenant_b, status=CycleStatus.OPEN)
    assert review_tasks.send_review_invitations.apply(args=(cycle.id,)).get() == 1
    assert [m.to for m in mail.outbox] == [[tenant_a.team.lead.email]]
    assert BusinessReview.objects.get(cycle=cycle).invited_at is not None
    assert not BusinessReview.objects.filter(cycle__organization=tenant_b.org, invited_at__isnull=False).exists()


def test_an_old_format_message_whose_object_is_gone_is_dropped_with_a_log_line(db, caplog):
    with caplog.at_level(logging.WARNING, logger="reviews.tasks"):
        assert review_tasks.notify_review_decision.apply(args=(987654,)).get() is None
        assert review_tasks.send_review_invitations.apply(args=(987654,)).get() is None
    assert caplog.text.count("old format") == 2
    assert not mail.outbox


def test_a_mail_server_failure_is_retried_and_each_lead_gets_one_email(tenant_a):
    cycle = make_cycle(tenant_a, status=CycleStatus.OPEN)
    real, calls = cycles.mail, []

    def flaky(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 1:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return real(**kwargs)

    with mock.patch.object(cycles, "mail", side_effect=flaky), pytest.raises(Retry) as retry:
        review_tasks.send_review_invitations.delay(tenant_a.org.id, cycle.id)
    assert retry.value.when  # scheduled with a backoff, not dropped
    assert not mail.outbox and BusinessReview.objects.get(cycle=cycle).invited_at is None
    # The retry (run here as the worker would) sends it, once; a further run sends nothing.
    with mock.patch.object(cycles, "mail", side_effect=flaky):
        assert review_tasks.send_review_invitations.delay(tenant_a.org.id, cycle.id).get() == 1
        assert review_tasks.send_review_invitations.delay(tenant_a.org.id, cycle.id).get() == 0
    assert len(calls) == 2
    assert [m.to for m in mail.outbox] == [[tenant_a.team.lead.email]]
