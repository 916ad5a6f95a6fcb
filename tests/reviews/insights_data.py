"""Closed survey rounds and insights snapshots for the tests that read scores (before/after, packets)."""

from __future__ import annotations

from datetime import datetime, timedelta

from insights.models import CoordinationCell, ScopeKind, Signal, Snapshot
from surveys.models import Round, RoundStatus
from tests.surveys.factories import survey_for


def closed_round(tenant, *, ended: datetime, number: int) -> Round:
    return Round.objects.create(
        organization=tenant.org,
        survey=survey_for(tenant),
        number=number,
        opens_at=ended - timedelta(days=5),
        closes_at=ended,
        closed_at=ended,
        status=RoundStatus.CLOSED,
    )


def snapshot(tenant, rnd: Round, dimension: str, score: float | None, *, team=None, delta=None) -> Snapshot:
    """A stored result; ``score=None`` stores a suppressed row ("not enough responses")."""
    scope = ScopeKind.ORGANIZATION if team is None else ScopeKind(team.kind)
    if score is None:
        return Snapshot.objects.create(
            organization=tenant.org, round=rnd, scope_kind=scope, team=team, dimension=dimension, suppressed=True
        )
    return Snapshot.objects.create(
        organization=tenant.org,
        round=rnd,
        scope_kind=scope,
        team=team,
        dimension=dimension,
        suppressed=False,
        respondents=8,
        mean=1 + score / 25,
        score=score,
        delta=delta,
    )


def weak_cell(tenant, rnd, rater, rated, mean: float) -> CoordinationCell:
    return CoordinationCell.objects.create(
        organization=tenant.org,
        round=rnd,
        rater_team=rater,
        rated_team=rated,
        suppressed=False,
        respondents=6,
        mean=mean,
        score=(mean - 1) * 25,
    )


def signal(tenant, team, title="Alignment dropped 12 points", kind="drop") -> Signal:
    return Signal.objects.create(
        organization=tenant.org,
        kind=kind,
        key=f"{kind}:team:{team.pk}:alignment",
        scope_kind=ScopeKind(team.kind),
        team=team,
        dimension="alignment",
        severity="high",
        title=title,
    )
