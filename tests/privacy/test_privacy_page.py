"""The employee privacy page: public, linked from the survey page and the e-mails, the
organization's own values, in the person's language, and it never uses a link up."""

import pytest
from django.core import mail

from peakos.models import Organization
from surveys.models import Invitation
from surveys.services import guard
from surveys.services import mail as mail_service
from tests.i18n.catalogues import translated_languages
from tests.i18n.conftest import names_that_stay
from tests.i18n.pages import english_left
from tests.surveys.factories import link_for, make_survey, open_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(tenant_a):
    Organization.objects.filter(pk=tenant_a.org.pk).update(anonymity_threshold=6, comment_threshold=12)
    round_ = open_now(make_survey(tenant_a))
    invitation = Invitation.objects.get(round=round_, person__email="p2@alpha.example")
    return link_for(invitation)


def test_the_generic_page_says_what_is_protected_and_the_defaults(client):
    page = client.get("/privacy/").content.decode()
    assert "How your answers are protected" in page
    assert "If everyone in a group gives the same answer" in page  # the one thing that is not
    assert "at least <strong>5</strong> people" in page and "at least <strong>10</strong> people" in page
    assert "No time limit is set" in page
    assert "ask your organization to erase you" in page


def test_the_link_page_shows_the_rounds_thresholds_and_retention_and_leaves_the_link_usable(client, tenant_a, link):
    Organization.objects.filter(pk=tenant_a.org.pk).update(retention_months=18)
    survey_page = client.get(link).content.decode()
    assert f'href="{link}privacy/"' in survey_page
    page = client.get(f"{link}privacy/")
    body = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "at least <strong>6</strong> people" in body and "at least <strong>12</strong> people" in body
    assert "in steps of at least <strong>6</strong> new answers" in body
    assert "deleted 18 months after the survey closes" in body
    assert f'href="{link}"' in body
    assert not guard.has_answered(Invitation.objects.get(person__email="p2@alpha.example"))


def test_an_unknown_link_gets_the_generic_page_not_an_error(client):
    page = client.get("/s/" + "x" * 32 + "/privacy/")
    assert page.status_code == 200 and "at least <strong>5</strong> people" in page.content.decode()


def test_the_invitation_e_mail_links_to_the_page(tenant_a, link):
    invitation = Invitation.objects.select_related("person", "round__survey", "organization").get(
        person__email="p2@alpha.example"
    )
    message = mail_service.build_message(invitation, "t" * 32, reminder=False, minutes=3)
    assert mail_service.privacy_url("t" * 32) in message.body
    assert f'href="{mail_service.privacy_url("t" * 32)}"' in message.alternatives[0][0]
    assert mail.outbox == []


@pytest.mark.parametrize("language", translated_languages())
def test_the_page_is_in_the_persons_language_with_no_english_left(client, tenant_a, link, language):
    Organization.objects.filter(pk=tenant_a.org.pk).update(retention_months=6)
    english = client.get(f"{link}privacy/?lang=en").content.decode()
    translated = client.get(f"{link}privacy/?lang={language}")
    assert translated["Content-Language"] == language
    assert english_left(english, translated.content.decode(), language, data=names_that_stay(tenant_a)) == []
