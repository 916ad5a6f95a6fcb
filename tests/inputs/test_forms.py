"""The main forms with nasty input: the form again with the field's message, nothing written.

Django's form fields refuse NUL ("Null characters are not allowed."); a lone surrogate cannot
arrive in a form body (Django decodes it as U+FFFD); lengths are the model's.
"""

import pytest
from django.urls import reverse

from peakos.models import Layer, PriorityLevel, TeamKind
from tests.inputs.conftest import LONG_EMAIL

pytestmark = pytest.mark.django_db


def person(tenant, **fields):
    return {"email": "new.person@alpha.example", "name": "New Person", "layer": Layer.INDIVIDUAL, **fields}


def page(response, status=200) -> str:
    assert response.status_code == status
    return response.content.decode()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"name": "New\x00Person"}, "Null characters are not allowed."),
        ({"email": "new\x00@alpha.example"}, "Null characters are not allowed."),
        ({"attributes": "desk: 3\x00"}, "Null characters are not allowed."),
        ({"email": LONG_EMAIL}, "at most 254 characters (it has 255)"),
        ({"name": "x" * 201}, "at most 200 characters (it has 201)"),
    ],
)
def test_the_person_form_refuses_what_cannot_be_stored(as_role, tenant_a, unchanged, fields, expected):
    client = as_role("admin")
    url = reverse("manage_person_new", args=[tenant_a.org.slug])
    with unchanged():
        assert expected in page(client.post(url, person(tenant_a, **fields)))


def test_the_team_form_refuses_a_nul(as_role, tenant_a, unchanged):
    client = as_role("admin")
    with unchanged():
        text = page(
            client.post(reverse("manage_teams", args=[tenant_a.org.slug]), {"name": "Ops\x00", "kind": TeamKind.TEAM})
        )
    assert "Null characters are not allowed." in text


def test_the_priority_form_refuses_a_nul(as_role, tenant_a, unchanged):
    client = as_role("admin")
    data = {"title": "Grow\x00", "level": PriorityLevel.COMPANY, "period": "2026", "rank": "1", "description": ""}
    with unchanged():
        text = page(client.post(reverse("manage_priorities", args=[tenant_a.org.slug]), data))
    assert "Null characters are not allowed." in text


def test_the_question_form_refuses_a_nul(as_role, tenant_a, unchanged):
    client = as_role("admin")
    data = {"text": "How are\x00 you?", "dimension": "alignment", "kind": "likert5", "options": ""}
    with unchanged():
        text = page(client.post(reverse("survey_question_create", args=[tenant_a.org.slug]), data))
    assert "Null characters are not allowed." in text


def test_a_form_body_over_django_s_limit_is_a_413_page(as_role, tenant_a, unchanged):
    client = as_role("admin")
    url = reverse("manage_person_new", args=[tenant_a.org.slug])
    with unchanged():
        text = page(client.post(url, person(tenant_a, attributes="x" * (3 * 1024 * 1024))), 413)
    assert "nothing was saved" in text
