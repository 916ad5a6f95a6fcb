"""Survey setup: questions, audience, cadence and schedule (services)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from peakos.models import AuditEvent
from surveys.models import Round, SurveyQuestion
from surveys.services import setup
from tests.factories import TeamFactory
from tests.surveys.factories import make_survey, open_now


def test_a_survey_from_the_alignment_template_keeps_its_order(tenant_a):
    survey = make_survey(tenant_a, keys=setup.template_keys("alignment-pulse"))
    keys = list(SurveyQuestion.objects.filter(survey=survey).values_list("question__key", flat=True))
    assert keys == setup.template_keys("alignment-pulse")


def test_the_first_round_is_scheduled_at_the_send_hour_in_the_organizations_time_zone(tenant_a):
    tenant_a.org.timezone = "Europe/Berlin"
    tenant_a.org.save()
    survey = make_survey(tenant_a, start_date=date(2031, 1, 6), send_hour=9)
    assert survey.next_run_at == datetime(2031, 1, 6, 8, 0, tzinfo=UTC)  # 09:00 CET


@pytest.mark.parametrize(
    ("cadence", "k", "expected"),
    [
        ("weekly", 2, date(2031, 1, 15)),
        ("biweekly", 1, date(2031, 1, 15)),
        ("monthly", 1, date(2031, 2, 28)),  # 31 January + 1 month is clamped
        ("quarterly", 1, date(2031, 4, 30)),
    ],
)
def test_cadences_step_from_the_start_date(tenant_a, cadence, k, expected):
    start = date(2031, 1, 1) if cadence in ("weekly", "biweekly") else date(2031, 1, 31)
    survey = make_survey(tenant_a, cadence=cadence, start_date=start, open_days=5)
    assert setup.run_time(survey, k).date() == expected


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"keys": []}, "questions"),
        ({"cadence": "weekly", "open_days": 8}, "open_days"),
        ({"open_days": 5, "reminder_days": "5"}, "reminder_days"),
        ({"reminder_days": "two"}, "reminder_days"),
        ({"start_date": date.today() - timedelta(days=2)}, "start_date"),
        ({"audience": "teams", "team_ids": []}, "audience_teams"),
        ({"send_hour": 24}, "send_hour"),
    ],
)
def test_bad_settings_are_refused_with_a_message_per_field(tenant_a, fields, error_field):
    with pytest.raises(ValidationError) as exc:
        make_survey(tenant_a, **fields)
    assert error_field in exc.value.message_dict


def test_another_organizations_team_cannot_be_the_audience(tenant_a, tenant_b):
    with pytest.raises(ValidationError) as exc:
        make_survey(tenant_a, audience="teams", team_ids=[tenant_b.team.id])
    assert "audience_teams" in exc.value.message_dict


def _fields(survey, **changes):
    fields = {
        "name": survey.name,
        "question_keys": list(SurveyQuestion.objects.filter(survey=survey).values_list("question__key", flat=True)),
        "audience": survey.audience,
        "team_ids": [],
        "cadence": survey.cadence,
        "open_days": survey.open_days,
        "reminder_days": survey.reminder_days,
        "start_date": survey.start_date,
        "send_hour": survey.send_hour,
    }
    fields.update(changes)
    return fields


def test_changing_the_audience_is_audited_and_marked_future_rounds_only_once_answered(tenant_a):
    survey = make_survey(tenant_a)
    round = open_now(survey)
    Round.objects.filter(pk=round.pk).update(frozen_at=round.opens_at, anonymity_threshold=5, comment_threshold=10)

    setup.update_survey(
        survey=survey, actor=tenant_a.users["admin"], **_fields(survey, audience="teams", team_ids=[tenant_a.team.id])
    )

    event = AuditEvent.objects.get(action="survey.update")
    assert event.data["future_rounds_only"] is True
    assert "audience" in event.data["changes"]
    round.refresh_from_db()
    assert round.audience == "organization" and round.invited_count == 6  # the open round is untouched


def test_the_start_date_is_fixed_once_a_round_opened(tenant_a):
    survey = make_survey(tenant_a)
    open_now(survey)
    with pytest.raises(ValidationError):
        setup.update_survey(
            survey=survey, actor=None, **_fields(survey, start_date=survey.start_date + timedelta(days=3))
        )


def test_pausing_stops_the_schedule_and_resuming_restarts_it(tenant_a):
    survey = make_survey(tenant_a)
    setup.set_survey_active(survey=survey, actor=None, active=False)
    survey.refresh_from_db()
    assert survey.next_run_at is None
    setup.set_survey_active(survey=survey, actor=None, active=True)
    survey.refresh_from_db()
    assert survey.next_run_at is not None
    assert AuditEvent.objects.filter(action__in=["survey.pause", "survey.resume"]).count() == 2


def test_a_team_audience_includes_every_team_below(tenant_a):
    deeper = TeamFactory(organization=tenant_a.org, name="Deeper", parent=tenant_a.subteam)
    from tests.factories import PersonFactory

    PersonFactory(organization=tenant_a.org, team=deeper, email="deep@alpha.example")
    survey = make_survey(tenant_a, audience="teams", team_ids=[tenant_a.team.id])
    round = open_now(survey)
    emails = set(round.invitations.values_list("person__email", flat=True))
    assert emails == {"manager.person@alpha.example", "p2@alpha.example", "p3@alpha.example", "deep@alpha.example"}
