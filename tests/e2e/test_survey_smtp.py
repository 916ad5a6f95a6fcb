"""Integration: the invitation goes through real SMTP (aiosmtpd on 127.0.0.1), and the
link read from the received message answers the survey."""

import email
import re
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import Response, Survey
from surveys.services import schedule
from tests.surveys.factories import make_survey, valid_answers, with_priorities_and_dependencies


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_invitation_sent_over_smtp_answers_the_survey(smtp_server, client, tenant_a):
    with_priorities_and_dependencies(tenant_a)
    survey = make_survey(tenant_a)
    Survey.objects.filter(pk=survey.pk).update(next_run_at=timezone.now() - timedelta(minutes=1))

    report = schedule.tick()  # opens the round; after commit the send task runs (eager) over SMTP

    assert len(report.opened) == 1
    assert len(smtp_server.messages) == 6
    message = next(m for m in smtp_server.messages if m["To"] == "p2@alpha.example")
    assert "Alpha Corp" in message["Subject"]
    parts = {p.get_content_type(): p.get_payload(decode=True).decode() for p in message.walk() if not p.is_multipart()}
    assert set(parts) == {"text/plain", "text/html"}
    path = re.search(r"https?://[^/\s]+(/s/[A-Za-z0-9_-]+/)", parts["text/plain"]).group(1)
    assert path in parts["text/html"]

    opened = client.get(path)
    assert opened.status_code == 200 and "Alignment pulse" in opened.content.decode()
    round_id = report.opened[0]
    from surveys.models import Invitation, Round

    invitation = Invitation.objects.with_scopes_disabled().get(round_id=round_id, person__email="p2@alpha.example")
    answered = client.post(path, valid_answers(Round.objects.get(pk=round_id), invitation.team_id))
    assert "Thank you" in answered.content.decode()
    assert Response.objects.filter(round_id=round_id).count() == 1
    assert "You already answered" in client.get(path).content.decode()


def _body(message, kind="text/plain"):
    return next(p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == kind)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_people_in_three_languages_each_get_the_invitation_in_theirs(smtp_server, client, tenant_a):
    """German, Japanese and Brazilian Portuguese speakers, and the rest in the organization's default."""
    from email.header import decode_header, make_header

    from peakos.models import Person

    with_priorities_and_dependencies(tenant_a)
    for email_address, language in (
        ("p0@alpha.example", "de"),
        ("p2@alpha.example", "ja"),
        ("p4@alpha.example", "pt-br"),
    ):
        Person.objects.filter(organization=tenant_a.org, email=email_address).update(language=language)
    survey = make_survey(tenant_a)
    Survey.objects.filter(pk=survey.pk).update(next_run_at=timezone.now() - timedelta(minutes=1))

    schedule.tick()  # opens the round; the Celery send task (eager) sends each message in its person's language

    by_person = {m["To"]: m for m in smtp_server.messages}
    assert len(by_person) == 6

    def subject(m):
        return str(make_header(decode_header(m["Subject"])))

    expected = {
        "p0@alpha.example": ("de", "Alpha Corp: eine 2-Minuten-Umfrage", "Hallo Alpha Person 0,", "Zur Umfrage"),
        "p2@alpha.example": (
            "ja",
            "Alpha Corp：2分で終わるパルスサーベイへのご協力のお願い",
            "Alpha Person 2さん",
            "アンケートに回答する",
        ),
        "p4@alpha.example": (
            "pt-br",
            "Alpha Corp: uma pesquisa de 2 minutos",
            "Olá, Alpha Person 4,",
            "Responder à pesquisa",
        ),
        "p1@alpha.example": ("en", "Alpha Corp: a 2-minute pulse survey", "Hello Alpha Person 1,", "Answer the survey"),
    }
    for address, (language, title, greeting, button) in expected.items():
        message = by_person[address]
        assert message["Content-Language"] == language
        assert subject(message) == title
        assert _body(message).startswith(greeting)
        assert button in _body(message, "text/html") and f'<html lang="{language}">' in _body(message, "text/html")

    # Each link opens the page in its person's language.
    for address, word in (("p0@alpha.example", "Antworten senden"), ("p2@alpha.example", "回答を送信する")):
        path = re.search(r"https?://[^/\s]+(/s/[A-Za-z0-9_-]+/)", _body(by_person[address])).group(1)
        assert word in client.get(path).content.decode()
