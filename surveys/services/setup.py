"""Survey setup for admins: questions, audience, cadence, schedule."""

from __future__ import annotations

import zoneinfo
from calendar import monthrange
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peakos.audit import record_audit
from peakos.models import Organization, Team
from surveys.bank import TEMPLATES
from surveys.models import (
    CADENCE_MAX_OPEN_DAYS,
    Audience,
    Cadence,
    Round,
    Survey,
    SurveyQuestion,
    SurveyTeam,
)
from surveys.services.questions import ensure_questions

MAX_QUESTIONS = 40


def org_today(organization: Organization, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(zoneinfo.ZoneInfo(organization.timezone)).date()


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def run_time(survey: Survey, k: int) -> datetime:
    """When the k-th round (0-based) of the schedule opens, as an aware UTC datetime."""
    step_days = {Cadence.ONCE: 0, Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14}
    if survey.cadence in step_days:
        day = survey.start_date + timedelta(days=step_days[survey.cadence] * k)
    else:
        day = _add_months(survey.start_date, k * (1 if survey.cadence == Cadence.MONTHLY else 3))
    tz = zoneinfo.ZoneInfo(survey.organization.timezone)
    local = datetime(day.year, day.month, day.day, survey.send_hour, tzinfo=tz)
    return local.astimezone(zoneinfo.ZoneInfo("UTC"))


def compute_next_run(survey: Survey, *, now: datetime, last_round: Round | None) -> datetime | None:
    """The next time a round opens: the first scheduled time not before the last round
    closed (rounds never overlap) and not in the past. ``None``: nothing left to run."""
    if last_round is None:
        first = run_time(survey, 0)
        return max(first, now)
    return next_scheduled_run(survey, floor=max(now, last_round.closes_at))


def next_scheduled_run(survey: Survey, *, floor: datetime) -> datetime | None:
    """The first scheduled time after the first one that is not before ``floor``."""
    if survey.cadence == Cadence.ONCE:
        return None
    k = 1
    while run_time(survey, k) < floor:
        k += 1
    return run_time(survey, k)


def _parse_reminder_days(value) -> list[int]:
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
        try:
            return sorted({int(p) for p in parts})
        except ValueError:
            raise ValidationError({"reminder_days": "Reminder days are whole numbers separated by commas, e.g. 2, 4."})
    return sorted({int(v) for v in value or []})


def _validate(
    *,
    organization: Organization,
    name: str,
    question_keys: list[str],
    audience: str,
    team_ids: list[int],
    cadence: str,
    open_days: int,
    reminder_days: list[int],
    send_hour: int,
) -> list[Team]:
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = "Give the survey a name."
    if not question_keys:
        errors["questions"] = "Pick at least one question (or a template)."
    elif len(question_keys) > MAX_QUESTIONS:
        errors["questions"] = f"A pulse has at most {MAX_QUESTIONS} questions."
    if cadence not in Cadence.values:
        errors["cadence"] = "Choose how often the survey runs."
    elif not 1 <= (open_days or 0) <= CADENCE_MAX_OPEN_DAYS[cadence]:
        errors["open_days"] = (
            f"A round {Cadence(cadence).label.lower()} stays open 1 to {CADENCE_MAX_OPEN_DAYS[cadence]} days "
            "(rounds never overlap)."
        )
    bad = [d for d in reminder_days if not 1 <= d < (open_days or 0)]
    if bad:
        errors["reminder_days"] = "Reminders go out between day 1 and the day before the round closes."
    elif len(reminder_days) > 5:
        errors["reminder_days"] = "At most 5 reminders."
    if not 0 <= (send_hour if send_hour is not None else -1) <= 23:
        errors["send_hour"] = "An hour from 0 to 23."
    teams: list[Team] = []
    if audience not in Audience.values:
        errors["audience"] = "Choose who gets the survey."
    elif audience == Audience.TEAMS:
        teams = list(Team.objects.filter(organization=organization, id__in=team_ids or []))
        if not teams or len(teams) != len(set(team_ids)):
            errors["audience_teams"] = "Choose at least one of your teams."
    if errors:
        raise ValidationError(errors)
    return teams


def _set_questions(survey: Survey, keys: list[str]) -> None:
    questions = ensure_questions(organization=survey.organization, keys=keys)
    SurveyQuestion.objects.filter(survey=survey).delete()
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(organization=survey.organization, survey=survey, question=q, position=i)
        for i, q in enumerate(questions)
    )


def _set_teams(survey: Survey, teams: list[Team]) -> None:
    SurveyTeam.objects.filter(survey=survey).delete()
    SurveyTeam.objects.bulk_create(SurveyTeam(organization=survey.organization, survey=survey, team=t) for t in teams)


def template_keys(template: str) -> list[str]:
    if template not in TEMPLATES:
        raise ValidationError({"template": "Unknown template."})
    return list(TEMPLATES[template][1])


@transaction.atomic
def create_survey(
    *,
    organization: Organization,
    actor,
    name: str,
    question_keys: list[str],
    audience: str = Audience.ORGANIZATION,
    team_ids: list[int] | None = None,
    cadence: str = Cadence.BIWEEKLY,
    open_days: int = 5,
    reminder_days=(),
    start_date: date,
    send_hour: int = 9,
    now: datetime | None = None,
) -> Survey:
    """Schedule a pulse. Its first round opens at ``start_date`` ``send_hour`` (organization time)."""
    now = now or timezone.now()
    reminder_days = _parse_reminder_days(reminder_days)
    teams = _validate(
        organization=organization,
        name=name,
        question_keys=question_keys,
        audience=audience,
        team_ids=team_ids or [],
        cadence=cadence,
        open_days=open_days,
        reminder_days=reminder_days,
        send_hour=send_hour,
    )
    if start_date < org_today(organization, now):
        raise ValidationError({"start_date": "The start date cannot be in the past."})
    survey = Survey(
        organization=organization,
        name=name.strip(),
        audience=audience,
        cadence=cadence,
        open_days=open_days,
        reminder_days=reminder_days,
        start_date=start_date,
        send_hour=send_hour,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    survey.next_run_at = compute_next_run(survey, now=now, last_round=None)
    survey.save()
    _set_questions(survey, question_keys)
    _set_teams(survey, teams)
    record_audit(
        organization=organization,
        actor=actor,
        action="survey.create",
        obj=survey,
        summary=f"{survey.name}: {survey.get_cadence_display().lower()}, {len(question_keys)} questions",
    )
    return survey


@transaction.atomic
def update_survey(
    *,
    survey: Survey,
    actor,
    name: str,
    question_keys: list[str],
    audience: str,
    team_ids: list[int] | None,
    cadence: str,
    open_days: int,
    reminder_days,
    start_date: date,
    send_hour: int,
    now: datetime | None = None,
) -> Survey:
    """Change a survey. Changes apply to rounds that have not opened yet: an open round
    keeps the questions, audience and thresholds it was sent with. Every change is
    audited; changes to the audience after respondents answered are flagged as such."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    reminder_days = _parse_reminder_days(reminder_days)
    teams = _validate(
        organization=survey.organization,
        name=name,
        question_keys=question_keys,
        audience=audience,
        team_ids=team_ids or [],
        cadence=cadence,
        open_days=open_days,
        reminder_days=reminder_days,
        send_hour=send_hour,
    )
    last_round = Round.objects.filter(survey=survey).order_by("-number").first()
    if last_round is not None and start_date != survey.start_date:
        raise ValidationError({"start_date": "The start date is fixed once the first round has opened."})
    if last_round is None and start_date < org_today(survey.organization, now) and start_date != survey.start_date:
        raise ValidationError({"start_date": "The start date cannot be in the past."})

    before = _snapshot(survey)
    survey.name, survey.audience, survey.cadence = name.strip(), audience, cadence
    survey.open_days, survey.reminder_days, survey.start_date, survey.send_hour = (
        open_days,
        reminder_days,
        start_date,
        send_hour,
    )
    schedule_changed = (before["cadence"], before["start_date"], before["send_hour"]) != (
        cadence,
        start_date.isoformat(),
        send_hour,
    )
    if schedule_changed and survey.active:
        survey.next_run_at = compute_next_run(survey, now=now, last_round=last_round)
    survey.save()
    if before["questions"] != question_keys:
        _set_questions(survey, question_keys)
    if sorted(before["teams"]) != sorted(t.id for t in teams):
        _set_teams(survey, teams)
    after = _snapshot(survey)
    changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changed:
        frozen = Round.objects.filter(survey=survey, frozen_at__isnull=False).exists()
        record_audit(
            organization=survey.organization,
            actor=actor,
            action="survey.update",
            obj=survey,
            summary=f"{survey.name}: {', '.join(changed)} changed"
            + (" (applies to future rounds; rounds already answered keep their settings)" if frozen else ""),
            data={"changes": changed, "future_rounds_only": frozen},
        )
    return survey


def _snapshot(survey: Survey) -> dict:
    return {
        "name": survey.name,
        "audience": survey.audience,
        "teams": sorted(SurveyTeam.objects.filter(survey=survey).values_list("team_id", flat=True)),
        "questions": list(
            SurveyQuestion.objects.filter(survey=survey).order_by("position").values_list("question__key", flat=True)
        ),
        "cadence": survey.cadence,
        "open_days": survey.open_days,
        "reminder_days": list(survey.reminder_days),
        "start_date": survey.start_date.isoformat(),
        "send_hour": survey.send_hour,
    }


@transaction.atomic
def set_survey_active(*, survey: Survey, actor, active: bool, now: datetime | None = None) -> Survey:
    """Pause or resume a survey. Resuming schedules the next round from now on."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.active == active:
        return survey
    survey.active = active
    if active:
        last_round = Round.objects.filter(survey=survey).order_by("-number").first()
        survey.next_run_at = compute_next_run(survey, now=now, last_round=last_round)
    else:
        survey.next_run_at = None
    survey.save(update_fields=["active", "next_run_at", "updated_at"])
    record_audit(
        organization=survey.organization,
        actor=actor,
        action="survey.resume" if active else "survey.pause",
        obj=survey,
        summary=survey.name,
    )
    return survey
