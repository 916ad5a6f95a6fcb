"""/o/<org>/surveys/<id>/preview/: exactly the employee's page, saving nothing."""

import pytest

from surveys.models import Response
from tests.surveys.factories import make_survey


def test_the_preview_is_the_employee_page_with_a_banner(as_role, tenant_a, survey, client, link):
    preview = as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/preview/").content.decode()
    assert "This is exactly what employees see" in preview
    assert "Question 8 of 8" in preview and "Your privacy, in plain words" in preview
    assert "js/survey.js" in preview


def test_the_preview_checks_answers_but_saves_nothing(as_role, tenant_a, survey):
    client = as_role("admin")
    page = client.post(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/preview/", {}).content.decode()
    assert "This question needs an answer." in page
    assert not Response.objects.exists()


@pytest.mark.parametrize("role", ["leader", "member"])
def test_only_those_who_manage_preview(as_role, tenant_a, survey, role):
    assert as_role(role).get(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/preview/").status_code == 403


def test_another_organizations_survey_cannot_be_previewed(as_role, tenant_a, tenant_b):
    other = make_survey(tenant_b)
    assert as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/{other.id}/preview/").status_code == 404
