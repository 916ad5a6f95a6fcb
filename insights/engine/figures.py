"""Step 4 of scoring a round: the figures of every scope, from its sums.

``scoring.summaries`` for scores, favorable shares and spreads; gaps against the
leadership scope; deltas against the previous round; drivers with
``scoring.pearson_from_sums``; priority alignment. Each is computed from the
summed features of the level (batches) at which the scope is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from insights import scoring
from insights.engine.cells import VALUES, Counts
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
