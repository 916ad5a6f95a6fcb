"""Scoring one survey round: from the round's answers to every scope's published figures.

Django-free, like ``scoring.py``: :func:`compute_round` takes plain arrays
(:class:`RoundInput`, loaded by ``insights.services``) and returns a
:class:`RoundResult` that the services write as snapshots. One module per step:

1. ``cells`` — count the answers per atom (team × layer × release batch);
2. ``scopes`` — the scopes, the cells each sums, their hierarchy;
3. ``publish`` — what may be published, per variable (the disclosure-control audit);
4. ``figures`` — scores, shares, spreads, gaps, deltas, drivers, priority alignment;
5. ``coordination`` — the rater × rated matrix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from insights import disclosure, scoring
from insights.engine import cells as cells_
from insights.engine.cells import Question
from insights.engine.coordination import Coordination, coordination
from insights.engine.figures import Priorities, deltas, drivers, gaps, priorities, summarize
from insights.engine.publish import Decision, Publisher
from insights.engine.scopes import Parts, build_scopes
from insights.engine.tree import TeamRow, Tree, build_tree
from insights.vocabulary import RESPONDENTS, ScopeKey

__all__ = ["Question", "RoundInput", "RoundResult", "Tree", "build_tree", "compute_round"]

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
COMMENTS, PICKERS = "comments", "pickers"


@dataclass
class RoundInput:
    """Everything :func:`compute_round` needs, as plain values.

    ``responses``: int rows (response id, team id or 0, layer index: 0 unknown,
    ``i`` = ``layers[i - 1]``). ``answers``: int rows (response id, question id,
    value, rated team id or 0, priority id or 0), numeric answers only.
    ``invitations``: int rows (team id or 0, layer index, count).
    ``teams``: (id, parent id, kind) of every team (``tree``: the same, prebuilt).
    ``dimensions``: the order to report Likert dimensions in.
    ``previous_scores``: (scope, dimension) → score of the previous round's
    *shown* snapshots, for deltas.

    Releases (live results): ``batch`` gives each response row its 1-based release
    batch out of ``batches``; ``history`` lists, per variable (``"respondents"`` or a
    dimension), the (scope, level) rows earlier releases published; ``level`` is the
    number of batches to publish now (None: publish nothing new, replay the history);
    ``final``: the round is closed, so comments, priority picks, coordination and
    drivers are published too.
    """

    teams: Sequence[TeamRow]
    layers: Sequence[str]
    responses: Int
    answers: Int
    questions: Mapping[int, Question]
    invitations: Int
    threshold: int
    comment_threshold: int
    dimensions: Sequence[str] = ()
    leadership_ranking: Sequence[int] = ()
    previous_scores: Mapping[tuple[ScopeKey, str], float] = field(default_factory=dict)
    driver_min_respondents: int = scoring.DEFAULT_DRIVER_MIN_RESPONDENTS
    dependencies: Sequence[tuple[int, int]] = ()  # (from team, to team): from depends on to
    tree: Tree | None = None
    batch: Int | None = None
    batches: int = 1
    history: Mapping[str, Sequence[tuple[ScopeKey, int]]] = field(default_factory=dict)
    level: int | None = 1
    final: bool = True


@dataclass
class RoundResult:
    """Per-scope arrays (axis 0 = ``scopes``); per-dimension arrays are [scope, dimension]."""

    scopes: list[ScopeKey]
    respondents: Int
    invited: Int
    hidden: npt.NDArray[np.bool_]
    reason: list[str]  # per scope: "" shown, "few" or "protect"
    comments_released: npt.NDArray[np.bool_]
    dimensions: list[str]
    dim_respondents: Int
    dim_hidden: npt.NDArray[np.bool_]
    dim_reason: list[list[str]]
    mean: Float
    score: Float
    favorable_share: Float
    unfavorable_share: Float
    spread: Float
    delta: Float
    gap: Float
    driver_enps: Float
    driver_alignment: Float
    leadership: int | None  # index of the leadership scope used for gaps
    priorities: Priorities | None
    coordination: Coordination
    released: dict[str, list[ScopeKey]] = field(default_factory=dict)  # variable -> scopes published at ``level``
    level: int | None = None

    def index(self) -> dict[ScopeKey, int]:
        return {key: i for i, key in enumerate(self.scopes)}

    def shown_scores(self) -> dict[tuple[ScopeKey, str], float]:
        """(scope, dimension) → score of every shown snapshot (the next round's deltas)."""
        out = {}
        for s, key in enumerate(self.scopes):
            for d, dim in enumerate(self.dimensions):
                if not self.dim_hidden[s, d]:
                    out[(key, dim)] = float(self.score[s, d])
        return out


def compute_round(data: RoundInput) -> RoundResult:
    """Every scope's published figures for one round. See the module docstring."""
    disclosure.check_threshold(data.threshold)
    tree = data.tree if data.tree is not None else build_tree(data.teams)
    n_layers = len(data.layers) + 1
    responses = np.asarray(data.responses, dtype=np.int64).reshape(-1, 3)
    batch = None if data.batch is None else np.asarray(data.batch, dtype=np.int64) - 1
    counts = cells_.count(
        tree=tree,
        n_layers=n_layers,
        responses=responses,
        answers=np.asarray(data.answers, dtype=np.int64).reshape(-1, 5),
        questions=data.questions,
        invitations=np.asarray(data.invitations, dtype=np.int64).reshape(-1, 3),
        dimensions=data.dimensions,
        leadership_ranking=data.leadership_ranking,
        batch=batch,
        batches=data.batches,
    )
    cols, dims = counts.columns, counts.dimensions
    r0, i0 = cols.respondents.start, cols.invited.start
    everything = counts.per_cell()
    present = Parts.of(tree, n_layers, everything[:, [r0]] + everything[:, [i0]])
    scopes = build_scopes(tree, data.layers, present, everything[:, r0])
    index = scopes.index()
    history = {
        variable: [(index[key], level) for key, level in rows if key in index]
        for variable, rows in data.history.items()
    }
    level = data.level
    pub = Publisher(tree=tree, counts=counts, scopes=scopes, threshold=data.threshold, history=history, level=level)

    # What may be published.
    resp = pub.decide(RESPONDENTS, r0)
    not_now = {s for s in range(len(scopes)) if resp.level[s] != level}
    by_dim: list[Decision] = []
    cache: dict[tuple, Decision] = {}
    for d, dim in enumerate(dims):
        column = cols.dim_respondents.start + d
        key = (counts.features[:, column].tobytes(), tuple(history.get(dim, ())))
        same_as_scope = key == (counts.features[:, r0].tobytes(), tuple(history.get(RESPONDENTS, ())))
        if same_as_scope:
            by_dim.append(resp)
        else:
            if key not in cache:
                # Some respondents skipped this dimension: protect its own counts too.
                cache[key] = pub.decide(dim, column, hidden=not_now)
            by_dim.append(cache[key])
    final = data.final and level is not None
    comments = (
        pub.decide(COMMENTS, r0, threshold=max(data.comment_threshold, data.threshold), lists=True, hidden=not_now)
        if final
        else None
    )
    pickers = pub.decide(PICKERS, cols.pickers.start, hidden=not_now) if final and len(counts.picked) else None

    # The figures, each from the level its scope is published at.
    n_scopes, n_dims = len(scopes), len(dims)
    levels = {int(v) for dec in (resp, *by_dim) for v in dec.level.tolist() if v}
    aggregated = {lvl: pub.parts(lvl).gather(scopes.source) for lvl in levels}
    summaries = {lvl: summarize(agg, counts) for lvl, agg in aggregated.items()}
    shape = (n_scopes, n_dims)
    figures = {
        name: np.full(shape, np.nan) for name in ("mean", "score", "favorable_share", "unfavorable_share", "spread")
    }
    dim_respondents = np.zeros(shape, dtype=np.int64)
    for d, dec in enumerate(by_dim):
        for lvl in levels:
            rows = dec.level == lvl
            if rows.any():
                for name, arr in figures.items():
                    arr[rows, d] = getattr(summaries[lvl], name)[rows, d]
                dim_respondents[rows, d] = aggregated[lvl][rows, cols.dim_respondents.start + d].round()
    dim_hidden = np.stack([dec.hidden for dec in by_dim], axis=1) if n_dims else np.zeros(shape, dtype=bool)
    for arr in figures.values():
        arr[dim_hidden] = np.nan
    respondents = np.zeros(n_scopes, dtype=np.int64)
    for lvl in levels:
        rows = resp.level == lvl
        respondents[rows] = aggregated[lvl][rows, r0].round()
    invited = Parts.of(tree, n_layers, everything[:, [i0]]).gather(scopes.source)[:, 0].round().astype(np.int64)
    score = figures["score"]
    gap = gaps(score, scopes.leadership)
    delta = deltas(score, scopes.keys, dims, data.previous_scores)
    if final:
        final_agg = pub.parts(level).gather(scopes.source)
        driver_enps, driver_alignment = drivers(final_agg, counts, data.driver_min_respondents)
        for arr in (driver_enps, driver_alignment):
            arr[dim_hidden] = np.nan
            arr[(np.stack([dec.level for dec in by_dim], axis=1) != level) if n_dims else dim_hidden] = np.nan
        prio = priorities(final_agg, counts, pickers.hidden, pickers.reason) if pickers is not None else None
        coord = coordination(tree, counts.ratings, counts.rater_team, data.threshold, data.dependencies)
    else:
        driver_enps, driver_alignment = np.full(shape, np.nan), np.full(shape, np.nan)
        prio, coord = None, Coordination.empty()

    released: dict[str, list[ScopeKey]] = {}
    if level is not None:
        released[RESPONDENTS] = [scopes.keys[s] for s in resp.new]
        for dim, dec in zip(dims, by_dim, strict=True):
            released[dim] = [scopes.keys[s] for s in dec.new]
    return RoundResult(
        scopes=scopes.keys,
        respondents=respondents,
        invited=invited,
        hidden=resp.hidden,
        reason=resp.reason,
        comments_released=~comments.hidden if comments is not None else np.zeros(n_scopes, dtype=bool),
        dimensions=dims,
        dim_respondents=dim_respondents,
        dim_hidden=dim_hidden,
        dim_reason=[[dec.reason[s] for dec in by_dim] for s in range(n_scopes)],
        gap=gap,
        delta=delta,
        driver_enps=driver_enps,
        driver_alignment=driver_alignment,
        leadership=scopes.leadership,
        priorities=prio,
        coordination=coord,
        released=released,
        level=level,
        **figures,
    )
