"""The answering page in a browser at 390 px: drafts survive a reload, keyboard works,
progress is shown; and screenshots of the page and the e-mail for people to look at."""

import pytest

from surveys.models import Invitation, Question
from surveys.services import mail as mail_service
from surveys.services import submit
from tests.surveys.factories import ALIGNMENT_PULSE, link_for, make_survey, open_now, with_priorities_and_dependencies

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def survey_link(tenant_a):
    with_priorities_and_dependencies(tenant_a)
    survey = make_survey(tenant_a, keys=[*ALIGNMENT_PULSE[:5], "rate-teams", *ALIGNMENT_PULSE[5:]])
    round = open_now(survey)
    invitation = Invitation.objects.get(round=round, person__email="p2@alpha.example")
    return invitation, link_for(invitation)


def _qid(key):
    return Question.objects.get(key=key, active=True).id


@pytest.mark.django_db(transaction=True)
def test_answering_on_a_phone_keeps_a_draft_and_submits_once(page, live_server, survey_link, screenshot):
    invitation, link = survey_link
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + link)
    assert page.locator("h1").inner_text() == "Alignment pulse"
    screenshot(page, "survey-answer-390")

    why = _qid("alignment-why")
    page.click(f"label[for=q{_qid('alignment-priorities')}_4]")
    # Keyboard: focus a radio and move with the arrow keys.
    page.focus(f"#q{why}_3")
    page.keyboard.press("ArrowRight")
    assert page.is_checked(f"#q{why}_4")
    page.fill(f"#q{_qid('comment')}_text", "More context on <b>why</b>, please.")
    assert page.locator("[data-progress-text]").inner_text().startswith("3 of 9 answered")

    page.reload()
    assert page.is_checked(f"#q{_qid('alignment-priorities')}_4")
    assert page.is_checked(f"#q{why}_4")
    assert page.input_value(f"#q{_qid('comment')}_text") == "More context on <b>why</b>, please."

    for key in ("alignment-connections", "alignment-success", "alignment-tradeoffs"):
        page.click(f"label[for=q{_qid(key)}_5]")
    page.click(f"label[for=q{_qid('enps')}_9]")
    page.click(f"label[for=q{_qid('rate-teams')}_t{invitation.team.depends_on.first().to_team_id}_4]")
    pick = _qid("priority-pick")
    page.select_option(f"#q{pick}_r1", index=2)
    page.select_option(f"#q{pick}_r2", index=1)
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "survey-answer-filled-390")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Thank you!")
    screenshot(page, "survey-thanks-390")
    drafts = page.evaluate("Object.keys(window.localStorage).filter(k => k.startsWith('peakos-survey'))")
    assert drafts == []
    assert submit.has_answered(invitation)

    page.goto(live_server.url + link)
    assert page.locator("h1").inner_text() == "You already answered"


@pytest.mark.django_db(transaction=True)
def test_every_choice_is_labelled_for_screen_readers(page, live_server, survey_link):
    _, link = survey_link
    page.goto(live_server.url + link)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input[type=radio], select, textarea')]
            .filter(el => !el.labels || el.labels.length === 0).map(el => el.name)"""
    )
    assert unlabelled == []
    groups = page.evaluate("() => [...document.querySelectorAll('fieldset')].every(f => f.querySelector('legend'))")
    assert groups


@pytest.mark.django_db(transaction=True)
def test_the_email_on_a_phone(page, survey_link, screenshot):
    invitation, _ = survey_link
    message = mail_service.build_message(invitation, "EXAMPLE-TOKEN-" + "x" * 20, reminder=False, minutes=3)
    page.set_viewport_size(PHONE)
    page.set_content(message.alternatives[0][0])
    assert "Answer the survey" in page.content()
    screenshot(page, "survey-email-390")
