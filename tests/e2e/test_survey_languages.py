"""The answering page in German and Japanese on a phone (390 px): the page, its script's
messages and the numbers are in the person's language; switching language keeps the draft;
screenshots for people to look at (screenshots/survey-de-390.png, survey-ja-390.png)."""

import pytest

from peakos.models import Person
from surveys.models import Invitation, Question
from tests.surveys.factories import ALIGNMENT_PULSE, link_for, make_survey, open_now, with_priorities_and_dependencies

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def survey_link(tenant_a):
    with_priorities_and_dependencies(tenant_a)
    Person.objects.filter(organization=tenant_a.org, email="p2@alpha.example").update(language="de")
    survey = make_survey(tenant_a, keys=[*ALIGNMENT_PULSE[:5], "rate-teams", *ALIGNMENT_PULSE[5:]])
    round = open_now(survey)
    return link_for(Invitation.objects.get(round=round, person__email="p2@alpha.example"))


def _qid(key):
    return Question.objects.get(key=key, active=True).id


@pytest.mark.django_db(transaction=True)
def test_a_german_speaker_answers_switches_to_japanese_and_keeps_the_draft(page, live_server, survey_link, screenshot):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + survey_link)
    assert page.get_attribute("html", "lang") == "de"
    assert page.locator("button[type=submit]").inner_text() == "Antworten senden"
    assert page.locator("[data-progress-text]").inner_text() == "0 von 9 beantwortet · noch 7 Pflichtfragen offen"
    screenshot(page, "survey-de-390")

    page.click(f"label[for=q{_qid('alignment-priorities')}_4]")
    page.fill(f"#q{_qid('comment')}_text", "Mehr Kontext, bitte.")
    assert page.locator("[data-progress-text]").inner_text() == "2 von 9 beantwortet · noch 6 Pflichtfragen offen"
    assert page.locator(f"#q{_qid('comment')}-count").inner_text() == "Noch 4.980 Zeichen."

    page.click("details.survey-lang > summary")
    screenshot(page, "survey-de-language-switch-390", full_page=False)
    page.click("a[hreflang=ja]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "ja"
    assert page.is_checked(f"#q{_qid('alignment-priorities')}_4")  # the draft came along
    assert page.input_value(f"#q{_qid('comment')}_text") == "Mehr Kontext, bitte."
    assert page.locator("[data-progress-text]").inner_text() == "9問中2問に回答済み · 必須の質問があと6問"
    assert page.locator(f"#q{_qid('comment')}-count").inner_text() == "残り4,980文字。"
    assert page.locator("button[type=submit]").inner_text() == "回答を送信する"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "survey-ja-390")


@pytest.mark.django_db(transaction=True)
def test_the_japanese_page_has_no_horizontal_scroll_on_a_phone(page, live_server, survey_link):
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + survey_link + "?lang=ja")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The switch sits at the end of the line (inline-end), inside the page.
    box = page.locator("details.survey-lang > summary").bounding_box()
    assert PHONE["width"] - 40 < box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.django_db(transaction=True)
def test_a_user_changes_the_language_in_the_account_menu(page, live_server, tenant_a, screenshot):
    from tests.e2e.conftest import browser_login

    tenant_a.users["member"].set_password("pw-for-e2e-1")
    tenant_a.users["member"].save()
    browser_login(page, live_server, "member@alpha.example", "pw-for-e2e-1")
    page.click("details.usermenu > summary")
    page.select_option("#account-language", "de")
    screenshot(page, "account-language-chooser", full_page=False)
    page.click(".language-chooser button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "de"
    page.click("details.usermenu > summary")
    assert page.locator(".usermenu button.linklike").inner_text() == "Abmelden"
