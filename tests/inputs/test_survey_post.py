"""The answering page with nasty posts: the page again with a specific message, nothing stored."""

import pytest

from surveys.models import Answer, Question
from surveys.services import guard
from tests.inputs.conftest import FIFTY_MB, PNG, utf16
from tests.surveys.factories import valid_answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def answers(open_round, invitation):
    return valid_answers(open_round, invitation.team_id)


def comment_field():
    return f"q{Question.objects.get(key='comment', active=True).id}"


def not_used(invitation):
    assert not guard.has_answered(invitation)


def test_a_nul_in_the_comment_is_refused_and_shown_again_without_it(client, link, invitation, answers, unchanged):
    answers[comment_field()] = "Good\x00 team"
    with unchanged():
        response = client.post(link, answers)
    assert response.status_code == 200
    page = response.content.decode()
    assert "invisible character that cannot be saved (NUL)" in page
    assert "Good team" in page and "\x00" not in page  # sending the page again just works
    not_used(invitation)
    answers[comment_field()] = "Good team"
    assert "Thank you" in client.post(link, answers).content.decode()
    assert Answer.objects.get(question__key="comment").text == "Good team"


def test_the_nul_message_is_in_the_persons_language(client, link, invitation, answers, unchanged):
    answers[comment_field()] = "\x00"
    answers["lang"] = "de"
    with unchanged():
        page = client.post(f"{link}?lang=de", answers).content.decode()
    assert "unsichtbares Zeichen" in page


def test_a_lone_surrogate_cannot_arrive_in_a_form_body(client, link, invitation, answers):
    """Django decodes form bodies with replacement: %ED%A0%80 (a UTF-8-encoded surrogate) is three U+FFFD."""
    answers[comment_field()] = "x"
    body = "&".join(f"{k}={v}" for k, v in answers.items()).replace(
        f"{comment_field()}=x", f"{comment_field()}=%ED%A0%80"
    )
    response = client.generic("POST", link, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert Answer.objects.get(question__key="comment").text == "\ufffd" * 3


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (PNG, "application/x-www-form-urlencoded"),
        (PNG, "image/png"),
        (utf16("q1=4&q2=4"), "application/x-www-form-urlencoded"),
        (b"", "application/x-www-form-urlencoded"),
        (b"%00=%00&\x00", "application/x-www-form-urlencoded"),
    ],
    ids=["png-as-form", "png", "utf-16", "empty", "nul-names"],
)
def test_bodies_that_are_not_answers_ask_for_the_answers(client, link, invitation, body, content_type, unchanged):
    with unchanged():
        response = client.generic("POST", link, body, content_type=content_type)
    assert response.status_code == 200
    assert "This question needs an answer." in response.content.decode()
    not_used(invitation)


def test_a_50_mb_post_is_a_413_page_that_says_so(client, link, invitation, answers, unchanged):
    answers[comment_field()] = "x" * FIFTY_MB
    with unchanged():
        response = client.post(link, answers)
    assert response.status_code == 413
    assert "larger than the 2.5 MB a form may send, so nothing was saved" in response.content.decode()
    not_used(invitation)
