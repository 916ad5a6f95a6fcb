"""Invitations and reminders from the Celery tasks: each in its person's language, one
batch with several languages, and nothing leaks into the next message or the worker."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from peakos.models import Organization, Person
from surveys import tasks
from surveys.models import Invitation
from tests.surveys.factories import make_survey, open_now

pytestmark = pytest.mark.django_db

LANGUAGE_OF = {"p0@alpha.example": "de", "p2@alpha.example": "ja", "p4@alpha.example": "fr"}


def _open(tenant, keys, capture):
    """Open a round the way beat does: after commit, the send tasks run (eagerly here)."""
    survey = make_survey(tenant, keys=keys)
    with capture(execute=True):
        return open_now(survey)


@pytest.fixture
def multilingual_round(tenant_a, django_capture_on_commit_callbacks):
    for email, language in LANGUAGE_OF.items():
        Person.objects.filter(organization=tenant_a.org, email=email).update(language=language)
    return _open(tenant_a, ["alignment-priorities", "alignment-why", "comment"], django_capture_on_commit_callbacks)


def _by_person():
    return {m.to[0]: m for m in mail.outbox}


def test_one_send_task_writes_each_invitation_in_its_persons_language(multilingual_round, tenant_a):
    sent = _by_person()  # open_now queued the send tasks (eager)
    assert len(sent) == 6
    assert sent["p0@alpha.example"].subject == "Alpha Corp: eine 1-Minuten-Umfrage"
    assert sent["p2@alpha.example"].subject == "Alpha Corp：1分で終わるパルスサーベイへのご協力のお願い"
    assert sent["p4@alpha.example"].subject == "Alpha Corp\u00a0: une enquête de 1 minute"
    assert sent["p1@alpha.example"].subject == "Alpha Corp: a 1-minute pulse survey"
    assert "Die Umfrage dauert etwa 1 Minute" in sent["p0@alpha.example"].body
    assert "所要時間は約1分です。" in sent["p2@alpha.example"].body
    assert "It takes about 1 minute." in sent["manager.person@alpha.example"].body
    assert translation.get_language() == "en"  # the worker's own language is back


def test_reminders_are_in_the_persons_language_too(multilingual_round, tenant_a):
    mail.outbox.clear()
    ids = list(Invitation.objects.filter(round=multilingual_round).values_list("id", flat=True))
    due = (timezone.now() - timedelta(seconds=1)).isoformat()
    assert tasks.send_reminders(tenant_a.org.id, ids, due) == 6
    sent = _by_person()
    assert sent["p0@alpha.example"].subject.startswith("Erinnerung: Die 1-Minuten-Umfrage von Alpha Corp")
    assert sent["p2@alpha.example"].subject.startswith("【リマインダー】Alpha Corpの1分のパルスサーベイ")
    assert sent["p4@alpha.example"].subject == "Alpha Corp — rappel\u00a0: l’enquête de 1 minute se termine bientôt"
    assert sent["p1@alpha.example"].subject == "Reminder: Alpha Corp's 1-minute pulse closes soon"


def test_a_persons_language_the_organization_turned_off_gets_the_default(tenant_a, django_capture_on_commit_callbacks):
    Organization.objects.filter(pk=tenant_a.org.pk).update(default_language="nl", languages=["nl", "de"])
    Person.objects.filter(organization=tenant_a.org, email="p2@alpha.example").update(language="ja")
    Person.objects.filter(organization=tenant_a.org, email="p0@alpha.example").update(language="de")
    _open(tenant_a, ["alignment-why"], django_capture_on_commit_callbacks)
    sent = _by_person()
    assert sent["p2@alpha.example"].subject == "Alpha Corp: een korte enquête van 1 minuut"
    assert sent["p0@alpha.example"].subject == "Alpha Corp: eine 1-Minuten-Umfrage"
    assert sent["p1@alpha.example"].subject == "Alpha Corp: een korte enquête van 1 minuut"
