"""/o/<org>/surveys/<id>/: the survey, its rounds, pause/resume and "open a round now"."""

import pytest
from django.core import mail

from surveys.models import Round
from tests.surveys.factories import make_survey


def test_admin_sees_schedule_questions_and_audience(as_role, tenant_a, survey):
    page = as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/").content.decode()
    assert "Every two weeks" in page and "reminders on day" not in page
    assert "I understand why these priorities were chosen." in page
    assert "Open a round now" in page and "Preview as an employee" in page


def test_open_a_round_now_sends_the_invitations(as_role, tenant_a, survey, django_capture_on_commit_callbacks):
    client = as_role("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/open-now/")
    round = Round.objects.get(survey=survey)
    assert response.url.endswith(f"/surveys/rounds/{round.id}/")
    assert len(mail.outbox) == 6
    # A second round cannot open while this one is open.
    client.post(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/open-now/")
    assert Round.objects.filter(survey=survey).count() == 1


def test_pause_and_resume(as_role, tenant_a, survey):
    client = as_role("admin")
    client.post(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/active/", {"active": "0"})
    survey.refresh_from_db()
    assert not survey.active and survey.next_run_at is None
    client.post(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/active/", {"active": "1"})
    survey.refresh_from_db()
    assert survey.active and survey.next_run_at is not None


def test_pausing_needs_post(as_role, tenant_a, survey):
    assert as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/active/").status_code == 405


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_only_those_who_manage_see_or_open_rounds(as_role, tenant_a, survey, role):
    client = as_role(role)
    assert client.get(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/").status_code == 403
    assert client.post(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/open-now/").status_code == 403
    assert not Round.objects.exists()


def test_another_organizations_survey_is_not_found(as_role, tenant_a, tenant_b):
    other = make_survey(tenant_b)
    client = as_role("owner")
    assert client.get(f"/o/{tenant_a.org.slug}/surveys/{other.id}/").status_code == 404
    assert client.post(f"/o/{tenant_a.org.slug}/surveys/{other.id}/open-now/").status_code == 404
    assert not Round.objects.exists()
