"""Signal detectors: the rules that turn a round's figures into risks.

Two registries, so other apps add signals without touching the engine:

* ``ROUND_DETECTORS`` — ``fn(result, context) -> Iterable[Detected]``, run on
  every recompute of a round with its freshly computed :class:`RoundResult`;
  the signals are stored with that round.
* ``ORGANIZATION_DETECTORS`` — ``fn(organization) -> Iterable[Detected]``, for
  signals that belong to no survey round (the reviews app: unlinked
  priorities, overdue reviews, ...). They run, inside the organization's
  scope, at the end of every recompute; their signals are stored with
  ``round = None``.

Register with the decorators (``@round_detector`` / ``@organization_detector``),
from your app's ``AppConfig.ready()``. A detector only *reads*; storing,
de-duplicating (by ``key``) and resolving is ``signal_sync.sync_signals``'s job.
Every detector here reads only *shown* figures: a suppressed scope never
produces a figure in a signal.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from insights.engine import RoundResult
from insights.vocabulary import DEPTH, ENPS, FEW, LAYER, ORGANIZATION, TEAM_SCOPE_KINDS, ScopeKey


@dataclass(frozen=True)
class Detected:
    """A finding. ``key`` must be stable for the same finding across recomputes."""

    kind: str
    key: str
    scope: ScopeKey
    severity: str  # low | medium | high
    title: str
    figures: dict[str, Any] = field(default_factory=dict)
    dimension: str = ""


@dataclass
class RoundContext:
    """What detectors may need beside the figures."""

    round_closed: bool
    settings: Any  # insights.models.SignalSettings (possibly unsaved defaults)
    threshold: int
    team_names: dict[int, str]
    dependencies: list[tuple[int, int]]  # (from team, to team): from depends on to
    dimension_labels: dict[str, str]
    layer_labels: dict[str, str]
    priority_titles: dict[int, str]


RoundDetector = Callable[[RoundResult, RoundContext], Iterable[Detected]]
OrganizationDetector = Callable[[Any], Iterable[Detected]]
ROUND_DETECTORS: list[RoundDetector] = []
ORGANIZATION_DETECTORS: list[OrganizationDetector] = []


def round_detector(fn: RoundDetector) -> RoundDetector:
    if fn not in ROUND_DETECTORS:
        ROUND_DETECTORS.append(fn)
    return fn


def organization_detector(fn: OrganizationDetector) -> OrganizationDetector:
    if fn not in ORGANIZATION_DETECTORS:
        ORGANIZATION_DETECTORS.append(fn)
    return fn


def scope_slug(scope: ScopeKey) -> str:
    """A stable text name of a scope for signal keys: ``team:12``, ``layer:manager``."""
    if scope.kind == ORGANIZATION:
        return "org"
    if scope.kind == LAYER:
        return f"layer:{scope.layer}"
    if scope.kind == DEPTH:
        return f"depth:{scope.depth}"
    return f"{scope.kind}:{scope.team}"


def scope_name(scope: ScopeKey, context: RoundContext) -> str:
    if scope.kind == ORGANIZATION:
        return "the organization"
    if scope.kind == LAYER:
        return f"the {context.layer_labels.get(scope.layer, scope.layer)} layer"
    if scope.kind == DEPTH:
        return f"depth {scope.depth} of the team tree"
    return context.team_names.get(scope.team, f"team {scope.team}")


# Figures are floats computed from integer counts: 3,3,3,3,4 scores 55.00000000000001, so a
# 75-point leadership score is 19.999999999999993 above it. Every rule compares with this
# tolerance (far below any figure's displayed precision), so such a gap counts as 20.
TOLERANCE = 1e-9


def reaches(value: float, limit: float) -> bool:
    """value ≥ limit, within TOLERANCE."""
    return value >= limit - TOLERANCE * max(1.0, abs(limit))


def below(value: float, limit: float) -> bool:
    """value < limit, beyond TOLERANCE."""
    return not reaches(value, limit)


def severity(excess: float, limit: float) -> str:
    """How far past its threshold a figure is: up to 1.5× low, up to 2× medium, beyond high
    (docs/scoring.md; exactly 2× is medium)."""
    ratio = excess / limit if limit else math.inf
    return "high" if not reaches(2.0, ratio) else "medium" if not reaches(1.5, ratio) else "low"


def _r(value: float, digits: int = 1) -> float:
    return round(float(value), digits)


@round_detector
def drops(result: RoundResult, context: RoundContext) -> Iterable[Detected]:
    """A dimension fell by at least ``drop_points`` since the previous round (shown scopes only).

    eNPS runs from −100 to 100, twice the width of a 0–100 score: it needs twice the drop.
    Scopes of fewer than twice the anonymity threshold are left out: there, one or two
    people changing their mind moves a score by ten points.
    """
    for s, scope in enumerate(result.scopes):
        if scope.kind == DEPTH:
            continue  # depths repeat layers and teams; keep the list short
        for d, dim in enumerate(result.dimensions):
            limit = context.settings.drop_points * (2 if dim == ENPS else 1)
            change = result.delta[s, d]
            if result.dim_hidden[s, d] or math.isnan(change) or not reaches(-change, limit):
                continue
            if result.dim_respondents[s, d] < 2 * context.threshold:
                continue
            label = context.dimension_labels.get(dim, dim)
            yield Detected(
                kind="drop",
                key=f"drop:{scope_slug(scope)}:{dim}",
                scope=scope,
                dimension=dim,
                severity=severity(-change, limit),
                title=f"{label} fell {_r(-change)} points in {scope_name(scope, context)}",
                figures={
                    "score": _r(result.score[s, d]),
                    "previous": _r(result.score[s, d] - change),
                    "delta": _r(change),
                    "respondents": int(result.dim_respondents[s, d]),
                },
            )


@round_detector
def leadership_gaps(result: RoundResult, context: RoundContext) -> Iterable[Detected]:
    """A layer reports a dimension at least ``leadership_gap_points`` below the leadership team."""
    limit = context.settings.leadership_gap_points
    if result.leadership is None:
        return
    for s, scope in enumerate(result.scopes):
        if scope.kind != LAYER:
            continue
        for d, dim in enumerate(result.dimensions):
            gap = result.gap[s, d]
            if dim == ENPS or result.dim_hidden[s, d] or math.isnan(gap) or not reaches(gap, limit):
                continue
            label = context.dimension_labels.get(dim, dim)
            yield Detected(
                kind="leadership_gap",
                key=f"leadership_gap:{scope_slug(scope)}:{dim}",
                scope=scope,
                dimension=dim,
                severity=severity(gap, limit),
                title=f"{label}: {scope_name(scope, context)} is {_r(gap)} points below the leadership team",
                figures={
                    "leadership_score": _r(result.score[result.leadership, d]),
                    "score": _r(result.score[s, d]),
                    "gap": _r(gap),
                },
            )


@round_detector
def low_participation(result: RoundResult, context: RoundContext) -> Iterable[Detected]:
    """Fewer than ``low_participation`` of those invited answered (closed rounds only).

    Shown scopes report their rate. A department hidden for want of answers,
    though large enough to be shown, is flagged without any figure: the
    dashboard already says "not enough responses" there.
    """
    if not context.round_closed:
        return
    limit = context.settings.low_participation
    for s, scope in enumerate(result.scopes):
        if scope.kind not in (ORGANIZATION, *TEAM_SCOPE_KINDS) or scope.kind == "leadership":
            continue
        invited = int(result.invited[s])
        if invited == 0:
            continue
        name = scope_name(scope, context)
        if result.hidden[s]:
            # Flag only a department hidden for want of answers (not one hidden to protect
            # another scope), large enough to have been shown; say no number.
            too_few = result.reason[s] == FEW
            if scope.kind == "department" and too_few and invited >= context.threshold:
                yield Detected(
                    kind="low_participation",
                    key=f"low_participation:{scope_slug(scope)}",
                    scope=scope,
                    severity="high",
                    title=f"Too few responses in {name} to show any result",
                    figures={"suppressed": True},
                )
            continue
        rate = int(result.respondents[s]) / invited
        if below(rate, limit):
            yield Detected(
                kind="low_participation",
                key=f"low_participation:{scope_slug(scope)}",
                scope=scope,
                severity=severity(limit - rate, limit / 4),
                title=f"Only {round(rate * 100)}% answered in {name}",
                figures={"rate": _r(rate, 3), "respondents": int(result.respondents[s]), "invited": invited},
            )


@round_detector
def priority_confusion(result: RoundResult, context: RoundContext) -> Iterable[Detected]:
    """Fewer than ``priority_confusion`` of respondents name leadership's top priority."""
    p = result.priorities
    if p is None or p.top_priority is None:
        return
    limit = context.settings.priority_confusion
    for s, scope in enumerate(result.scopes):
        if scope.kind not in (ORGANIZATION, "department", LAYER):
            continue
        share = p.top_priority_share[s]
        if p.hidden[s] or math.isnan(share) or not below(share, limit):
            continue
        top = context.priority_titles.get(p.top_priority, "leadership's top priority")
        yield Detected(
            kind="priority_confusion",
            key=f"priority_confusion:{scope_slug(scope)}",
            scope=scope,
            severity=severity(limit - share, limit / 4),
            title=f"Only {round(share * 100)}% in {scope_name(scope, context)} name “{top}” as a top priority",
            figures={
                "top_priority_id": p.top_priority,
                "top_priority_share": _r(share, 3),
                "top_overlap": None if math.isnan(p.top_overlap[s]) else _r(p.top_overlap[s], 3),
                "respondents": int(p.respondents[s]),
            },
        )


@round_detector
def weak_links(result: RoundResult, context: RoundContext) -> Iterable[Detected]:
    """A declared dependency (A depends on B) whose rating of B by A's people is at or below ``weak_link_mean``."""
    limit = context.settings.weak_link_mean
    c = result.coordination
    cells = {(rater, rated): i for i, (rater, rated) in enumerate(zip(c.rater, c.rated, strict=True))}
    index = result.index()
    for from_team, to_team in context.dependencies:
        i = cells.get((from_team, to_team))
        if i is None or c.hidden[i] or not reaches(limit, c.mean[i]):
            continue
        scope = next(
            (key for kind in TEAM_SCOPE_KINDS if (key := ScopeKey(kind, from_team)) in index),
            ScopeKey("team", from_team),
        )
        a = context.team_names.get(from_team, str(from_team))
        b = context.team_names.get(to_team, str(to_team))
        yield Detected(
            kind="weak_link",
            key=f"weak_link:{from_team}:{to_team}",
            scope=scope,
            severity=severity(limit - c.mean[i] + 0.5, 0.5),
            title=f"{a} rates its dependency on {b} {_r(c.mean[i])} / 5",
            figures={
                "rated_team_id": to_team,
                "mean": _r(c.mean[i], 2),
                "score": _r((c.mean[i] - 1) / 4 * 100),
                "respondents": int(c.respondents[i]),
            },
        )
