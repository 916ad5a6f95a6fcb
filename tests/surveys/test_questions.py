"""Organization questions: copies of the bank, custom questions, and versions."""

import pytest
from django.core.exceptions import ValidationError

from peakos.models import AuditEvent
from surveys.models import Answer, Question, Response, RoundQuestion, SurveyQuestion
from surveys.services import questions as services
from tests.surveys.factories import make_survey, open_now


def test_using_a_bank_question_copies_it_once(tenant_a):
    first = services.ensure_questions(organization=tenant_a.org, keys=["alignment-why"])
    again = services.ensure_questions(organization=tenant_a.org, keys=["alignment-why"])
    assert first == again
    assert first[0].version == 1 and first[0].from_bank


def test_unknown_question_keys_are_refused(tenant_a):
    with pytest.raises(ValidationError):
        services.ensure_questions(organization=tenant_a.org, keys=["no-such-question"])


def test_an_organization_adds_its_own_question(tenant_a):
    q = services.create_question(
        organization=tenant_a.org,
        actor=tenant_a.users["admin"],
        dimension="communication",
        kind="single_choice",
        text="Where do you hear about decisions first?",
        options=["My manager", "All-hands", "Slack", ""],
    )
    assert q.key.startswith("org-where-do-you-hear")
    assert q.options == ["My manager", "All-hands", "Slack"]
    assert AuditEvent.objects.filter(action="question.create").exists()


@pytest.mark.parametrize(
    ("dimension", "kind", "options"),
    [("enps", "likert5", []), ("alignment", "rate_team", []), ("communication", "single_choice", ["only one"])],
)
def test_inconsistent_questions_are_refused(tenant_a, dimension, kind, options):
    with pytest.raises(ValidationError):
        services.create_question(
            organization=tenant_a.org, actor=None, dimension=dimension, kind=kind, text="Q?", options=options
        )


def test_editing_a_question_without_answers_changes_it_in_place(tenant_a):
    (q,) = services.ensure_questions(organization=tenant_a.org, keys=["alignment-why"])
    edited = services.edit_question(question=q, actor=None, text="I know why we chose these priorities.", required=True)
    assert edited.pk == q.pk and edited.version == 1
    assert edited.text == "I know why we chose these priorities."


def _answer(round, question):
    response = Response.objects.create(organization=round.organization, round=round, submitted_on="2026-01-05")
    Answer.objects.create(organization=round.organization, response=response, question=question, value=4)


def test_editing_the_wording_of_an_answered_question_creates_a_new_version(tenant_a):
    survey = make_survey(tenant_a, keys=["alignment-why", "enps"])
    round = open_now(survey)
    old = Question.objects.get(key="alignment-why", active=True)
    _answer(round, old)

    new = services.edit_question(
        question=old, actor=None, text="I understand the reasons behind our priorities.", required=True
    )

    old.refresh_from_db()
    assert (new.key, new.version, new.active) == ("alignment-why", 2, True)
    assert not old.active and old.text.startswith("I understand why")
    # The survey asks the new wording from now on; the round keeps what it asked.
    assert SurveyQuestion.objects.filter(survey=survey, question=new).exists()
    assert RoundQuestion.objects.filter(round=round, question=old).exists()
    assert AuditEvent.objects.filter(action="question.new_version").exists()


def test_changing_only_the_required_flag_keeps_the_version(tenant_a):
    round = open_now(make_survey(tenant_a, keys=["alignment-why"]))
    q = Question.objects.get(key="alignment-why")
    _answer(round, q)
    edited = services.edit_question(question=q, actor=None, text=q.text, required=False)
    assert edited.pk == q.pk and not edited.required


def test_an_old_version_cannot_be_edited(tenant_a):
    round = open_now(make_survey(tenant_a, keys=["alignment-why"]))
    q = Question.objects.get(key="alignment-why")
    _answer(round, q)
    services.edit_question(question=q, actor=None, text="New wording.", required=True)
    q.refresh_from_db()
    with pytest.raises(ValidationError):
        services.edit_question(question=q, actor=None, text="Another wording.", required=True)
