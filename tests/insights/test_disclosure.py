"""The disclosure rules of docs/scoring.md ("Anonymity rules", "Differencing protection"):
the thresholds, the hierarchy plan's worked examples, and the incremental plan against the
reference algorithm (re-examine every scope after each suppression)."""

from __future__ import annotations

import random
from collections.abc import Iterable

import numpy as np
import pytest

from insights.disclosure import DifferencingPlan, Scope, comment_threshold_ok, protect_differencing, suppressed
from insights.scoring import rollup_subtrees

# --------------------------------------------------------------------------
# Anonymity thresholds
# --------------------------------------------------------------------------


def test_suppression_worked_example_matches_docs():
    assert suppressed(4, 5) is True
    assert suppressed(5, 5) is False


def test_suppression_refuses_threshold_below_three():
    with pytest.raises(ValueError):
        suppressed(10, 2)


def test_comment_threshold_worked_example_matches_docs():
    assert suppressed(8, 5) is False
    assert comment_threshold_ok(8, 10, score_threshold=5) is False
    assert comment_threshold_ok(4, 3, score_threshold=5) is False
    assert comment_threshold_ok(10, 10, score_threshold=5) is True


# --------------------------------------------------------------------------
# Differencing protection
# --------------------------------------------------------------------------


def test_differencing_parent_and_all_but_one_child_worked_example_matches_docs():
    scopes = [
        Scope("Product", 23, [["Web", "Mobile", "Data"]]),
        Scope("Web", 12),
        Scope("Mobile", 7),
        Scope("Data", 4),
    ]

    assert protect_differencing(scopes, 5) == {"Data", "Mobile"}


def test_differencing_department_minus_only_shown_team_worked_example_matches_docs():
    scopes = [Scope("Sales", 14, [["SDR"]]), Scope("SDR", 11)]

    assert protect_differencing(scopes, 5) == {"SDR"}


def test_differencing_layers_of_organization_worked_example_matches_docs():
    scopes = [
        Scope("org", 60, [["Sales", "Product"], ["executive", "manager", "individual contributor"]]),
        Scope("Sales", 25),
        Scope("Product", 35),
        Scope("executive", 4),
        Scope("manager", 12),
        Scope("individual contributor", 44),
    ]

    assert protect_differencing(scopes, 5) == {"executive", "manager"}


def test_differencing_fixed_point_worked_example_matches_docs():
    scopes = [
        Scope("P", 20, [["A", "B"]]),
        Scope("A", 12),
        Scope("B", 6, [["B1"]]),
        Scope("B1", 5),
    ]

    assert protect_differencing(scopes, 5) == {"B", "B1"}


def test_differencing_all_suppressed_worked_example_matches_docs():
    scopes = [Scope("dept", 4, [["t1", "t2"]]), Scope("t1", 3), Scope("t2", 1)]

    assert protect_differencing(scopes, 5) == {"dept", "t1", "t2"}


def test_differencing_leaves_clean_hierarchy_alone():
    scopes = [
        Scope("dept", 30, [["t1", "t2"]]),
        Scope("t1", 10, [["t1a", "t1b"]]),
        Scope("t2", 20),
        Scope("t1a", 5),
        Scope("t1b", 5),
    ]

    assert protect_differencing(scopes, 5) == set()


def test_differencing_residual_of_zero_is_not_a_leak():
    scopes = [Scope("dept", 10, [["t1", "t2"]]), Scope("t1", 5), Scope("t2", 5)]

    assert protect_differencing(scopes, 5) == set()


def test_differencing_does_not_subtract_from_a_hidden_parent():
    # Mobile (7) is hidden by complementary suppression; Mobile minus iOS would
    # leave its 2 direct members, but Mobile's own figure is never shown.
    scopes = [
        Scope("Product", 23, [["Web", "Mobile", "Data"]]),
        Scope("Web", 12),
        Scope("Mobile", 7, [["iOS"]]),
        Scope("Data", 4),
        Scope("iOS", 5),
    ]

    assert protect_differencing(scopes, 5) == {"Data", "Mobile"}


def test_differencing_breaks_ties_by_input_order():
    def scopes(first, second):
        return [
            Scope("dept", 22, [[first, second, "small"]]),
            Scope(first, 10),
            Scope(second, 10),
            Scope("small", 2),
        ]

    assert protect_differencing(scopes("x", "y"), 5) == {"small", "x"}
    assert protect_differencing(scopes("y", "x"), 5) == {"small", "y"}


def test_differencing_descends_several_levels_through_hidden_scopes():
    # org = 2 direct + A 10 + B 8; B = 1 direct + C 7; C = 1 direct + D 6.
    # Hiding B lets org − A − C leave 3; hiding C lets org − A − D leave 4.
    scopes = [
        Scope("org", 20, [["A", "B"]]),
        Scope("A", 10),
        Scope("B", 8, [["C"]]),
        Scope("C", 7, [["D"]]),
        Scope("D", 6),
    ]

    assert protect_differencing(scopes, 5) == {"B", "C", "D"}


def test_differencing_result_has_no_small_residual_anywhere():
    rng = np.random.default_rng(11)
    for _ in range(50):
        own = {team: int(rng.integers(0, 8)) for team in range(12)}
        parent_of = {0: None} | {team: int(rng.integers(0, team)) for team in range(1, 12)}
        totals = rollup_subtrees(parent_of, own)
        children = {team: [c for c, p in parent_of.items() if p == team] for team in parent_of}
        scopes = [Scope(team, totals[team], [children[team]] if children[team] else []) for team in parent_of]

        hidden = protect_differencing(scopes, 5)

        assert all(totals[t] >= 5 for t in parent_of if t not in hidden)
        for parent in parent_of:
            if parent in hidden:
                continue
            subtractable = _subtractable(parent, children, hidden, totals)
            assert not 0 < totals[parent] - subtractable < 5


def _subtractable(team, children, hidden, totals):
    """Brute force: respondents an attacker can subtract below a shown team."""
    total = 0
    for child in children[team]:
        total += totals[child] if child not in hidden else _subtractable(child, children, hidden, totals)
    return total


def test_differencing_accepts_a_child_listed_in_two_groups_of_one_parent():
    scopes = [Scope("org", 20, [["A", "B"], ["A", "C"]]), Scope("A", 10), Scope("B", 10), Scope("C", 8)]

    assert protect_differencing(scopes, 5) == {"C"}


def test_differencing_rejects_invalid_hierarchies():
    with pytest.raises(ValueError, match="duplicate"):
        protect_differencing([Scope("a", 5), Scope("a", 6)], 5)
    with pytest.raises(ValueError, match="unknown"):
        protect_differencing([Scope("a", 5, [["b"]])], 5)
    with pytest.raises(ValueError, match="outnumber"):
        protect_differencing([Scope("a", 5, [["b"]]), Scope("b", 6)], 5)
    with pytest.raises(ValueError, match="cycle"):
        protect_differencing([Scope("a", 5, [["b"]]), Scope("b", 5, [["a"]])], 5)
    with pytest.raises(ValueError):
        protect_differencing([Scope("a", 5)], 2)


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
