"""Bad input on the answering page: the form comes back with messages, nothing is saved."""

import pytest

from surveys.models import Answer, Question, Response, SubmissionGuard
from tests.surveys.factories import valid_answers


@pytest.fixture
def answers(open_round, invitation):
    return valid_answers(open_round, invitation.team_id)


def _field(key):
    return f"q{Question.objects.get(key=key, active=True).id}"


def _nothing_saved(invitation):
    invitation.refresh_from_db()
    assert not invitation.answered
    assert not Response.objects.exists() and not Answer.objects.exists()
    assert not SubmissionGuard.objects.exists()


def _post(client, link, data):
    response = client.post(link, data)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("key", "value"),
    [("alignment-why", "6"), ("alignment-why", "0"), ("enps", "11"), ("enps", "-1"), ("alignment-why", "four")],
)
def test_out_of_range_values_are_refused(client, link, invitation, answers, key, value):
    answers[_field(key)] = value
    page = _post(client, link, answers)
    assert "Please check 1 question below." in page
    assert "Choose" in page
    _nothing_saved(invitation)


def test_answers_to_unknown_questions_are_refused(client, link, invitation, answers):
    answers["q999999"] = "3"
    page = _post(client, link, answers)
    assert "questions that are not in this survey" in page
    _nothing_saved(invitation)


def test_an_unknown_team_or_priority_is_refused(client, link, invitation, answers, tenant_b):
    pick = _field("priority-pick")
    answers[f"{pick}_r1"] = "987654"
    page = _post(client, link, answers)
    assert "Choose priorities from the list." in page
    _nothing_saved(invitation)


def test_a_missing_required_answer_is_refused_and_the_other_answers_are_kept(client, link, invitation, answers):
    del answers[_field("alignment-success")]
    page = _post(client, link, answers)
    assert "This question needs an answer." in page
    # What was answered comes back checked.
    assert 'value="4" checked' in page
    _nothing_saved(invitation)


def test_optional_questions_may_be_left_empty(client, link, invitation, answers):
    del answers[_field("comment")]
    assert "Thank you" in _post(client, link, answers)
    assert not Answer.objects.filter(question__key="comment").exists()


def test_a_comment_over_5000_characters_is_refused(client, link, invitation, answers):
    answers[_field("comment")] = "x" * 5001
    page = _post(client, link, answers)
    assert "under 5,000 characters" in page
    _nothing_saved(invitation)


def test_html_in_a_comment_is_stored_as_text_and_escaped_when_shown(client, link, invitation, answers):
    answers[_field("comment")] = "<script>alert(1)</script> <b>bold</b>"
    answers[_field("alignment-why")] = "9"  # make the form come back
    page = _post(client, link, answers)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    answers[_field("alignment-why")] = "4"
    assert "Thank you" in _post(client, link, answers)
    assert Answer.objects.get(question__key="comment").text == "<script>alert(1)</script> <b>bold</b>"


def test_picking_the_same_priority_twice_is_refused(client, link, invitation, answers):
    pick = _field("priority-pick")
    answers[f"{pick}_r2"] = answers[f"{pick}_r1"]
    assert "Pick each priority only once." in _post(client, link, answers)
    _nothing_saved(invitation)


def test_ranks_must_be_filled_in_order(client, link, invitation, answers):
    pick = _field("priority-pick")
    del answers[f"{pick}_r1"]
    page = _post(client, link, answers)
    assert "Fill the ranks in order" in page
    _nothing_saved(invitation)
