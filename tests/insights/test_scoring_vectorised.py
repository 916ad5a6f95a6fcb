"""The vectorised and additive forms in insights/scoring.py agree with the scalar formulas,
and the incremental differencing protection gives the reference algorithm's answer."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pytest

from insights.disclosure import DifferencingPlan, Scope, protect_differencing
from insights.scoring import (
    driver_analysis,
    enps_summary,
    likert_summary,
    pearson_from_sums,
    summaries,
)

# --------------------------------------------------------------------------
# summaries()
# --------------------------------------------------------------------------


def _close(a: float, b: float | None) -> bool:
    return (b is None and math.isnan(a)) or (b is not None and a == pytest.approx(b))


def test_summaries_match_likert_summary_for_every_histogram():
    rng = np.random.default_rng(1)
    hists = rng.integers(0, 6, size=(40, 6))
    hists[:, 0] = 0
    hists[3] = 0  # an empty one
    out = summaries(hists.reshape(4, 10, 6))
    for i, hist in enumerate(hists):
        one = likert_summary(hist)
        j, k = divmod(i, 10)
        assert out.n[j, k] == one.n
        assert _close(out.mean[j, k], one.mean)
        assert _close(out.score[j, k], one.score)
        assert _close(out.favorable_share[j, k], one.favorable_share)
        assert _close(out.unfavorable_share[j, k], one.unfavorable_share)
        assert _close(out.spread[j, k], one.spread)


def test_summaries_of_zero_to_ten_histograms_give_enps():
    hist = np.array([0, 0, 0, 1, 0, 1, 2, 3, 3, 4, 6])  # the docs' eNPS example
    out = summaries(np.stack([hist, np.zeros(11, dtype=int)]))
    one = enps_summary(hist)
    assert out.score[0] == pytest.approx(30.0)
    assert out.favorable_share[0] == pytest.approx(one.promoters_share)
    assert out.unfavorable_share[0] == pytest.approx(one.detractors_share)
    assert math.isnan(out.score[1]) and out.n[1] == 0


def test_summaries_reject_malformed_histograms():
    with pytest.raises(ValueError):
        summaries(np.zeros((3, 5), dtype=int))
    with pytest.raises(ValueError):
        summaries(np.array([[1, 0, 0, 0, 0, 0]]))
    with pytest.raises(ValueError):
        summaries(np.array([[0, 1.5, 0, 0, 0, 0]]))


# --------------------------------------------------------------------------
# pearson_from_sums()
# --------------------------------------------------------------------------


def _sums(x: Iterable[float], y: Iterable[float]) -> tuple[float, ...]:
    x, y = np.asarray(list(x), float), np.asarray(list(y), float)
    return len(x), x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum()


def test_pearson_from_sums_worked_example_matches_docs():
    communication = [0, 50, 100, 0, 50, 100]
    enps_answers = [0, 10, 5, 0, 10, 5]
    alignment = [50, 100, 50, 50, 0, 50]
    assert pearson_from_sums(*_sums(communication, enps_answers), min_pairs=6) == pytest.approx(0.5)
    assert pearson_from_sums(*_sums(communication, alignment), min_pairs=6) == pytest.approx(0.0)
    assert math.isnan(pearson_from_sums(*_sums(communication, enps_answers)))  # default minimum 30


def test_pearson_from_sums_adds_up_like_driver_analysis():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, 200).astype(float)
    y = np.clip(np.rint(x * 2 + rng.normal(0, 2, 200)), 0, 10)
    # Sums of two halves added == sums of the whole: teams roll up.
    halves = np.add(_sums(x[:80], y[:80]), _sums(x[80:], y[80:]))
    expected = driver_analysis(pd.DataFrame({"d": x, "enps": y, "alignment": x}), outcomes=("enps", "alignment"))
    assert pearson_from_sums(*halves) == pytest.approx(expected.at["d", "enps"])


def test_pearson_from_sums_is_nan_for_a_constant_column():
    assert math.isnan(pearson_from_sums(*_sums([3] * 40, range(40))))


# --------------------------------------------------------------------------
# protect_differencing(): incremental == reference, and hidden=
# --------------------------------------------------------------------------


def _combine(options):
    acc = {0: ()}
    for child_options in options:
        nxt = {}
        for total, used in acc.items():
            for add, more in child_options.items():
                nxt.setdefault(total + add, used + more)
        acc = nxt
    return acc


def _bottom_up(scopes: list[Scope], by_id: dict) -> list[Scope]:
    children = {s.id: list(dict.fromkeys(c for g in s.child_groups for c in g)) for s in scopes}
    indegree = dict.fromkeys(by_id, 0)
    for kids in children.values():
        for c in kids:
            indegree[c] += 1
    top_down = [s for s in scopes if indegree[s.id] == 0]
    for scope in top_down:
        for c in children[scope.id]:
            indegree[c] -= 1
            if indegree[c] == 0:
                top_down.append(by_id[c])
    return top_down[::-1]


def _reference(scopes: list[Scope], threshold: int, hidden: Iterable = ()) -> set:
    """The original algorithm: re-examine every scope in input order after each suppression."""
    by_id = {s.id: s for s in scopes}
    bottom_up = _bottom_up(scopes, by_id)
    position = {s.id: i for i, s in enumerate(scopes)}
    out = set(hidden) | {s.id for s in scopes if s.respondents < threshold}

    def find_leak():
        covers = {}
        for scope in bottom_up:
            if scope.id not in out:
                covers[scope.id] = {scope.respondents: (scope.id,)}
                continue
            options = {} if scope.child_groups else {0: ()}
            for group in scope.child_groups:
                for total, used in _combine(covers[c] for c in group).items():
                    options.setdefault(total, used)
            covers[scope.id] = options
        for parent in scopes:
            if parent.id in out:
                continue
            for group in parent.child_groups:
                for total, used in _combine(covers[c] for c in group).items():
                    if 0 < parent.respondents - total < threshold:
                        return used
        return None

    while (leak := find_leak()) is not None:
        out.add(min(leak, key=lambda sid: (by_id[sid].respondents, position[sid])))
    return out


def _random_organization(seed: int) -> list[Scope]:
    """A team tree with direct members, an organization split by tree and by layers."""
    rng = random.Random(seed)
    n_teams = rng.randint(3, 60)
    parent = {0: None}
    for i in range(1, n_teams):
        parent[i] = rng.randrange(0, i)
    children: dict[int, list[int]] = {i: [] for i in parent}
    for i, p in parent.items():
        if p is not None:
            children[p].append(i)
    own = {i: rng.choice([0, 0, 1, 2, 3, 4, 5, 7, 9, 14]) for i in parent}
    subtree: dict[int, int] = {}
    for i in sorted(parent, reverse=True):
        subtree[i] = own[i] + sum(subtree[c] for c in children[i])
    total = subtree[0] + rng.randint(0, 3)
    layer_counts, left = [], total
    for _ in range(3):
        take = rng.randint(0, left)
        layer_counts.append(take)
        left -= take
    layer_counts.append(left)
    scopes = [
        Scope("org", total, [[("team", 0)], [("layer", i) for i in range(4)]]),
        *(Scope(("layer", i), n) for i, n in enumerate(layer_counts)),
    ]
    order = list(parent)
    rng.shuffle(order)
    scopes += [
        Scope(("team", i), subtree[i], [[("team", c) for c in children[i]]] if children[i] else []) for i in order
    ]
    return scopes


@pytest.mark.parametrize("seed", range(60))
def test_incremental_differencing_matches_the_reference_algorithm(seed):
    scopes = _random_organization(seed)
    assert protect_differencing(scopes, 5) == _reference(scopes, 5)
    assert protect_differencing(scopes, 10, hidden=_reference(scopes, 5)) == _reference(
        scopes, 10, _reference(scopes, 5)
    )


def test_hidden_scopes_stay_hidden_and_their_descendants_are_protected():
    # Product 20 = Web 12 + Apps 8; Apps = iOS 5 + 3 direct members. Apps is already
    # hidden (say its comments, at a higher threshold): Product - Web - iOS = 3 would
    # reveal Apps' direct members, so iOS is hidden too.
    scopes = [
        Scope("Product", 20, [["Web", "Apps"]]),
        Scope("Web", 12),
        Scope("Apps", 8, [["iOS"]]),
        Scope("iOS", 5),
    ]
    assert protect_differencing(scopes, 5, hidden={"Apps"}) == {"Apps", "iOS"}
    assert protect_differencing(scopes, 5, hidden={"Web"}) >= {"Web"}


def test_a_plan_answers_for_many_thresholds_like_protect_differencing():
    scopes = _random_organization(3)
    plan = DifferencingPlan([(s.id, s.child_groups) for s in scopes])
    rng = random.Random(5)
    for _ in range(10):
        counts = [s.respondents for s in scopes]
        shrunk = [Scope(s.id, c, s.child_groups) for s, c in zip(scopes, counts, strict=True)]
        threshold = rng.choice([3, 5, 10])
        assert plan.protect(counts, threshold) == _reference(shrunk, threshold)


def test_hidden_must_name_known_scopes():
    with pytest.raises(ValueError):
        protect_differencing([Scope("a", 9)], 5, hidden={"b"})


def test_differencing_keep_worked_example_matches_docs():
    # Organization 30 = leadership 7 + Sales 20 + Operations 3. Operations is hidden; the
    # organization minus the other two would reveal it, so one of them must go too.
    def scopes(keep_leadership: int) -> list[Scope]:
        return [
            Scope("org", 30, [["leadership", "sales", "operations"]], keep=2),
            Scope("leadership", 7, keep=keep_leadership),
            Scope("sales", 20),
            Scope("operations", 3),
        ]

    assert protect_differencing(scopes(0), 5) == {"operations", "leadership"}  # the smallest
    assert protect_differencing(scopes(1), 5) == {"operations", "sales"}  # leadership is kept
