"""Every employee page, in every shipped language: no English left, in the person's
language unless they switch, and the same form whatever the language."""

import pytest
from django.core import mail

from peakos.models import Organization, Person
from surveys.models import Invitation, Round, RoundStatus
from surveys.services import mail as mail_service
from tests.i18n.catalogues import translated_languages
from tests.i18n.conftest import WORK_PLACE, names_that_stay
from tests.i18n.pages import english_left, segments
from tests.surveys.factories import valid_answers

pytestmark = pytest.mark.django_db
LANGUAGES = translated_languages()


def _get(client, link, language, **extra):
    response = client.get(f"{link}?lang={language}", **extra)
    assert response.status_code in (200, 410), response.status_code
    assert response["Content-Language"] == language
    return response.content.decode()


def _answers(round_, email):
    invitation = Invitation.objects.get(round=round_, person__email=email)
    return valid_answers(round_, invitation.team_id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_survey_page_is_fully_translated(client, tenant_a, every_kind, language):
    round_, links = every_kind
    data = names_that_stay(tenant_a)
    pages = {}
    english_link, other_link = links["p2@alpha.example"], links["manager.person@alpha.example"]  # both in "Team"
    for code, link in (("en", english_link), (language, other_link)):
        pages[("answer", code)] = _get(client, link, code)
        pages[("errors", code)] = client.post(link, {"lang": code}).content.decode()  # nothing answered
        email = "p2@alpha.example" if code == "en" else "manager.person@alpha.example"
        pages[("thanks", code)] = client.post(link, {**_answers(round_, email), "lang": code}).content.decode()
        pages[("already answered", code)] = _get(client, link, code)
    Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED)
    pages[("closed", "en")] = _get(client, links["p0@alpha.example"], "en")
    pages[("closed", language)] = _get(client, links["p0@alpha.example"], language)
    pages[("no such link", "en")] = client.get("/s/" + "x" * 32 + "/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    pages[("no such link", language)] = client.get(
        "/s/" + "x" * 32 + "/", HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert "This question needs an answer." in pages[("errors", "en")]
    assert "Thank you!" in pages[("thanks", "en")]
    for page in ("answer", "errors", "thanks", "already answered", "closed", "no such link"):
        english, translated = pages[(page, "en")], pages[(page, language)]
        assert f'<html lang="{language}">' in translated or page == "no such link"
        assert english_left(english, translated, language, data=data) == [], f"{page} in {language}"
        assert segments(english) != segments(translated), page


@pytest.mark.parametrize("language", LANGUAGES)
def test_invitation_and_reminder_are_fully_translated(tenant_a, every_kind, language):
    round_, _links = every_kind
    data = [*names_that_stay(tenant_a), mail_service.privacy_url("t" * 32), mail_service.survey_url("t" * 32)]
    invitation = Invitation.objects.select_related("person", "round__survey", "organization").get(
        round=round_, person__email="p2@alpha.example"
    )
    for reminder in (False, True):
        Person.objects.filter(pk=invitation.person_id).update(language="en")
        invitation.person.language = "en"
        english = mail_service.build_message(invitation, "t" * 32, reminder=reminder, minutes=3)
        invitation.person.language = language
        translated = mail_service.build_message(invitation, "t" * 32, reminder=reminder, minutes=3)
        assert translated.extra_headers["Content-Language"] == language
        assert english_left(english.subject, translated.subject, language, data=data) == []
        assert translated.subject != english.subject
        assert english_left(english.body, translated.body, language, data=data) == [], f"text, {language}"
        html_en, html_xx = english.alternatives[0][0], translated.alternatives[0][0]
        assert english_left(html_en, html_xx, language, data=data) == [], f"html, {language}"
        assert f'<html lang="{language}">' in html_xx


def test_the_page_is_in_the_persons_language_without_asking(client, tenant_a, every_kind):
    _round, links = every_kind
    Person.objects.filter(organization=tenant_a.org, email="p2@alpha.example").update(language="ja")
    page = client.get(links["p2@alpha.example"], HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="ja">' in page
    assert "回答を送信する" in page and "会社の現在の最優先事項が何かを知っています。" in page
    assert WORK_PLACE["ja"][1][0] in page  # the custom question's own translation


def test_a_person_without_a_language_gets_the_organizations_default(client, tenant_a, every_kind):
    _round, links = every_kind
    Organization.objects.filter(pk=tenant_a.org.pk).update(default_language="de")
    page = client.get(links["p2@alpha.example"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="de">' in page and "Antworten senden" in page


def test_a_language_the_organization_turned_off_falls_back_to_its_default(client, tenant_a, every_kind):
    _round, links = every_kind
    Organization.objects.filter(pk=tenant_a.org.pk).update(default_language="fr", languages=["fr", "de"])
    Person.objects.filter(organization=tenant_a.org, email="p2@alpha.example").update(language="ja")
    page = client.get(links["p2@alpha.example"]).content.decode()
    assert '<html lang="fr">' in page
    nobody = client.get(links["p2@alpha.example"] + "?lang=it").content.decode()
    assert '<html lang="fr">' in nobody  # the switch offers only enabled languages
    assert 'hreflang="de"' in page and 'hreflang="it"' not in page and 'hreflang="ja"' not in page


def test_the_switch_keeps_the_same_form_and_links_to_every_other_language(client, tenant_a, every_kind):
    """Field names and values do not depend on the language, so the draft in the browser fits every one."""
    _round, links = every_kind
    link = links["p2@alpha.example"]
    english = client.get(link + "?lang=en").content.decode()
    german = client.get(link + "?lang=de").content.decode()

    def fields(html):
        import re

        return sorted(set(re.findall(r'name="(q\d+[^"]*)" value="([^"]*)"', html))), sorted(
            set(re.findall(r'<select id="[^"]+" name="(q[^"]+)"', html))
        )

    assert fields(english) == fields(german)
    assert 'data-draft-key="peakos-survey-' in german
    for code in ("en", "fr", "es", "pt-br", "nl", "it", "ja"):
        assert f'href="?lang={code}" hreflang="{code}"' in german
    assert 'name="lang" value="de"' in german  # the submit answers in the language shown


def test_a_submit_in_one_language_answers_in_it(client, tenant_a, every_kind):
    round_, links = every_kind
    link = links["p2@alpha.example"]
    bad = client.post(link, {"lang": "nl"})
    assert '<html lang="nl">' in bad.content.decode() and "Deze vraag moet je beantwoorden." in bad.content.decode()
    done = client.post(link, {**_answers(round_, "p2@alpha.example"), "lang": "nl"})
    assert "Bedankt!" in done.content.decode()


def test_dates_and_numbers_are_written_the_languages_way(client, tenant_a, every_kind):
    round_, links = every_kind
    link = links["p2@alpha.example"]
    german = client.get(link + "?lang=de").content.decode()
    japanese = client.get(link + "?lang=ja").content.decode()
    french = client.get(link + "?lang=fr").content.decode()
    closes = round_.closes_at
    from django.utils import translation

    from peakos.i18n import format_datetime

    with translation.override("de"):
        assert f"geöffnet bis {format_datetime(closes)}" in german
        assert (
            format_datetime(closes).count(".") == 1 and closes.strftime("%H:%M") in german
        )  # "Montag, 3. März, 14:00"
    with translation.override("ja"):
        assert f"{closes.month}月{closes.day}日(" in format_datetime(closes)
        assert f"{format_datetime(closes)}（UTC）まで回答できます" in japanese
    assert "Bis zu 5.000 Zeichen." in german and "5,000文字まで。" in japanese
    assert "Jusqu’à 5\u202f000 caractères." in french or "Jusqu’à 5\u00a0000 caractères." in french
    mail.outbox.clear()
