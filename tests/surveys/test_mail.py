"""Invitation e-mails: content, link tokens, and idempotent sending."""

import hashlib
import re
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from surveys import tasks
from surveys.models import Invitation, InvitationToken
from surveys.services import mail as mail_service

LINK = re.compile(r"http://[^/\s]+/s/([A-Za-z0-9_-]+)/")


def _ids(round):
    return list(round.invitations.order_by("id").values_list("id", flat=True))


def test_the_email_has_html_and_text_with_the_org_duration_close_time_and_a_unique_link(open_round, tenant_a):
    tenant_a.org.timezone = "Europe/Berlin"
    tenant_a.org.save()
    assert mail_service.send_invitations(invitation_ids=_ids(open_round)) == 6
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    for body in (message.body, html):
        assert "Alpha Corp" in body
        assert re.search(r"about \d+ minutes?", body, re.I)
        assert "Europe/Berlin" in body
    closes = open_round.closes_at.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    assert f"{closes:%H:%M}" in message.body
    tokens = {LINK.search(m.body).group(1) for m in mail.outbox}
    assert len(tokens) == 6  # one link per person


def test_only_the_sha256_of_the_token_is_stored_and_it_has_at_least_128_bits(open_round):
    mail_service.send_invitations(invitation_ids=_ids(open_round))
    for message in mail.outbox:
        raw = LINK.search(message.body).group(1)
        assert len(raw) * 6 >= 128  # url-safe base64: 6 bits a character
        invitation = Invitation.objects.get(person__email=message.to[0], round=open_round)
        assert invitation.token_hash == hashlib.sha256(raw.encode()).hexdigest()
        assert raw not in str(Invitation.objects.filter(pk=invitation.pk).values().get())


def test_a_retried_send_task_emails_nobody_twice(open_round):
    ids = _ids(open_round)
    assert tasks.send_invitations.apply(args=(open_round.organization_id, ids)).get() == 6
    assert tasks.send_invitations.apply(args=(open_round.organization_id, ids)).get() == 0
    assert len(mail.outbox) == 6


def test_a_task_that_failed_half_way_resends_only_the_rest(open_round, settings):
    ids = _ids(open_round)
    real_send = mail.get_connection().__class__.send_messages
    calls = {"n": 0}

    def flaky(self, messages):
        calls["n"] += 1
        if calls["n"] == 4:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(self, messages)

    with (
        mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", flaky),
        pytest.raises(smtplib.SMTPServerDisconnected),
    ):
        mail_service.send_invitations(invitation_ids=ids)
    assert len(mail.outbox) == 3
    # The failed one was released, so the retry sends exactly the three left.
    assert Invitation.objects.filter(pk__in=ids, sent_at__isnull=True).count() == 3
    assert mail_service.send_invitations(invitation_ids=ids) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Invitation.objects.filter(pk__in=ids).values_list("person__email", flat=True)
    )


def test_nothing_is_sent_for_a_closed_round_or_a_used_invitation(open_round):
    ids = _ids(open_round)
    Invitation.objects.filter(pk=ids[0]).update(answered=True)
    open_round.__class__.objects.filter(pk=open_round.pk).update(status="closed")
    assert mail_service.send_invitations(invitation_ids=ids) == 0


def test_a_reminder_carries_a_new_link_and_the_first_link_keeps_working(open_round, client):
    ids = _ids(open_round)
    mail_service.send_invitations(invitation_ids=ids[:1])
    first = LINK.search(mail.outbox[0].body).group(0)
    due = timezone.now() - timedelta(seconds=1)
    assert mail_service.send_reminders(invitation_ids=ids[:1], due=due) == 1
    assert mail_service.send_reminders(invitation_ids=ids[:1], due=due) == 0  # retried: nothing twice
    second = LINK.search(mail.outbox[1].body).group(0)
    assert first != second
    assert InvitationToken.objects.count() == 1
    for url in (first, second):
        assert client.get(url.replace("http://127.0.0.1:8000", "")).status_code == 200
