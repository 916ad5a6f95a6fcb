"""Scoring one survey round: from the round's answers to every scope's published figures.

Django-free, like ``scoring.py``: :func:`compute_round` takes plain arrays
(:class:`RoundInput`, loaded by ``insights.recompute``) and returns a
:class:`RoundResult` that the services write as snapshots. One module per step:

1. ``cells.count`` — count the answers per atom (team × layer × release batch);
2. ``scopes.build_scopes`` — the scopes, the cells each sums, their hierarchy;
3. ``publish.decide_round`` — what may be published, per variable (the disclosure-control audit);
4. ``figures.round_figures`` — scores, shares, spreads, gaps, deltas, drivers, priority alignment;
5. ``coordination.coordination`` — the rater × rated matrix.
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
from insights.engine.figures import Priorities, round_figures
from insights.engine.publish import Publisher, decide_round
from insights.engine.scopes import Parts, Scopes, build_scopes
from insights.engine.tree import TeamRow, Tree, build_tree
from insights.vocabulary import ScopeKey

__all__ = ["Question", "RoundInput", "RoundResult", "Tree", "build_tree", "compute_round"]

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]


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
    """Every scope's published figures for one round, step by step (see the module docstring)."""
    disclosure.check_threshold(data.threshold)
    tree = data.tree if data.tree is not None else build_tree(data.teams)
    counts = _count(data, tree)
    scopes = _scopes(data, tree, counts)
    index = scopes.index()
    history = {
        variable: [(index[key], level) for key, level in rows if key in index]
        for variable, rows in data.history.items()
    }
    pub = Publisher(
        tree=tree, counts=counts, scopes=scopes, threshold=data.threshold, history=history, level=data.level
    )
    final = data.final and data.level is not None
    decided = decide_round(pub, comment_threshold=data.comment_threshold, final=final)
    figures = round_figures(
        pub,
        decided,
        previous_scores=data.previous_scores,
        driver_min_respondents=data.driver_min_respondents,
        final=final,
    )
    if final:
        coord = coordination(tree, counts.ratings, counts.rater_team, data.threshold, data.dependencies)
    else:
        coord = Coordination.empty()
    n_scopes = len(scopes)
    return RoundResult(
        scopes=scopes.keys,
        respondents=figures.respondents,
        invited=figures.invited,
        hidden=decided.respondents.hidden,
        reason=decided.respondents.reason,
        comments_released=(
            ~decided.comments.hidden if decided.comments is not None else np.zeros(n_scopes, dtype=bool)
        ),
        dimensions=counts.dimensions,
        dim_respondents=figures.dim_respondents,
        dim_hidden=figures.dim_hidden,
        dim_reason=[[dec.reason[s] for dec in decided.dimensions] for s in range(n_scopes)],
        mean=figures.mean,
        score=figures.score,
        favorable_share=figures.favorable_share,
        unfavorable_share=figures.unfavorable_share,
        spread=figures.spread,
        gap=figures.gap,
        delta=figures.delta,
        driver_enps=figures.driver_enps,
        driver_alignment=figures.driver_alignment,
        leadership=scopes.leadership,
        priorities=figures.priorities,
        coordination=coord,
        released=decided.released(scopes.keys, counts.dimensions) if data.level is not None else {},
        level=data.level,
    )


def _count(data: RoundInput, tree: Tree) -> cells_.Counts:
    """Step 1: the round's answers counted per atom."""
    batch = None if data.batch is None else np.asarray(data.batch, dtype=np.int64) - 1
    return cells_.count(
        tree=tree,
        n_layers=len(data.layers) + 1,
        responses=np.asarray(data.responses, dtype=np.int64).reshape(-1, 3),
        answers=np.asarray(data.answers, dtype=np.int64).reshape(-1, 5),
        questions=data.questions,
        invitations=np.asarray(data.invitations, dtype=np.int64).reshape(-1, 3),
        dimensions=data.dimensions,
        leadership_ranking=data.leadership_ranking,
        batch=batch,
        batches=data.batches,
    )


def _scopes(data: RoundInput, tree: Tree, counts: cells_.Counts) -> Scopes:
    """Step 2: the scopes that exist (someone invited or answering) and their hierarchy."""
    cols = counts.columns
    everything = counts.per_cell()
    r0, i0 = cols.respondents.start, cols.invited.start
    present = Parts.of(tree, counts.n_layers, everything[:, [r0]] + everything[:, [i0]])
    return build_scopes(tree, data.layers, present, everything[:, r0])
