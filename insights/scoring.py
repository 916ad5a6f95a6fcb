"""The formulas production runs, in the form it runs them (arrays, additive sums).

This module imports no Django: it takes numpy arrays and pandas DataFrames and returns
arrays, so the engine (``insights.engine``) calls it for a whole round at once. It holds
one implementation per figure and nothing that production does not call: the readable
scalar versions of every formula in ``docs/scoring.md`` live in ``tests/insights/oracles.py``
as test oracles, and ``tests/insights/test_engine_oracles.py`` compares the engine's stored
figures with them on random rounds. ``docs/scoring.md`` names, for each figure, the
function here (or in the engine) that computes it.

Representation
--------------
Answers are discrete, so the engine hands us per-scope *histograms*: integer arrays
whose last axis is the answer value and whose entry is how many answers had that value.

* Likert 1–5: length 6, index 0 unused and always 0 (``h[v]`` = answers of value ``v``).
  Index == value keeps the formulas free of off-by-one offsets and lets one moment
  function serve both scales.
* 0–10 (eNPS): length 11.

Histograms add, so a department's histogram is the sum of its teams' and a whole team
tree is scored exactly in one pass (:func:`rollup_subtrees`) without raw answers ever
leaving the database. The six Pearson sums add the same way (:func:`pearson_from_sums`).

Units: *shares* are fractions 0–1; *scores* are 0–100; eNPS and gaps are points. What
cannot be computed (no answers, a suppressed side) is NaN.

Public API
----------
``summaries(hists) -> Summaries``
    mean, score (0–100, or eNPS for 0–10), favorable/unfavorable shares, spread — the
    engine's snapshots (``insights.engine.figures.summarize``) and the 360° report.
``participation_rates(respondents, invited)``
    responses ÷ invitations, clamped at 1.0 (the stored ``Participation.rate``).
``pearson_from_sums(n, sx, sy, sxx, syy, sxy, min_pairs=30)``
    drivers (``insights.engine.figures.drivers``).
``asymmetry(mean)``
    the coordination page's asymmetry table.
``rollup_subtrees(parent_of, own, zero=None)``, ``team_depths(parent_of)``
    the team tree (``insights.engine.scopes``, ``insights.engine.tree``).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from insights.disclosure import MIN_ANONYMITY_THRESHOLD

T = TypeVar("T", bound=Hashable)

LIKERT_LENGTH = 6  # index 0 unused
ENPS_LENGTH = 11
FAVORABLE_VALUES = (4, 5)
UNFAVORABLE_VALUES = (1, 2)
PROMOTER_VALUES = (9, 10)
DETRACTOR_VALUES = range(0, 7)

DEFAULT_DRIVER_MIN_RESPONDENTS = 30


# --------------------------------------------------------------------------
# Histograms
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Summaries:
    """The summaries of many histograms at once (docs/scoring.md, "Likert items", "eNPS").

    Arrays of the histograms' leading shape; NaN where a histogram is empty.
    ``score`` is the 0–100 score for Likert and the eNPS (−100..100) for
    0–10 histograms; ``favorable_share`` / ``unfavorable_share`` are the
    shares of 4–5 / 1–2 answers (Likert) or of promoters / detractors (0–10).
    """

    n: npt.NDArray[np.int64]
    mean: npt.NDArray[np.float64]
    score: npt.NDArray[np.float64]
    favorable_share: npt.NDArray[np.float64]
    unfavorable_share: npt.NDArray[np.float64]
    spread: npt.NDArray[np.float64]


def summaries(hists: npt.ArrayLike) -> Summaries:
    """Vectorised summaries of a stack of histograms (last axis = value).

    The Likert formulas (last axis of length 6) and eNPS (length 11; ``tests/insights/oracles.py``
    has both as scalar formulas), computed with array operations so a
    round's thousands of scope × dimension cells cost one call, not one
    Python call each.
    """
    h = np.asarray(hists)
    if h.ndim < 1 or h.shape[-1] not in (LIKERT_LENGTH, ENPS_LENGTH):
        raise ValueError(f"histograms must end in an axis of length 6 or 11, got {h.shape}")
    if h.dtype.kind not in "iu" or (h < 0).any():
        raise ValueError("histogram counts must be non-negative integers")
    likert = h.shape[-1] == LIKERT_LENGTH
    if likert and h[..., 0].any():
        raise ValueError("Likert histograms are indexed by value; index 0 must be 0")
    h = h.astype(np.int64, copy=False)
    n = h.sum(axis=-1)
    values = np.arange(h.shape[-1], dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (h @ values) / n
        spread = np.sqrt(np.maximum(((values - mean[..., None]) ** 2 * h).sum(axis=-1) / n, 0.0))
        if likert:
            favorable = h[..., list(FAVORABLE_VALUES)].sum(axis=-1) / n
            unfavorable = h[..., list(UNFAVORABLE_VALUES)].sum(axis=-1) / n
            score = (mean - 1.0) / 4.0 * 100.0
        else:
            favorable = h[..., list(PROMOTER_VALUES)].sum(axis=-1) / n
            unfavorable = h[..., list(DETRACTOR_VALUES)].sum(axis=-1) / n
            score = 100.0 * (favorable - unfavorable)
    return Summaries(n, mean, score, favorable, unfavorable, spread)


# --------------------------------------------------------------------------
# Participation
# --------------------------------------------------------------------------


def participation_rates(respondents: npt.ArrayLike, invited: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Responses ÷ invitations per scope, clamped at 1.0; NaN where nobody was invited.

    The policy, decided once (docs/scoring.md, "Participation"): an invitation keeps the
    team and layer its person had when the round opened, a response those of when it was
    given, so someone who moved into a scope in between counts as a response there without
    an invitation. That is not an error, and must never read as more than 100 %.
    """
    n = np.asarray(respondents, dtype=np.float64)
    i = np.asarray(invited, dtype=np.float64)
    if (n < 0).any() or (i < 0).any():
        raise ValueError("counts must be non-negative")
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(i > 0, np.minimum(n / np.where(i > 0, i, 1.0), 1.0), np.nan)


# --------------------------------------------------------------------------
# Coordination
# --------------------------------------------------------------------------


ASYMMETRY_COLUMNS = ["team_a", "team_b", "a_rates_b", "b_rates_a", "difference"]


def asymmetry(mean: pd.DataFrame) -> pd.DataFrame:
    """Pairs rated in both directions, widest gap first.

    Each pair appears once, oriented so ``team_a`` is the one giving the
    higher rating: "A rates B well while B rates A poorly" reads directly,
    and ``difference`` = a_rates_b − b_rates_a ≥ 0. ``mean`` is rater teams ×
    rated teams of the *shown* cells' means (NaN elsewhere), so suppressed cells
    never appear. Ties are ordered by team ids, which must therefore be mutually
    comparable.
    """
    cells = mean.stack().dropna()
    value = {(rater, rated): float(v) for (rater, rated), v in cells.items()}
    rows = []
    for (a, b), a_rates_b in value.items():
        b_rates_a = value.get((b, a))
        if b_rates_a is None or a == b:
            continue
        if a_rates_b > b_rates_a or (a_rates_b == b_rates_a and a < b):
            rows.append((a, b, a_rates_b, b_rates_a, a_rates_b - b_rates_a))
    out = pd.DataFrame(rows, columns=ASYMMETRY_COLUMNS)
    out = out.sort_values(["difference", "team_a", "team_b"], ascending=[False, True, True])
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------
# Drivers
# --------------------------------------------------------------------------


def pearson_from_sums(
    n: npt.ArrayLike,
    sx: npt.ArrayLike,
    sy: npt.ArrayLike,
    sxx: npt.ArrayLike,
    syy: npt.ArrayLike,
    sxy: npt.ArrayLike,
    *,
    min_pairs: int = DEFAULT_DRIVER_MIN_RESPONDENTS,
) -> npt.NDArray[np.float64]:
    """Pearson correlation from sums over the complete (x, y) pairs.

    ``r = (n·Σxy − Σx·Σy) / sqrt((n·Σx² − (Σx)²) · (n·Σy² − (Σy)²))``, the
    same r as the textbook form (``oracles.pearson``). The six sums *add*: a team's sums are
    the sum of its members', so every scope of the team tree gets its
    drivers from per-team sums, as histograms do for scores. NaN below
    ``min_pairs`` pairs and where x or y does not vary.
    """
    if min_pairs < MIN_ANONYMITY_THRESHOLD:
        raise ValueError(f"min_pairs must be at least {MIN_ANONYMITY_THRESHOLD}")
    n, sx, sy, sxx, syy, sxy = (np.asarray(a, dtype=np.float64) for a in (n, sx, sy, sxx, syy, sxy))
    vx = n * sxx - sx * sx
    vy = n * syy - sy * sy
    # Relative tolerance: n·Σx² − (Σx)² of a constant column is rounding noise, not variation.
    flat = (vx <= 1e-9 * np.maximum(n * sxx, 1.0)) | (vy <= 1e-9 * np.maximum(n * syy, 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (n * sxy - sx * sy) / np.sqrt(vx * vy)
    r = np.clip(r, -1.0, 1.0)
    return np.where((n < min_pairs) | flat, np.nan, r)


# --------------------------------------------------------------------------
# Trees
# --------------------------------------------------------------------------


def _top_down(parent_of: Mapping[T, T | None]) -> list[T]:
    """Teams ordered parents first (breadth-first); raises on unknown parents
    and cycles. Iterative, so no recursion limit on deep trees."""
    children: dict[T, list[T]] = {team: [] for team in parent_of}
    order: list[T] = []
    for team, parent in parent_of.items():
        if parent is None:
            order.append(team)
        elif parent not in children:
            raise ValueError(f"team {team!r} has unknown parent {parent!r}")
        else:
            children[parent].append(team)
    for team in order:  # grows while we walk it
        order.extend(children[team])
    if len(order) != len(parent_of):
        raise ValueError("team tree has a cycle")
    return order


def rollup_subtrees(parent_of: Mapping[T, T | None], own: Mapping[T, Any], *, zero: Any = None) -> dict[T, Any]:
    """Subtree totals: each team's own value plus all its descendants'.

    ``parent_of`` maps every team to its parent (None for roots); ``own``
    holds each team's direct value (histograms, respondent counts: anything
    that adds). Teams absent from ``own`` count as ``zero``, which defaults
    to ``first value * 0``. O(teams); inputs are never modified or aliased.
    """
    unknown = [team for team in own if team not in parent_of]
    if unknown:
        raise ValueError(f"values for teams outside the tree: {unknown!r}")
    if zero is None:
        if not own:
            raise ValueError("pass zero= when no team has a value")
        zero = next(iter(own.values())) * 0
    order = _top_down(parent_of)
    # "+ zero" makes fresh objects: callers may mutate results without
    # touching their inputs.
    totals = {team: own.get(team, zero) + zero for team in order}
    for team in reversed(order):
        parent = parent_of[team]
        if parent is not None:
            totals[parent] = totals[parent] + totals[team]  # new object: no aliasing
    return totals


def team_depths(parent_of: Mapping[T, T | None]) -> dict[T, int]:
    """Depth of each team (roots 0), for the alignment gap by tree depth."""
    depth: dict[T, int] = {}
    for team in _top_down(parent_of):
        parent = parent_of[team]
        depth[team] = 0 if parent is None else depth[parent] + 1
    return depth
