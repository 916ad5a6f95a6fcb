"""/o/<org>/surveys/questions/: the bank, the organization's own questions, editing."""

import pytest

from surveys.models import Answer, Question, Response
from surveys.services import questions as services
from tests.surveys.factories import make_survey, open_now


def test_the_bank_is_listed_by_dimension(as_role, tenant_a):
    page = as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/questions/").content.decode()
    for heading in ("Alignment", "Team health", "Decision velocity", "eNPS", "Rate a team", "Open comment"):
        assert heading in page


def test_admin_adds_a_question(as_role, tenant_a):
    response = as_role("admin").post(
        f"/o/{tenant_a.org.slug}/surveys/questions/new/",
        {
            "text": "I know who decides on pricing.",
            "dimension": "decision_velocity",
            "kind": "likert5",
            "required": "on",
        },
    )
    assert response.status_code == 302
    assert Question.objects.get(text="I know who decides on pricing.").key.startswith("org-")


def test_a_wrong_kind_comes_back_with_a_message(as_role, tenant_a):
    page = as_role("admin").post(
        f"/o/{tenant_a.org.slug}/surveys/questions/new/",
        {"text": "How likely…", "dimension": "enps", "kind": "likert5"},
    )
    assert "is of kind" in page.content.decode()
    assert not Question.objects.exists()


def test_editing_a_bank_question_copies_it_then_edits(as_role, tenant_a):
    client = as_role("admin")
    response = client.post(f"/o/{tenant_a.org.slug}/surveys/questions/from-bank/", {"key": "alignment-why"})
    question = Question.objects.get(key="alignment-why")
    assert response.url.endswith(f"/questions/{question.id}/edit/")


def test_rewording_an_answered_question_says_a_new_version_was_made(as_role, tenant_a):
    round = open_now(make_survey(tenant_a, keys=["alignment-why"]))
    q = Question.objects.get(key="alignment-why")
    r = Response.objects.create(organization=tenant_a.org, round=round, submitted_on="2026-01-05")
    Answer.objects.create(organization=tenant_a.org, response=r, question=q, value=3)
    response = as_role("admin").post(
        f"/o/{tenant_a.org.slug}/surveys/questions/{q.id}/edit/",
        {"text": "I understand the reasons for our priorities.", "required": "on"},
        follow=True,
    )
    assert "Saved as version 2" in response.content.decode()
    assert Question.objects.filter(key="alignment-why").count() == 2


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_only_those_who_manage_edit_questions(as_role, tenant_a, role):
    (q,) = services.ensure_questions(organization=tenant_a.org, keys=["enps"])
    client = as_role(role)
    assert client.get(f"/o/{tenant_a.org.slug}/surveys/questions/").status_code == 403
    assert client.post(f"/o/{tenant_a.org.slug}/surveys/questions/{q.id}/edit/", {"text": "x"}).status_code == 403


def test_another_organizations_question_is_not_found(as_role, tenant_a, tenant_b):
    (q,) = services.ensure_questions(organization=tenant_b.org, keys=["enps"])
    assert as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/questions/{q.id}/edit/").status_code == 404
