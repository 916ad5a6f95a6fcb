"""/o/<org>/surveys/new/: scheduling a pulse."""

from datetime import date, timedelta

import pytest

from surveys.bank import TEMPLATES
from surveys.models import Survey, SurveyQuestion


def _post(tenant, **changes):
    data = {
        "name": "Team pulse",
        "questions": list(TEMPLATES["alignment-pulse"][1]),
        "audience": "organization",
        "cadence": "biweekly",
        "open_days": "5",
        "reminder_days": "2, 4",
        "start_date": (date.today() + timedelta(days=3)).isoformat(),
        "send_hour": "9",
    }
    data.update(changes)
    return data


def test_a_template_prefills_the_form(as_role, tenant_a):
    page = as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/new/?template=alignment-pulse").content.decode()
    assert 'value="Alignment pulse"' in page
    assert page.count("checked") >= 8


def test_admin_schedules_a_survey(as_role, tenant_a):
    response = as_role("admin").post(f"/o/{tenant_a.org.slug}/surveys/new/", _post(tenant_a))
    survey = Survey.objects.get(name="Team pulse")
    assert response.status_code == 302 and response.url.endswith(f"/surveys/{survey.id}/")
    assert survey.reminder_days == [2, 4] and survey.next_run_at is not None
    keys = list(SurveyQuestion.objects.filter(survey=survey).values_list("question__key", flat=True))
    assert keys == TEMPLATES["alignment-pulse"][1]


def test_a_team_audience_needs_teams(as_role, tenant_a):
    page = as_role("admin").post(f"/o/{tenant_a.org.slug}/surveys/new/", _post(tenant_a, audience="teams")).content
    assert "Choose at least one of your teams." in page.decode()
    assert not Survey.objects.exists()


def test_bad_settings_come_back_with_messages(as_role, tenant_a):
    response = as_role("admin").post(
        f"/o/{tenant_a.org.slug}/surveys/new/", _post(tenant_a, cadence="weekly", open_days="10", reminder_days="12")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "rounds never overlap" in page and "Reminders go out between day 1" in page
    assert not Survey.objects.exists()


def test_another_organizations_team_is_not_a_choice(as_role, tenant_a, tenant_b):
    response = as_role("admin").post(
        f"/o/{tenant_a.org.slug}/surveys/new/", _post(tenant_a, audience="teams", audience_teams=[tenant_b.team.id])
    )
    assert "is not one of the available choices" in response.content.decode()
    assert not Survey.objects.exists()


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_only_those_who_manage_schedule_surveys(as_role, tenant_a, role):
    assert as_role(role).post(f"/o/{tenant_a.org.slug}/surveys/new/", _post(tenant_a)).status_code == 403
    assert not Survey.objects.exists()
