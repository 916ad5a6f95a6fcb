"""/o/<org>/surveys/<id>/edit/: changes apply to future rounds and are audited."""

import pytest

from peakos.models import AuditEvent
from tests.surveys.factories import make_survey, open_now


def _data(survey, **changes):
    data = {
        "name": survey.name,
        "questions": ["alignment-priorities", "enps"],
        "audience": "organization",
        "cadence": survey.cadence,
        "open_days": str(survey.open_days),
        "reminder_days": "",
        "start_date": survey.start_date.isoformat(),
        "send_hour": str(survey.send_hour),
    }
    data.update(changes)
    return data


def test_the_form_shows_the_current_settings(as_role, tenant_a, survey):
    page = as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/edit/").content.decode()
    assert 'value="Alignment pulse"' in page and "Save changes" in page


def test_editing_after_answers_leaves_the_open_round_alone_and_is_audited(as_role, tenant_a, survey):
    round = open_now(survey)
    round.__class__.objects.filter(pk=round.pk).update(frozen_at=round.opens_at)
    url = f"/o/{tenant_a.org.slug}/surveys/{survey.id}/edit/"
    response = as_role("admin").post(url, _data(survey, audience="teams", audience_teams=[tenant_a.team.id]))
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="survey.update")
    assert "applies to future rounds" in event.summary
    assert round.questions.count() == 8 and round.invitations.count() == 6


@pytest.mark.parametrize("role", ["leader", "member"])
def test_only_those_who_manage_edit(as_role, tenant_a, survey, role):
    assert as_role(role).post(f"/o/{tenant_a.org.slug}/surveys/{survey.id}/edit/", _data(survey)).status_code == 403


def test_another_organizations_survey_is_not_found(as_role, tenant_a, tenant_b):
    other = make_survey(tenant_b)
    assert as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/{other.id}/edit/").status_code == 404
