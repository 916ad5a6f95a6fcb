"""Pure scoring formulas for Peak OS.

This module imports no Django: it takes numbers, numpy arrays and pandas
DataFrames and returns numbers, so every formula can be tested exhaustively,
benchmarked, and reused by workers and the API alike. ``docs/scoring.md``
states each formula with a worked example that
``tests/insights/test_scoring.py`` reproduces.

Representation
--------------
Answers are discrete, so the engine hands us per-scope *histograms*: a 1-D
numpy integer array whose index is the answer value and whose entry is how
many answers had that value.

* Likert 1–5: length 6, index 0 unused and always 0 (``hist[v]`` = answers of
  value ``v``). Index == value keeps the formulas free of off-by-one offsets
  and lets one moment function serve both scales.
* 0–10 (eNPS): length 11.

Histograms add, so a department's histogram is the sum of its teams' and a
whole team tree is scored exactly in one pass (:func:`rollup_subtrees`)
without raw answers ever leaving the database.

Units: *shares* are fractions 0–1 (favorable share, participation, priority
shares; the UI multiplies by 100); *scores* are 0–100; eNPS and gaps are
points. Anything that cannot be computed (no answers, a suppressed side) is
``None`` in scalar results and NaN inside DataFrames.

Public API
----------
Histograms and scales
    ``likert_histogram(answers)``, ``enps_histogram(answers)``,
    ``likert_summary(hist) -> LikertSummary``, ``score_from_mean(mean)``,
    ``dimension_summary(item_hists) -> LikertSummary``,
    ``disagreement(hist)``, ``enps_summary(hist) -> EnpsSummary``, ``enps(hist)``,
    ``summaries(hists) -> Summaries`` (the same, vectorised over many histograms)
Comparisons
    ``participation(responses, invitations)``, ``delta(current, previous)``,
    ``alignment_gap(leadership_score, scores)``
Priorities
    ``priority_alignment(leadership_ranking, picks, top=3)``,
    ``priority_pick_counts(picks)``
Coordination
    ``coordination_matrix(ratings, threshold=None) -> CoordinationMatrix``,
    ``received_coordination(ratings, threshold=None)``, ``asymmetry(mean)``
Drivers
    ``driver_analysis(per_respondent, outcomes=..., min_respondents=30)``,
    ``pearson_from_sums(n, sx, sy, sxx, syy, sxy, min_pairs=30)`` (additive form)
Anonymity
    ``suppressed(n, threshold)``,
    ``comment_threshold_ok(respondents, comment_threshold, score_threshold=)``,
    ``Scope``, ``protect_differencing(scopes, threshold, hidden=()) -> set``
Trees
    ``rollup_subtrees(parent_of, own, zero=None)``, ``team_depths(parent_of)``
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from insights.disclosure import MIN_ANONYMITY_THRESHOLD, Scope, check_threshold, protect_differencing
from insights.vocabulary import OUTCOMES

Histogram = npt.NDArray[np.int64]
ScopeId = Hashable
K = TypeVar("K", bound=Hashable)
T = TypeVar("T", bound=Hashable)

LIKERT_VALUES = (1, 2, 3, 4, 5)
LIKERT_LENGTH = 6  # index 0 unused
ENPS_VALUES = range(0, 11)
ENPS_LENGTH = 11
FAVORABLE_VALUES = (4, 5)
UNFAVORABLE_VALUES = (1, 2)
PROMOTER_VALUES = (9, 10)
DETRACTOR_VALUES = range(0, 7)

DEFAULT_ANONYMITY_THRESHOLD = 5
DEFAULT_COMMENT_THRESHOLD = 10
DEFAULT_DRIVER_MIN_RESPONDENTS = 30
PARTICIPATION_TARGET = 0.75
PARTICIPATION_FLAG_BELOW = 0.60

RATING_COLUMNS = ("rater_team", "rated_team", "value")


# --------------------------------------------------------------------------
# Histograms and scales
# --------------------------------------------------------------------------


def _histogram(answers: Iterable[int], length: int) -> Histogram:
    values = np.fromiter(answers, dtype=np.int64)
    if values.size and (values.min() < 0 or values.max() >= length):
        raise ValueError(f"answers must lie in 0..{length - 1}")
    return np.bincount(values, minlength=length).astype(np.int64)


def _as_histogram(hist: npt.ArrayLike, lengths: tuple[int, ...]) -> Histogram:
    """Validate a histogram early: a wrong length is the classic silent bug
    (a 5-long Likert array would shift every value by one)."""
    arr = np.asarray(hist)
    if arr.ndim != 1 or arr.shape[0] not in lengths:
        raise ValueError(f"histogram must be 1-D with length in {lengths}, got {arr.shape}")
    if arr.dtype.kind not in "iu":
        raise ValueError("histogram counts must be integers")
    if (arr < 0).any():
        raise ValueError("histogram counts must be non-negative")
    if arr.shape[0] == LIKERT_LENGTH and arr[0] != 0:
        raise ValueError("Likert histograms are indexed by value; index 0 must be 0")
    return arr.astype(np.int64, copy=False)


def _moments(hist: Histogram) -> tuple[int, float | None, float | None]:
    """Count, mean and population standard deviation of the answer values.

    Population (not sample) deviation: the scope *is* the population we
    describe, and it makes 1/1/5/5 read as exactly 2 scale points.
    """
    n = int(hist.sum())
    if n == 0:
        return 0, None, None
    values = np.arange(hist.shape[0], dtype=np.float64)
    mean = float(values @ hist) / n
    variance = float(((values - mean) ** 2) @ hist) / n
    return n, mean, math.sqrt(variance)


def likert_histogram(answers: Iterable[int]) -> Histogram:
    """Histogram (length 6, index = value) of Likert answers 1–5."""
    hist = _histogram(answers, LIKERT_LENGTH)
    if hist[0]:
        raise ValueError("Likert answers must lie in 1..5")
    return hist


def enps_histogram(answers: Iterable[int]) -> Histogram:
    """Histogram (length 11, index = value) of 0–10 answers."""
    return _histogram(answers, ENPS_LENGTH)


def score_from_mean(mean: float | None) -> float | None:
    """Map a 1–5 mean onto 0–100: (mean − 1) / 4 × 100.

    A 0–100 score reads like a percentage and lets dimensions, layers and
    coordination be compared on one axis.
    """
    return None if mean is None else (mean - 1.0) / 4.0 * 100.0


@dataclass(frozen=True)
class LikertSummary:
    """Everything we show about a Likert histogram; all None when n == 0.

    ``n`` counts answers. For one item it equals the respondents who answered
    it; for a pooled dimension it is larger, so anonymity decisions must use
    the scope's respondent count, never this ``n``.
    """

    n: int
    mean: float | None
    score: float | None  # 0–100
    favorable_share: float | None  # 0–1, answers 4–5
    unfavorable_share: float | None  # 0–1, answers 1–2
    spread: float | None  # population standard deviation, 0–2 scale points
    polarization: float | None  # 0–1, 2 × min(favorable, unfavorable)


def likert_summary(hist: npt.ArrayLike) -> LikertSummary:
    """Summarise a Likert 1–5 histogram (length 6, index 0 unused).

    Polarization complements spread: spread is high both for "two camps" and
    for "answers all over the scale"; polarization is 1 only when half the
    answers are favorable and half unfavorable, 0 when either camp is empty.
    """
    h = _as_histogram(hist, (LIKERT_LENGTH,))
    n, mean, spread = _moments(h)
    if n == 0:
        return LikertSummary(0, None, None, None, None, None, None)
    favorable = int(h[list(FAVORABLE_VALUES)].sum()) / n
    unfavorable = int(h[list(UNFAVORABLE_VALUES)].sum()) / n
    return LikertSummary(
        n=n,
        mean=mean,
        score=score_from_mean(mean),
        favorable_share=favorable,
        unfavorable_share=unfavorable,
        spread=spread,
        polarization=2 * min(favorable, unfavorable),
    )


def dimension_summary(item_hists: Iterable[npt.ArrayLike]) -> LikertSummary:
    """Score a dimension by pooling all answers of its Likert items.

    Pooling (summing histograms) rather than averaging item means keeps the
    result summable up the team tree and gives every answer equal weight, so
    an item most people skipped cannot swing the dimension.
    """
    total = np.zeros(LIKERT_LENGTH, dtype=np.int64)
    for hist in item_hists:
        total = total + _as_histogram(hist, (LIKERT_LENGTH,))
    return likert_summary(total)


def disagreement(hist: npt.ArrayLike) -> float | None:
    """Spread of answers within a scope: the population standard deviation.

    A 3/3/3/3 team (0.0) and a 1/1/5/5 team (2.0) share a mean of 3 and live
    very different realities. Accepts Likert (length 6) or 0–10 (length 11)
    histograms; None when empty.
    """
    return _moments(_as_histogram(hist, (LIKERT_LENGTH, ENPS_LENGTH)))[2]


@dataclass(frozen=True)
class EnpsSummary:
    """eNPS with its three groups (shares 0–1); all None when n == 0."""

    n: int
    promoters_share: float | None
    passives_share: float | None
    detractors_share: float | None
    enps: float | None  # −100..100


def enps_summary(hist: npt.ArrayLike) -> EnpsSummary:
    """% promoters (9–10) − % detractors (0–6) of a 0–10 histogram."""
    h = _as_histogram(hist, (ENPS_LENGTH,))
    n = int(h.sum())
    if n == 0:
        return EnpsSummary(0, None, None, None, None)
    promoters = int(h[list(PROMOTER_VALUES)].sum())
    detractors = int(h[list(DETRACTOR_VALUES)].sum())
    return EnpsSummary(
        n=n,
        promoters_share=promoters / n,
        passives_share=(n - promoters - detractors) / n,
        detractors_share=detractors / n,
        enps=100 * (promoters - detractors) / n,
    )


def enps(hist: npt.ArrayLike) -> float | None:
    """eNPS of a 0–10 histogram, −100..100; None when empty."""
    return enps_summary(hist).enps


@dataclass(frozen=True)
class Summaries:
    """:func:`likert_summary` / :func:`enps_summary` for many histograms at once.

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

    The same formulas as :func:`likert_summary` (last axis of length 6) and
    :func:`enps_summary` (length 11), computed with array operations so a
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
# Comparisons
# --------------------------------------------------------------------------


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def participation(responses: int, invitations: int) -> float | None:
    """Responses ÷ invitations (0–1); None when nobody was invited.

    Both counts must come from the same snapshot of the scope (the team and
    layer recorded when the round was sent); more responses than invitations
    means they did not, and is raised rather than hidden behind a 100 %.
    """
    if responses < 0 or invitations < 0:
        raise ValueError("counts must be non-negative")
    if invitations == 0:
        return None
    if responses > invitations:
        raise ValueError("more responses than invitations")
    return responses / invitations


def delta(current: float | None, previous: float | None) -> float | None:
    """current − previous; None (not 0) when either side is missing or
    suppressed, so a hidden previous round never reads as "no change"."""
    if _missing(current) or _missing(previous):
        return None
    return float(current) - float(previous)  # type: ignore[arg-type]


def alignment_gap(leadership_score: float | None, scores: Mapping[K, float | None]) -> dict[K, float | None]:
    """Leadership's score minus each layer's (or each tree depth's) score.

    Positive = leadership believes more than the layer reports: the
    translation loss. None wherever either side is missing or suppressed.
    """
    return {key: delta(leadership_score, score) for key, score in scores.items()}


# --------------------------------------------------------------------------
# Priorities
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityAlignment:
    """How well respondents' priority picks match leadership's ranking."""

    respondents: int  # respondents with at least one pick
    top_priority_share: float | None  # 0–1, named leadership's #1 among picks
    top_overlap: float | None  # 0–1, mean |their top k ∩ leadership top k| / k


def _dedupe(items: Iterable[K]) -> list[K]:
    return list(dict.fromkeys(items))


def priority_alignment(
    leadership_ranking: Sequence[K], picks: Iterable[Sequence[K]], top: int = 3
) -> PriorityAlignment:
    """Compare each respondent's picks with leadership's own ranking.

    ``picks`` holds one list per respondent, most important first. Empty
    lists are respondents who skipped the question and are left out rather
    than counted as "wrong". Duplicates within a list count once. The
    overlap uses each respondent's first ``top`` picks against leadership's
    first ``top``; ``k`` is ``min(top, len(leadership_ranking))``.
    """
    ranking = _dedupe(leadership_ranking)
    if not ranking:
        raise ValueError("leadership ranking is empty")
    k = min(top, len(ranking))
    leader_top = set(ranking[:k])
    respondents = named_top = overlap = 0
    for pick_list in picks:
        chosen = _dedupe(pick_list)
        if not chosen:
            continue
        respondents += 1
        named_top += ranking[0] in chosen
        overlap += len(leader_top.intersection(chosen[:top]))
    if respondents == 0:
        return PriorityAlignment(0, None, None)
    return PriorityAlignment(respondents, named_top / respondents, overlap / (respondents * k))


def priority_pick_counts(picks: Iterable[Sequence[K]]) -> Counter[K]:
    """How many respondents picked each priority (duplicates count once)."""
    counts: Counter[K] = Counter()
    for pick_list in picks:
        counts.update(_dedupe(pick_list))
    return counts


# --------------------------------------------------------------------------
# Coordination
# --------------------------------------------------------------------------


def _clean_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    missing = set(RATING_COLUMNS) - set(ratings.columns)
    if missing:
        raise ValueError(f"ratings lack columns {sorted(missing)}")
    df = ratings.loc[:, list(RATING_COLUMNS)]
    if df.isna().any().any():
        raise ValueError("ratings contain missing values")
    if not df["value"].between(1, 5).all():
        raise ValueError("coordination ratings must lie in 1..5")
    # A team rating itself would only inflate its own received score.
    return df[df["rater_team"] != df["rated_team"]]


@dataclass(frozen=True)
class CoordinationMatrix:
    """Rater teams as rows, rated teams as columns.

    ``mean`` is NaN where there are no ratings or the cell is suppressed;
    ``count`` always holds the number of ratings (0 where none).
    """

    mean: pd.DataFrame
    count: pd.DataFrame


def coordination_matrix(ratings: pd.DataFrame, *, threshold: int | None = None) -> CoordinationMatrix:
    """Mean 1–5 rating each rater team gives each team it depends on.

    ``ratings`` has one row per (respondent, rated team): columns
    ``rater_team``, ``rated_team``, ``value``. With a ``threshold`` a cell is
    hidden when fewer respondents rated it, and also when it could be
    recovered from the rated team's received total (shown by
    :func:`received_coordination` with the same threshold) minus the other
    shown cells of its column: see :func:`protect_differencing`.
    """
    df = _clean_ratings(ratings)
    grouped = df.groupby(["rater_team", "rated_team"])["value"].agg(["mean", "count"])
    mean = grouped["mean"].astype(float).unstack("rated_team")
    count = grouped["count"].unstack("rated_team", fill_value=0).astype(np.int64)
    if threshold is not None:
        hidden = _hidden_cells(count, threshold)
        mean = mean.mask(hidden)
    return CoordinationMatrix(mean=mean, count=count)


def _hidden_cells(count: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Each rated team's column is a parent scope (its received total) whose
    cells partition it, so differencing protection applies column by column."""
    scopes: list[Scope] = []
    for rated in count.columns:
        cells = [("cell", rater, rated) for rater in count.index if count.at[rater, rated] > 0]
        scopes.append(Scope(("received", rated), int(count[rated].sum()), (tuple(cells),)))
        scopes.extend(Scope(cell, int(count.at[cell[1], rated])) for cell in cells)
    hidden = protect_differencing(scopes, threshold)
    mask = pd.DataFrame(False, index=count.index, columns=count.columns)
    for scope_id in hidden:
        if scope_id[0] == "cell":
            mask.at[scope_id[1], scope_id[2]] = True
    return mask


def received_coordination(ratings: pd.DataFrame, *, threshold: int | None = None) -> pd.DataFrame:
    """A team's coordination score: the mean of all ratings it receives.

    Ratings are pooled (every rating weighs the same), so a rater team with
    more members weighs more, exactly as for dimension scores. Returns one
    row per rated team with ``n``, ``mean`` (1–5) and ``score`` (0–100); mean
    and score are NaN where ``n`` < ``threshold``.
    """
    df = _clean_ratings(ratings)
    out = df.groupby("rated_team")["value"].agg(n="count", mean="mean")
    out["n"] = out["n"].astype(np.int64)
    out["mean"] = out["mean"].astype(float)
    out["score"] = (out["mean"] - 1.0) / 4.0 * 100.0
    if threshold is not None:
        check_threshold(threshold)
        out.loc[out["n"] < threshold, ["mean", "score"]] = np.nan
    return out


ASYMMETRY_COLUMNS = ["team_a", "team_b", "a_rates_b", "b_rates_a", "difference"]


def asymmetry(mean: pd.DataFrame) -> pd.DataFrame:
    """Pairs rated in both directions, widest gap first.

    Each pair appears once, oriented so ``team_a`` is the one giving the
    higher rating: "A rates B well while B rates A poorly" reads directly,
    and ``difference`` = a_rates_b − b_rates_a ≥ 0. Pass the (masked)
    ``CoordinationMatrix.mean`` so suppressed cells never appear. Ties are
    ordered by team ids, which must therefore be mutually comparable.
    """
    cells = mean.stack().dropna()
    value = {(rater, rated): float(v) for (rater, rated), v in cells.items()}
    rows = []
    for (a, b), a_rates_b in value.items():
        b_rates_a = value.get((b, a))
        if b_rates_a is None or a == b:
            continue
        if a_rates_b > b_rates_a or (a_rates_b == b_rates_a and a < b):  # type: ignore[operator]
            rows.append((a, b, a_rates_b, b_rates_a, a_rates_b - b_rates_a))
    out = pd.DataFrame(rows, columns=ASYMMETRY_COLUMNS)
    out = out.sort_values(["difference", "team_a", "team_b"], ascending=[False, True, True])
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------
# Drivers
# --------------------------------------------------------------------------


def _pearson(x: pd.Series, y: pd.Series, min_pairs: int) -> float:
    both = x.notna() & y.notna()
    if int(both.sum()) < min_pairs:
        return math.nan
    xv = x[both].to_numpy(dtype=np.float64)
    yv = y[both].to_numpy(dtype=np.float64)
    xv = xv - xv.mean()
    yv = yv - yv.mean()
    denominator = math.sqrt(float(xv @ xv) * float(yv @ yv))
    if denominator == 0.0:  # no variation: a correlation would be meaningless
        return math.nan
    return max(-1.0, min(1.0, float(xv @ yv) / denominator))


PEARSON_SUMS = ("n", "sx", "sy", "sxx", "syy", "sxy")


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
    same r as :func:`driver_analysis`. The six sums *add*: a team's sums are
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


def driver_analysis(
    per_respondent: pd.DataFrame,
    *,
    outcomes: Sequence[str] = OUTCOMES,
    min_respondents: int = DEFAULT_DRIVER_MIN_RESPONDENTS,
) -> pd.DataFrame:
    """Pearson correlation of each dimension with each outcome across respondents.

    ``per_respondent`` has one row per response: every column not in
    ``outcomes`` is a dimension score; ``enps`` is the respondent's raw 0–10
    answer and ``alignment`` their alignment score. Returns dimensions ×
    outcomes. Below ``min_respondents`` rows the result is empty: a
    correlation over a handful of people is noise, and per-respondent data
    over few people is an anonymity risk. Pairs are used when both values are
    present; a coefficient over fewer than ``min_respondents`` pairs, or over
    a constant column, is NaN.
    """
    if min_respondents < MIN_ANONYMITY_THRESHOLD:
        raise ValueError(f"min_respondents must be at least {MIN_ANONYMITY_THRESHOLD}")
    missing = [o for o in outcomes if o not in per_respondent.columns]
    if missing:
        raise ValueError(f"per_respondent lacks outcome columns {missing}")
    if len(per_respondent) < min_respondents:
        return pd.DataFrame(columns=list(outcomes), dtype=float)
    dimensions = [c for c in per_respondent.columns if c not in outcomes]
    return pd.DataFrame(
        [[_pearson(per_respondent[d], per_respondent[o], min_respondents) for o in outcomes] for d in dimensions],
        index=pd.Index(dimensions),
        columns=list(outcomes),
        dtype=float,
    )


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
