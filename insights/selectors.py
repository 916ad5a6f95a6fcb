"""Reads of the insights engine's stored results: set-based, a fixed number of queries.

The read model
--------------
Every result belongs to one round and one *scope* (``insights.engine.ScopeKey``:
kind + team id, layer or depth; see ``insights.models``):

==================  =====================================================================
``Snapshot``        round × scope × dimension: score (0–100; eNPS −100..100), mean,
                    favorable / unfavorable share, spread, respondents, delta against
                    the previous round, gap to the leadership team, drivers
``Participation``   round × scope: respondents, invited, rate, comments released
``PriorityAlignment`` round × scope: share naming leadership's top priority, top-3
                    overlap, pick counts
``CoordinationCell`` round × (rater subtree → rated team); rater None = received total
``Signal``          findings with their figures; ``round`` None for review signals
==================  =====================================================================

A *suppressed* row has ``suppressed=True`` and every figure NULL (a database
rule): show "not enough responses" and nothing else. Never compute a figure
from other rows that the engine did not store (e.g. a parent minus a child):
the engine's differencing protection only covers the rows it stores.

Who sees what: pass ``visible = peakos.permissions.visible_team_ids(membership)``
(None: everything; a set: the organization row plus those teams; layers and
depths only with None, as ``peakos.permissions.can_see_layers`` says).

The dashboards read through ``insights.dashboard_selectors`` (page-shaped reads
built on the same rules); the functions here are the general ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from django.db.models import Count, Q

from insights import scoring
from insights.models import TEAM_SCOPE_KINDS, CoordinationCell, Participation, ScopeKind, Snapshot
from insights.vocabulary import SNAPSHOT_FIGURES, ScopeKey
from peakos.models import LAYER_ORDER
from peakos.tenancy import scopes_disabled
from surveys.models import Answer, Round, RoundStatus

ALL = None  # ``visible=ALL``: no restriction (leaders, admins, the engine itself)

SNAPSHOT_FIELDS = ("round_id", "scope_kind", "team_id", "layer", "depth", "dimension", "suppressed", *SNAPSHOT_FIGURES)


@dataclass(frozen=True)
class SnapshotRow:
    round_id: int
    scope: ScopeKey
    dimension: str
    suppressed: bool
    respondents: int | None
    score: float | None
    mean: float | None
    favorable_share: float | None
    unfavorable_share: float | None
    spread: float | None
    delta: float | None
    gap: float | None
    driver_enps: float | None
    driver_alignment: float | None


def _visible_q(visible: set[int] | None) -> Q:
    if visible is None:
        return Q()
    return Q(scope_kind=ScopeKind.ORGANIZATION) | Q(scope_kind__in=TEAM_SCOPE_KINDS, team_id__in=sorted(visible))


def snapshots(
    round_ids: Iterable[int],
    *,
    visible: set[int] | None,
    kinds: Iterable[str] | None = None,
    team_ids: Iterable[int] | None = None,
    dimensions: Iterable[str] | None = None,
) -> dict[tuple[int, ScopeKey, str], SnapshotRow]:
    """(round id, scope, dimension) → SnapshotRow, for one or many rounds (trends). One query."""
    qs = Snapshot.objects.filter(round_id__in=list(round_ids)).filter(_visible_q(visible))
    if kinds is not None:
        qs = qs.filter(scope_kind__in=list(kinds))
    if team_ids is not None:
        qs = qs.filter(team_id__in=list(team_ids))
    if dimensions is not None:
        qs = qs.filter(dimension__in=list(dimensions))
    out = {}
    for r in qs.order_by().values_list(*SNAPSHOT_FIELDS):
        scope = ScopeKey(r[1], r[2], r[3] or "", r[4])
        out[(r[0], scope, r[5])] = SnapshotRow(r[0], scope, r[5], *r[6:])
    return out


def stored_scores(round_: Round | None) -> dict[tuple[ScopeKey, str], float]:
    """(scope, dimension) → score of a round's shown snapshots (the engine's deltas read these)."""
    if round_ is None:
        return {}
    rows = snapshots([round_.pk], visible=ALL)
    return {(scope, dim): row.score for (_, scope, dim), row in rows.items() if not row.suppressed}


def gap_curve(round_id: int, dimension: str, *, visible: set[int] | None) -> list[SnapshotRow]:
    """The headline chart: the leadership team, then each layer top to bottom, then each
    depth of the team tree, with scores and gaps (suppressed points stay suppressed).
    Layers and depths need ``visible=ALL``."""
    rows = snapshots([round_id], visible=visible, dimensions=[dimension])
    if visible is not None:
        return [r for r in rows.values() if r.scope.kind == ScopeKind.LEADERSHIP]

    def order(row: SnapshotRow) -> tuple:
        kind = row.scope.kind
        if kind == ScopeKind.LEADERSHIP:
            return (0, 0, row.scope.team or 0)
        if kind == ScopeKind.LAYER:
            return (1, LAYER_ORDER.get(row.scope.layer, 99), 0)
        return (2, row.scope.depth or 0, 0)

    kinds = (ScopeKind.LEADERSHIP, ScopeKind.LAYER, ScopeKind.DEPTH)
    return sorted((r for r in rows.values() if r.scope.kind in kinds), key=order)


def coordination_matrix(round_id: int, *, rater_ids: Iterable[int], rated_ids: Iterable[int]) -> pd.DataFrame:
    """Mean rating (1–5) by rater subtree (rows) and rated team (columns); NaN where
    suppressed or not rated. One query. The caller picks the raters and rated teams it
    may show (e.g. the departments, or the teams of one subtree)."""
    rows = (
        CoordinationCell.objects.filter(round_id=round_id, rater_team_id__in=list(rater_ids))
        .filter(rated_team_id__in=list(rated_ids))
        .order_by()
        .values_list("rater_team_id", "rated_team_id", "mean")
    )
    cells = pd.DataFrame(list(rows), columns=["rater", "rated", "mean"], dtype=float)
    if cells.empty:
        return pd.DataFrame(dtype=float)
    return cells.pivot_table(index="rater", columns="rated", values="mean", aggfunc="first", dropna=False).rename(
        index=int, columns=int
    )


def coordination_asymmetry(round_id: int, *, team_ids: Iterable[int]) -> pd.DataFrame:
    """Pairs of the given teams that rate each other, widest gap first
    (``scoring.asymmetry``: team_a rates team_b higher than b rates a). Shown cells only."""
    ids = list(team_ids)
    return scoring.asymmetry(coordination_matrix(round_id, rater_ids=ids, rated_ids=ids))


def released_comments(round_: Round, scope: ScopeKey, *, team_ids: Iterable[int] | None = None) -> list[str] | None:
    """The comment texts of a scope, or None when the engine did not release them
    (fewer respondents than the comment threshold, or differencing).

    ``team_ids`` are the teams whose members the scope covers (a subtree, from
    ``peakos.selectors.subtree_ids``; the team itself for a leadership scope, the
    teams at that depth for a depth scope); ignored for the organization and layers.
    """
    q = Q(round=round_, scope_kind=scope.kind)
    q &= Q(team_id=scope.team) if scope.team is not None else Q()
    q &= Q(layer=scope.layer) if scope.kind == ScopeKind.LAYER else Q()
    q &= Q(depth=scope.depth) if scope.kind == ScopeKind.DEPTH else Q()
    if not Participation.objects.filter(q, comments_released=True).exists():
        return None
    answers = Answer.objects.filter(response__round=round_).exclude(text="")
    if scope.kind == ScopeKind.LAYER:
        answers = answers.filter(response__layer=scope.layer)
    elif scope.kind != ScopeKind.ORGANIZATION:
        answers = answers.filter(response__team_id__in=list(team_ids or ()))
    # Random-looking but stable order: never the order people submitted in.
    return list(answers.order_by("text").values_list("text", flat=True))


def trends(
    round_ids: Iterable[int], dimension: str, *, visible: set[int] | None, kinds: Iterable[str] | None = None
) -> dict[ScopeKey, list[SnapshotRow]]:
    """scope → its snapshots of ``dimension`` over the given rounds (in the given order). One query."""
    order = {rid: i for i, rid in enumerate(round_ids)}
    out: dict[ScopeKey, list[SnapshotRow]] = defaultdict(list)
    for (_, scope, _), row in sorted(
        snapshots(order, visible=visible, kinds=kinds, dimensions=[dimension]).items(), key=lambda kv: order[kv[0][0]]
    ):
        out[scope].append(row)
    return dict(out)


@dataclass(frozen=True)
class PublishedTurnout:
    """A round's participation as published: answered counts only where the audit shows them."""

    round_id: int
    answered: int | None  # the organization's respondents; None while not published
    rate: float | None
    teams: dict[int, tuple[int | None, float | None, str]]  # team -> (answered, rate, hidden reason) of its subtree
    live: bool  # the round is open: counts move in releases


def published_turnout(rounds: Iterable[Round]) -> dict[int, PublishedTurnout]:
    """Per round, the answered counts that may be shown (``Participation`` rows the audit kept).

    This is the only source of "how many answered" for any page, export or API: a count
    read from invitations or responses directly would be an unaudited figure (a hidden
    team's count could be worked out by subtracting two shown ones). Invitations are org
    structure and may be counted directly. One query for any number of rounds.
    """
    rounds = list(rounds)
    out: dict[int, dict] = {r.pk: {"answered": None, "rate": None, "teams": {}} for r in rounds}
    rows = Participation.objects.filter(
        round_id__in=out, scope_kind__in=[ScopeKind.ORGANIZATION, *TEAM_SCOPE_KINDS]
    ).values_list("round_id", "scope_kind", "team_id", "suppressed", "respondents", "rate", "hidden_reason")
    for round_id, kind, team_id, suppressed, respondents, rate, reason in rows:
        if kind == ScopeKind.ORGANIZATION:
            if not suppressed:
                out[round_id].update(answered=respondents, rate=rate)
        elif kind != ScopeKind.LEADERSHIP:  # the leadership row is its own members, not its subtree
            out[round_id]["teams"][team_id] = (None, None, reason) if suppressed else (respondents, rate, "")
    return {r.pk: PublishedTurnout(round_id=r.pk, live=r.status == "open", **out[r.pk]) for r in rounds}


# Closed rounds gain no answers, but the recompute at close can be lost (broker down at
# that moment): the sweep still looks at rounds closed this recently.
SWEEP_CLOSED_WINDOW = timedelta(days=7)


def stale_rounds(now: datetime) -> list[tuple[int, int]]:
    """(round id, organization id) of every round whose answers are newer than its scores.

    A round is stale when it has responses its stored results were not computed from
    (``ScoreState.responses_scored`` differs from the count now, or there is no state
    yet), or when it closed after it was last scored (the final, unbatched results are
    missing). Open rounds, and rounds closed within ``SWEEP_CLOSED_WINDOW``, are
    considered; rounds whose raw answers retention deleted never are (their stored
    results are all that is left). Unscoped on purpose, like the scheduler's tick: the sweep looks across
    every organization for ids only; each recompute runs in its organization's scope.
    One statement: a grouped count over the rounds' responses.
    """
    with scopes_disabled():
        rows = (
            Round.objects.filter(
                Q(status=RoundStatus.OPEN) | Q(status=RoundStatus.CLOSED, closed_at__gte=now - SWEEP_CLOSED_WINDOW),
                raw_answers_deleted_on__isnull=True,
            )
            .annotate(answered=Count("responses"))
            .values_list(
                "id",
                "organization_id",
                "status",
                "closed_at",
                "answered",
                "score_state__responses_scored",
                "score_state__scored_at",
            )
            .order_by("id")
        )
        stale = []
        for round_id, org_id, status, closed_at, answered, scored, scored_at in rows:
            if scored is None:
                is_stale = answered > 0 or status == RoundStatus.CLOSED
            else:
                is_stale = scored != answered or (closed_at is not None and scored_at < closed_at)
            if is_stale:
                stale.append((round_id, org_id))
        return stale
