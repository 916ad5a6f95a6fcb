"""The formulas of docs/scoring.md, written to be read: the test oracles.

Production never calls this module. The engine (``insights.engine``) computes every
figure with array code over histograms and additive sums (``insights.scoring.summaries``,
``insights.scoring.pearson_from_sums``, ...); here each figure is the formula of the docs
on plain lists of answers, one scope at a time, so a test can recompute a round from its
raw answers and compare the engine's stored figures with these, figure by figure
(``tests/insights/test_engine_oracles.py``). Keep them obvious rather than fast: an
oracle that is as clever as the engine would share its mistakes.

Units as in the docs: shares 0–1, scores 0–100, eNPS, gaps and deltas in points; what
cannot be computed is None, never 0.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

LIKERT_VALUES = range(1, 6)
ENPS_VALUES = range(0, 11)
FAVORABLE = (4, 5)
UNFAVORABLE = (1, 2)
PROMOTERS = (9, 10)
DETRACTORS = range(0, 7)
PRIORITY_TOP = 3


def _check(answers: Sequence[int], allowed: range) -> list[int]:
    values = list(answers)
    for v in values:
        if v not in allowed:
            raise ValueError(f"answer {v!r} outside {allowed.start}..{allowed.stop - 1}")
    return values


def histogram(answers: Iterable[int], length: int) -> list[int]:
    """``h[v]`` = how many answers equal ``v`` (length 6 for Likert, 11 for 0–10)."""
    h = [0] * length
    for v in answers:
        if not 0 <= v < length:
            raise ValueError(f"answer {v!r} outside 0..{length - 1}")
        h[v] += 1
    return h


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def spread(values: Sequence[float]) -> float | None:
    """Population standard deviation: the scope is the population it describes."""
    mu = mean(values)
    if mu is None:
        return None
    return math.sqrt(sum((v - mu) ** 2 for v in values) / len(values))


def score_from_mean(mu: float | None) -> float | None:
    """A 1–5 mean on 0–100: (μ − 1) / 4 × 100."""
    return None if mu is None else (mu - 1) / 4 * 100


# --------------------------------------------------------------------------
# Likert items and dimensions
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LikertSummary:
    n: int  # answers (not respondents: a pooled dimension has more)
    mean: float | None
    score: float | None
    favorable_share: float | None
    unfavorable_share: float | None
    spread: float | None
    polarization: float | None


def likert_summary(answers: Sequence[int]) -> LikertSummary:
    """Mean, score, favorable (4–5) and unfavorable (1–2) shares, spread, polarization."""
    values = _check(answers, LIKERT_VALUES)
    n = len(values)
    if n == 0:
        return LikertSummary(0, None, None, None, None, None, None)
    favorable = sum(v in FAVORABLE for v in values) / n
    unfavorable = sum(v in UNFAVORABLE for v in values) / n
    mu = mean(values)
    return LikertSummary(
        n, mu, score_from_mean(mu), favorable, unfavorable, spread(values), 2 * min(favorable, unfavorable)
    )


def dimension_summary(items: Iterable[Sequence[int]]) -> LikertSummary:
    """A dimension pools every answer of its items (not the average of the item means)."""
    return likert_summary([v for answers in items for v in answers])


def disagreement(answers: Sequence[int]) -> float | None:
    """The spread of a scope's answers (Likert or 0–10)."""
    return spread(list(answers))


# --------------------------------------------------------------------------
# eNPS
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class EnpsSummary:
    n: int
    promoters_share: float | None
    passives_share: float | None
    detractors_share: float | None
    enps: float | None  # −100..100


def enps_summary(answers: Sequence[int]) -> EnpsSummary:
    """% promoters (9–10) − % detractors (0–6)."""
    values = _check(answers, ENPS_VALUES)
    n = len(values)
    if n == 0:
        return EnpsSummary(0, None, None, None, None)
    promoters = sum(v in PROMOTERS for v in values)
    detractors = sum(v in DETRACTORS for v in values)
    return EnpsSummary(
        n, promoters / n, (n - promoters - detractors) / n, detractors / n, 100 * (promoters - detractors) / n
    )


def enps(answers: Sequence[int]) -> float | None:
    return enps_summary(answers).enps


# --------------------------------------------------------------------------
# Participation, delta, gap
# --------------------------------------------------------------------------


def participation(responses: int, invitations: int) -> float | None:
    """Responses ÷ invitations, clamped at 1.0; None when nobody was invited.

    The policy (docs/scoring.md, "Participation"): an invitation keeps the team and layer
    of when the round opened, a response those of when it was given, so someone who moved
    into a scope in between is a response without an invitation there. That is not an
    error and must not read as 110 %: the rate clamps at 100 %.
    """
    if responses < 0 or invitations < 0:
        raise ValueError("counts must be non-negative")
    if invitations == 0:
        return None
    return min(responses / invitations, 1.0)


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def delta(current: float | None, previous: float | None) -> float | None:
    """current − previous; None (not 0) when either is missing or hidden."""
    if _missing(current) or _missing(previous):
        return None
    return current - previous  # type: ignore[operator]


def alignment_gap(leadership_score: float | None, scores: Mapping[K, float | None]) -> dict[K, float | None]:
    """Leadership's score minus each layer's (or depth's, or team's)."""
    return {key: delta(leadership_score, score) for key, score in scores.items()}


# --------------------------------------------------------------------------
# Priorities
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityAlignment:
    respondents: int  # respondents with at least one pick
    top_priority_share: float | None
    top_overlap: float | None


def _dedupe(items: Iterable[K]) -> list[K]:
    return list(dict.fromkeys(items))


def priority_alignment(
    leadership_ranking: Sequence[K], picks: Iterable[Sequence[K]], top: int = PRIORITY_TOP
) -> PriorityAlignment:
    """Share naming leadership's #1 anywhere, and mean |first ``top`` picks ∩ leadership's top k| / k,
    k = min(top, len(ranking)). Respondents without picks are left out; a duplicate counts once."""
    ranking = _dedupe(leadership_ranking)
    if not ranking:
        raise ValueError("leadership ranking is empty")
    k = min(top, len(ranking))
    leader_top = set(ranking[:k])
    chosen = [_dedupe(p) for p in picks]
    chosen = [c for c in chosen if c]
    if not chosen:
        return PriorityAlignment(0, None, None)
    named = sum(ranking[0] in c for c in chosen)
    overlap = sum(len(leader_top & set(c[:top])) / k for c in chosen)
    return PriorityAlignment(len(chosen), named / len(chosen), overlap / len(chosen))


def priority_pick_counts(picks: Iterable[Sequence[K]]) -> Counter[K]:
    """How many respondents picked each priority."""
    counts: Counter[K] = Counter()
    for p in picks:
        counts.update(_dedupe(p))
    return counts


# --------------------------------------------------------------------------
# Coordination
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    n: int
    mean: float
    score: float


def _cell(values: Sequence[int]) -> Cell:
    mu = sum(values) / len(values)
    return Cell(len(values), mu, score_from_mean(mu))  # type: ignore[arg-type]


def coordination_cells(ratings: Iterable[tuple[K, K, int]]) -> dict[tuple[K, K], Cell]:
    """(rater team, rated team) → the ratings' count, mean and 0–100 score; self-ratings ignored."""
    by_pair: dict[tuple[K, K], list[int]] = {}
    for rater, rated, value in ratings:
        _check([value], LIKERT_VALUES)
        if rater != rated:
            by_pair.setdefault((rater, rated), []).append(value)
    return {pair: _cell(values) for pair, values in by_pair.items()}


def received_coordination(ratings: Iterable[tuple[K, K, int]]) -> dict[K, Cell]:
    """Rated team → every rating it received, pooled (each rating weighs the same)."""
    by_team: dict[K, list[int]] = {}
    for rater, rated, value in ratings:
        _check([value], LIKERT_VALUES)
        if rater != rated:
            by_team.setdefault(rated, []).append(value)
    return {team: _cell(values) for team, values in by_team.items()}


def asymmetry(cells: Mapping[tuple[K, K], float]) -> list[tuple[K, K, float, float, float]]:
    """Pairs rated both ways as (a, b, a rates b, b rates a, difference ≥ 0), widest first, ties by id."""
    rows = []
    for (a, b), ab in cells.items():
        ba = cells.get((b, a))
        if a != b and ba is not None and (ab > ba or (ab == ba and a < b)):  # type: ignore[operator]
            rows.append((a, b, ab, ba, ab - ba))
    return sorted(rows, key=lambda r: (-r[4], r[0], r[1]))


# --------------------------------------------------------------------------
# Drivers
# --------------------------------------------------------------------------


def pearson(x: Sequence[float | None], y: Sequence[float | None], min_pairs: int) -> float | None:
    """r = Σ(x − x̄)(y − ȳ) / sqrt(Σ(x − x̄)² · Σ(y − ȳ)²) over the pairs where both are known;
    None below ``min_pairs`` pairs or when either side does not vary."""
    pairs = [(a, b) for a, b in zip(x, y, strict=True) if a is not None and b is not None]
    if len(pairs) < min_pairs:
        return None
    mx = sum(a for a, _ in pairs) / len(pairs)
    my = sum(b for _, b in pairs) / len(pairs)
    sxy = sum((a - mx) * (b - my) for a, b in pairs)
    sxx = sum((a - mx) ** 2 for a, _ in pairs)
    syy = sum((b - my) ** 2 for _, b in pairs)
    # A column that does not vary has no correlation (relative to its size: rounding is not variation).
    if sxx <= 1e-9 * max(sum(a * a for a, _ in pairs), 1.0) or syy <= 1e-9 * max(sum(b * b for _, b in pairs), 1.0):
        return None
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def driver_analysis(
    per_respondent: Mapping[str, Sequence[float | None]],
    *,
    outcomes: Sequence[str] = ("enps", "alignment"),
    min_respondents: int = 30,
) -> dict[str, dict[str, float | None]]:
    """dimension → outcome → r across respondents (one list entry per respondent, None = skipped).

    Empty below ``min_respondents`` respondents; a dimension is not correlated with itself."""
    if min_respondents < 3:
        raise ValueError("min_respondents must be at least 3")
    missing = [o for o in outcomes if o not in per_respondent]
    if missing:
        raise ValueError(f"per_respondent lacks outcome columns {missing}")
    if len(next(iter(per_respondent.values()), [])) < min_respondents:
        return {}
    return {
        dim: {o: pearson(x, per_respondent[o], min_respondents) for o in outcomes if o != dim}
        for dim, x in per_respondent.items()
        if dim not in outcomes
    }
