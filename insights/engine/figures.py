"""Step 4 of scoring a round: the figures of every scope, from its sums.

``scoring.summaries`` for scores, favorable shares and spreads; gaps against the
leadership scope; deltas against the previous round; drivers with
``scoring.pearson_from_sums``; priority alignment. Each is computed from the
summed features of the level (batches) at which the scope is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from insights import scoring
from insights.engine.cells import VALUES, Counts
from insights.engine.publish import Publisher, RoundDecisions
from insights.engine.scopes import Parts
from insights.vocabulary import ENPS, OUTCOMES, ScopeKey

Float = npt.NDArray[np.float64]
Int = npt.NDArray[np.int64]


@dataclass
class Summary:
    mean: Float
    score: Float
    favorable_share: Float
    unfavorable_share: Float
    spread: Float


def summarize(agg: Float, counts: Counts) -> Summary:
    """Per scope × dimension: pooled Likert summaries, and eNPS for ``enps``."""
    cols, dims = counts.columns, counts.dimensions
    n_scopes, n_dims = agg.shape[0], len(dims)
    hists = agg[:, cols.hist].round().astype(np.int64).reshape(n_scopes, n_dims, VALUES)
    shape = (n_scopes, n_dims)
    out = Summary(*(np.full(shape, np.nan) for _ in range(5)))
    likert = [d for d, name in enumerate(dims) if name != ENPS]
    if likert:
        lik = scoring.summaries(hists[:, likert, 0:6])
        for name in ("mean", "score", "favorable_share", "unfavorable_share", "spread"):
            getattr(out, name)[:, likert] = getattr(lik, name)
    if ENPS in dims:
        d = dims.index(ENPS)
        en = scoring.summaries(hists[:, d, :])
        for name in ("mean", "score", "favorable_share", "unfavorable_share", "spread"):
            getattr(out, name)[:, d] = getattr(en, name)
    return out


def drivers(agg: Float, counts: Counts, min_pairs: int) -> list[Float]:
    """Per outcome (eNPS, alignment): [scope, dimension] Pearson r (NaN below ``min_pairs``)."""
    cols, dims = counts.columns, counts.dimensions
    sums = agg[:, cols.drivers].reshape(agg.shape[0], len(dims), len(OUTCOMES), 6)
    out = []
    for o, outcome in enumerate(OUTCOMES):
        r = scoring.pearson_from_sums(*(sums[:, :, o, j] for j in range(6)), min_pairs=min_pairs)
        if outcome in dims:
            r[:, dims.index(outcome)] = np.nan  # a dimension against itself
        out.append(r)
    return out


def gaps(score: Float, leadership: int | None) -> Float:
    """Leadership's score minus each scope's (NaN on the leadership row and where either is missing)."""
    if leadership is None:
        return np.full(score.shape, np.nan)
    gap = score[leadership][None, :] - score
    gap[leadership] = np.nan
    return gap


def deltas(
    score: Float, keys: list[ScopeKey], dims: list[str], previous: Mapping[tuple[ScopeKey, str], float]
) -> Float:
    """Score minus the same scope's score in the previous round (NaN when either is missing)."""
    delta = np.full(score.shape, np.nan)
    if previous:
        for s, key in enumerate(keys):
            for d, dim in enumerate(dims):
                before = previous.get((key, dim))
                if before is not None:
                    delta[s, d] = score[s, d] - before
    return delta


@dataclass
class Priorities:
    respondents: Int  # per scope: respondents with at least one pick
    hidden: npt.NDArray[np.bool_]
    reason: list[str]  # per scope: "" shown, "few" or "protect"
    top_priority: int | None
    top_priority_share: Float
    top_overlap: Float
    pick_counts: list[dict[str, int] | None]


def priorities(agg: Float, counts: Counts, hidden: npt.NDArray[np.bool_], reason: list[str]) -> Priorities | None:
    """Priority alignment per scope (None when nobody picked); hidden scopes get no figures."""
    if not len(counts.picked):
        return None
    cols, k = counts.columns, counts.top
    pickers = agg[:, cols.pickers.start].round().astype(np.int64)
    off = hidden | (pickers == 0) | (k == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(off, np.nan, agg[:, cols.named_top.start] / pickers)
        overlap = np.where(off, np.nan, agg[:, cols.overlap.start] / (pickers * max(k, 1)))
    picks = agg[:, cols.picks].round().astype(np.int64)
    labels = [str(pid) for pid in counts.picked.tolist()]
    return Priorities(
        respondents=pickers,
        hidden=hidden,
        reason=reason,
        top_priority=int(counts.ranking[0]) if counts.ranking else None,
        top_priority_share=share,
        top_overlap=overlap,
        pick_counts=[
            None if h else {label: c for label, c in zip(labels, row, strict=True) if c}
            for h, row in zip(hidden.tolist(), picks.tolist(), strict=True)
        ],
    )


@dataclass
class RoundFigures:
    """Every scope's figures of a round: per scope, or [scope, dimension]; NaN where hidden."""

    respondents: Int
    invited: Int
    dim_respondents: Int
    dim_hidden: npt.NDArray[np.bool_]
    mean: Float
    score: Float
    favorable_share: Float
    unfavorable_share: Float
    spread: Float
    gap: Float
    delta: Float
    driver_enps: Float
    driver_alignment: Float
    priorities: Priorities | None


def round_figures(
    pub: Publisher,
    decided: RoundDecisions,
    *,
    previous_scores: Mapping[tuple[ScopeKey, str], float],
    driver_min_respondents: int,
    final: bool,
) -> RoundFigures:
    """The figures of every scope, each from the sums of the level its scope is published at.

    Scores, shares and spreads per dimension from that dimension's decision; respondent
    counts from the respondents' decision; invitations over every batch; gaps and deltas from
    the scores. Once ``final``: drivers (only where a dimension is published at the decided
    level) and priority alignment, from the sums at that level.
    """
    counts, scopes, cols = pub.counts, pub.scopes, pub.counts.columns
    n_scopes, n_dims = len(scopes), len(counts.dimensions)
    shape = (n_scopes, n_dims)
    levels = decided.levels()
    aggregated = {lvl: pub.parts(lvl).gather(scopes.source) for lvl in levels}
    summaries = {lvl: summarize(agg, counts) for lvl, agg in aggregated.items()}
    summary = {f.name: np.full(shape, np.nan) for f in fields(Summary)}
    dim_respondents = np.zeros(shape, dtype=np.int64)
    for d, dec in enumerate(decided.dimensions):
        for lvl in levels:
            rows = dec.level == lvl
            if rows.any():
                for name, arr in summary.items():
                    arr[rows, d] = getattr(summaries[lvl], name)[rows, d]
                dim_respondents[rows, d] = aggregated[lvl][rows, cols.dim_respondents.start + d].round()
    hidden_by_dim = [dec.hidden for dec in decided.dimensions]
    dim_hidden = np.stack(hidden_by_dim, axis=1) if n_dims else np.zeros(shape, dtype=bool)
    for arr in summary.values():
        arr[dim_hidden] = np.nan
    respondents = np.zeros(n_scopes, dtype=np.int64)
    for lvl in levels:
        rows = decided.respondents.level == lvl
        respondents[rows] = aggregated[lvl][rows, cols.respondents.start].round()
    invitations = counts.per_cell()[:, [cols.invited.start]]
    invited = Parts.of(pub.tree, counts.n_layers, invitations).gather(scopes.source)[:, 0].round().astype(np.int64)
    gap = gaps(summary["score"], scopes.leadership)
    delta = deltas(summary["score"], scopes.keys, counts.dimensions, previous_scores)
    prio = None
    if final:
        assert pub.level is not None  # final implies a decided level (engine.run)
        final_agg = pub.parts(pub.level).gather(scopes.source)
        driver_enps, driver_alignment = drivers(final_agg, counts, driver_min_respondents)
        if n_dims:
            not_at_level = np.stack([dec.level for dec in decided.dimensions], axis=1) != pub.level
        else:
            not_at_level = dim_hidden
        for arr in (driver_enps, driver_alignment):
            arr[dim_hidden] = np.nan
            arr[not_at_level] = np.nan
        if decided.pickers is not None:
            prio = priorities(final_agg, counts, decided.pickers.hidden, decided.pickers.reason)
    else:
        driver_enps, driver_alignment = np.full(shape, np.nan), np.full(shape, np.nan)
    return RoundFigures(
        respondents=respondents,
        invited=invited,
        dim_respondents=dim_respondents,
        dim_hidden=dim_hidden,
        gap=gap,
        delta=delta,
        driver_enps=driver_enps,
        driver_alignment=driver_alignment,
        priorities=prio,
        **summary,
    )
