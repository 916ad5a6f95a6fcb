"""Survey test data: surveys, open rounds and usable links, built through the services."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from peakos.models import Priority, PriorityLevel, TeamDependency, current_period
from peakos.tokens import new_token
from surveys.models import Invitation, Question, Round, Survey
from surveys.services import questions as question_services
from surveys.services import schedule, setup

ALIGNMENT_PULSE = [
    "alignment-priorities",
    "alignment-why",
    "alignment-connections",
    "alignment-success",
    "alignment-tradeoffs",
    "priority-pick",
    "enps",
    "comment",
]


def make_survey(tenant, *, name="Alignment pulse", keys=None, **fields) -> Survey:
    fields.setdefault("start_date", date.today() + timedelta(days=1))
    fields.setdefault("cadence", "biweekly")
    fields.setdefault("open_days", 5)
    return setup.create_survey(
        organization=tenant.org,
        actor=tenant.users["admin"],
        name=name,
        question_keys=list(ALIGNMENT_PULSE if keys is None else keys),
        **fields,
    )


def open_now(survey: Survey, **kwargs) -> Round:
    return schedule.open_round(survey=survey, force=True, **kwargs)


def link_for(invitation: Invitation) -> str:
    """What the e-mail would carry: a fresh raw token whose hash the invitation stores."""
    raw, digest = new_token()
    Invitation.objects.filter(pk=invitation.pk).update(token_hash=digest, sent_at=timezone.now())
    return f"/s/{raw}/"


def with_priorities_and_dependencies(tenant) -> list[Priority]:
    """Three company priorities this quarter, and tenant.team depending on two teams."""
    priorities = [
        Priority.objects.get_or_create(
            organization=tenant.org,
            title=title,
            level=PriorityLevel.COMPANY,
            period=current_period(),
            defaults={"rank": i + 1},
        )[0]
        for i, title in enumerate(["Win the mid-market", "Launch the API", "Reach 70% margin"])
    ]
    for to in (tenant.other_team, tenant.department):
        TeamDependency.objects.get_or_create(organization=tenant.org, from_team=tenant.team, to_team=to)
    return priorities


# Sources for tests/isolation.py: one object of each kind in tenant B.


def survey_for(tenant) -> Survey:
    return Survey.objects.filter(organization=tenant.org).first() or make_survey(tenant)


def round_for(tenant) -> Round:
    survey = survey_for(tenant)
    return Round.objects.filter(survey=survey).first() or open_now(survey)


def question_for(tenant) -> Question:
    return question_services.ensure_questions(organization=tenant.org, keys=["alignment-why"])[0]


def valid_answers(round: Round, team_id: int | None, *, comment: str = "Keep going.") -> dict[str, str]:
    """A complete, valid POST for the answering page."""
    from surveys import selectors

    data: dict[str, str] = {}
    for item in selectors.answer_sheet(round, team_id=team_id).items:
        kind = item.question.kind
        if kind == "likert5":
            data[item.name] = "4"
        elif kind == "scale10":
            data[item.name] = "9"
        elif kind == "text":
            data[item.name] = comment
        elif kind == "single_choice":
            data[item.name] = "0"
        elif kind == "rate_team":
            data.update({f"{item.name}_t{t.id}": "3" for t in item.teams})
        elif kind == "priority_pick":
            data.update({f"{item.name}_r{i + 1}": str(p.id) for i, p in enumerate(item.priorities[:3])})
    return data
