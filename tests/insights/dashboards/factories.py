"""Stored insights results for the dashboard tests, written directly (as the engine would).

``seed_results(tenant)`` gives tenant's tree (leadership > department > team > subteam,
other department > other team) two closed rounds of scores, participation, priority
picks, coordination cells, signals and comments. ``suppressed`` names teams whose rows
say "not enough responses" (no values stored, as the database requires).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from insights.models import CoordinationCell, Participation, PriorityAlignment, ScopeKind, Signal, Snapshot
from peakos.models import Layer, Priority, PriorityLevel, TeamDependency
from surveys.models import Answer, Question, Response, Round, RoundStatus
from tests.surveys.factories import survey_for

DIMENSIONS = ["alignment", "team_health", "communication", "coordination", "enps"]
BASE = {"alignment": 70.0, "team_health": 66.0, "communication": 61.0, "coordination": 58.0, "enps": 12.0}
# Each scope's offset from BASE: the layers lose alignment on the way down (the translation gap).
OFFSETS = {
    "organization": 0,
    "leadership": 14,
    "executive": 12,
    "manager": 2,
    "individual": -9,
    "depth1": 3,
    "depth2": -4,
}


def closed_round(tenant, *, number: int, ended: datetime) -> Round:
    return Round.objects.create(
        organization=tenant.org,
        survey=survey_for(tenant),
        number=number,
        opens_at=ended - timedelta(days=5),
        closes_at=ended,
        closed_at=ended,
        status=RoundStatus.CLOSED,
        anonymity_threshold=tenant.org.anonymity_threshold,
        comment_threshold=tenant.org.comment_threshold,
    )


def scope_fields(scope) -> dict:
    """A team (its kind's scope), a layer value, ("depth", n) or None (the organization)."""
    if scope is None:
        return {"scope_kind": ScopeKind.ORGANIZATION}
    if isinstance(scope, str):
        return {"scope_kind": ScopeKind.LAYER, "layer": scope}
    if isinstance(scope, tuple):
        return {"scope_kind": ScopeKind.DEPTH, "depth": scope[1]}
    return {"scope_kind": ScopeKind(scope.kind), "team": scope}


def snapshot(tenant, rnd, scope, dimension, score, *, respondents=12, delta=None, gap=None) -> Snapshot:
    """``score=None`` stores a suppressed row."""
    common = {"organization": tenant.org, "round": rnd, "dimension": dimension, **scope_fields(scope)}
    if score is None:
        return Snapshot.objects.create(suppressed=True, **common)
    mean = 1 + max(score, 0) / 25
    return Snapshot.objects.create(
        suppressed=False,
        respondents=respondents,
        mean=mean,
        score=score,
        favorable_share=min(score / 100, 1),
        spread=0.8,
        delta=delta,
        gap=gap,
        **common,
    )


def turnout(tenant, rnd, scope, respondents, invited, *, released=False) -> Participation:
    common = {"organization": tenant.org, "round": rnd, **scope_fields(scope)}
    if respondents is None:
        return Participation.objects.create(suppressed=True, **common)
    return Participation.objects.create(
        suppressed=False,
        respondents=respondents,
        invited=invited,
        rate=respondents / invited,
        comments_released=released,
        **common,
    )


@dataclass
class Results:
    rounds: list[Round]
    priorities: list[Priority]
    suppressed: set = field(default_factory=set)

    @property
    def latest(self) -> Round:
        return self.rounds[-1]


def seed_results(
    tenant, *, suppressed=(), comments=("Too many priorities at once.", "Great sprint planning.")
) -> Results:
    org = tenant.org
    ended = datetime(2026, 9, 25, 9, tzinfo=UTC)
    rounds = [
        closed_round(tenant, number=1, ended=ended - timedelta(days=14)),
        closed_round(tenant, number=2, ended=ended),
    ]
    suppressed = {t.pk for t in suppressed}
    teams = {
        "leadership": tenant.leadership,
        "department": tenant.department,
        "team": tenant.team,
        "subteam": tenant.subteam,
        "other_team": tenant.other_team,
    }
    other_department = tenant.other_team.parent
    teams["other_department"] = other_department
    team_offsets = {
        "leadership": 14,
        "department": 4,
        "team": -2,
        "subteam": -6,
        "other_department": -11,
        "other_team": -12,
    }
    scopes = [
        (None, OFFSETS["organization"], 120, 150),
        (Layer.EXECUTIVE.value, OFFSETS["executive"], 10, 11),
        (Layer.MANAGER.value, OFFSETS["manager"], 20, 24),
        (Layer.INDIVIDUAL.value, OFFSETS["individual"], 90, 115),
        (("depth", 1), OFFSETS["depth1"], 30, 36),
        (("depth", 2), OFFSETS["depth2"], 80, 100),
    ] + [(teams[name], off, 20, 25) for name, off in team_offsets.items()]
    for index, rnd in enumerate(rounds):
        drift = -3 if index == 0 else 0  # round 2 is 3 points up on round 1
        for scope, offset, respondents, invited in scopes:
            hidden = scope is not None and not isinstance(scope, (str, tuple)) and scope.pk in suppressed
            for dim in DIMENSIONS:
                value = None if hidden else BASE[dim] + offset + drift
                lead = BASE[dim] + 14 + drift
                snapshot(
                    tenant,
                    rnd,
                    scope,
                    dim,
                    value,
                    respondents=respondents,
                    delta=3.0 if index == 1 and not hidden else None,
                    gap=None if hidden else lead - value,
                )
            turnout(tenant, rnd, scope, None if hidden else respondents, invited, released=respondents >= 10)

    priorities = [
        Priority.objects.get_or_create(
            organization=org, title=title, level=PriorityLevel.COMPANY, period="2026-Q3", defaults={"rank": i + 1}
        )[0]
        for i, title in enumerate(["Win the mid-market", "Launch the API", "Reach 70% margin"])
    ]
    p1, p2, p3 = (p.pk for p in priorities)
    picks = [
        (teams["leadership"], 10, {p1: 9, p2: 6, p3: 4}, 0.9),
        (None, 110, {p1: 60, p2: 70, p3: 40}, 0.55),
        (Layer.EXECUTIVE.value, 10, {p1: 9, p2: 5, p3: 5}, 0.9),
        (Layer.INDIVIDUAL.value, 80, {p1: 35, p2: 60, p3: 30}, 0.44),
        (teams["department"], 18, {p1: 10, p2: 12, p3: 6}, 0.56),
        (other_department, 18, {p1: 6, p2: 14, p3: 8}, 0.33),
    ]
    for scope, respondents, counts, share in picks:
        hidden = scope is not None and not isinstance(scope, str) and scope.pk in suppressed
        common = {"organization": org, "round": rounds[-1], "top_priority": priorities[0], **scope_fields(scope)}
        if hidden:
            PriorityAlignment.objects.create(suppressed=True, **common)
        else:
            PriorityAlignment.objects.create(
                suppressed=False,
                respondents=respondents,
                top_priority_share=share,
                top_overlap=0.6,
                pick_counts={str(k): v for k, v in counts.items()},
                **common,
            )

    for a, b in [
        (tenant.team, tenant.other_team),
        (tenant.other_team, tenant.department),
        (tenant.subteam, tenant.other_team),
    ]:
        TeamDependency.objects.get_or_create(organization=org, from_team=a, to_team=b)
    cells = [
        (tenant.team, tenant.other_team, 2.1),
        (tenant.other_team, tenant.department, 4.2),
        (tenant.subteam, tenant.other_team, None),
        (None, tenant.other_team, 2.4),
        (None, tenant.department, 4.2),
    ]
    for rater, rated, mean in cells:
        common = {"organization": org, "round": rounds[-1], "rater_team": rater, "rated_team": rated}
        if mean is None or rater is not None and rater.pk in suppressed:
            CoordinationCell.objects.create(suppressed=True, **common)
        else:
            CoordinationCell.objects.create(suppressed=False, respondents=9, mean=mean, score=(mean - 1) * 25, **common)

    Signal.objects.create(
        organization=org,
        round=rounds[-1],
        kind="weak_link",
        key=f"weak_link:{tenant.team.pk}:{tenant.other_team.pk}",
        scope_kind=ScopeKind.TEAM,
        team=tenant.team,
        severity="high",
        title=f"{tenant.team.name} rates {tenant.other_team.name} 2.1 of 5",
        figures={"mean": 2.1},
    )
    Signal.objects.create(
        organization=org,
        round=rounds[-1],
        kind="leadership_gap",
        key="leadership_gap:layer:individual:alignment",
        scope_kind=ScopeKind.LAYER,
        layer=Layer.INDIVIDUAL,
        dimension="alignment",
        severity="medium",
        title="Individual contributors are 23 points below leadership on alignment",
        figures={"gap": 23.0},
    )

    question = Question.objects.filter(organization=org, kind="text", active=True).first() or Question.objects.create(
        organization=org, key="comment", dimension="comment", kind="text", text="Anything else?"
    )
    for i, text in enumerate(comments):
        team = tenant.subteam if i % 2 == 0 else tenant.other_team
        response = Response.objects.create(
            organization=org,
            round=rounds[-1],
            team=team,
            layer=Layer.INDIVIDUAL,
            submitted_on=ended.date() - timedelta(days=i),
        )
        Answer.objects.create(organization=org, response=response, question=question, text=text)
    return Results(rounds=rounds, priorities=priorities, suppressed=suppressed)
