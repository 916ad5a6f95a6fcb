"""Tests for insights/scoring.py.

Every ``*_worked_example_matches_docs`` test reproduces a worked example of
docs/scoring.md with the same numbers; change both together.
"""

import ast
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from insights import scoring
from insights.disclosure import Scope, comment_threshold_ok, protect_differencing, suppressed
from insights.scoring import (
    alignment_gap,
    asymmetry,
    coordination_matrix,
    delta,
    dimension_summary,
    disagreement,
    driver_analysis,
    enps,
    enps_histogram,
    enps_summary,
    likert_histogram,
    likert_summary,
    participation,
    priority_alignment,
    priority_pick_counts,
    received_coordination,
    rollup_subtrees,
    score_from_mean,
    team_depths,
)

# --------------------------------------------------------------------------
# Likert, eNPS, dimensions, disagreement
# --------------------------------------------------------------------------


def test_likert_worked_example_matches_docs():
    hist = np.array([0, 1, 1, 2, 4, 2])
    assert np.array_equal(likert_histogram([1, 2, 3, 3, 4, 4, 4, 4, 5, 5]), hist)

    summary = likert_summary(hist)

    assert summary.n == 10
    assert summary.mean == pytest.approx(3.5)
    assert summary.score == pytest.approx(62.5)
    assert summary.favorable_share == pytest.approx(0.6)
    assert summary.unfavorable_share == pytest.approx(0.2)
    assert summary.spread == pytest.approx(math.sqrt(1.45))
    assert round(summary.spread, 4) == 1.2042
    assert summary.polarization == pytest.approx(0.4)


def test_likert_summary_of_empty_histogram_is_all_none():
    summary = likert_summary(np.zeros(6, dtype=int))

    assert summary.n == 0
    assert summary.mean is None
    assert summary.score is None
    assert summary.favorable_share is None
    assert summary.unfavorable_share is None
    assert summary.spread is None
    assert summary.polarization is None


def test_likert_score_spans_zero_to_hundred():
    assert likert_summary(likert_histogram([1, 1])).score == 0
    assert likert_summary(likert_histogram([5])).score == 100
    assert score_from_mean(3.0) == 50
    assert score_from_mean(None) is None


@pytest.mark.parametrize(
    "bad",
    [
        [1, 2, 3, 4, 5],  # length 5: would shift every value by one
        [1, 0, 0, 0, 0, 0],  # index 0 is not a Likert value
        [0, 1.0, 0, 0, 0, 0],  # counts must be integers
        [0, -1, 0, 0, 0, 0],
        [[0, 1, 0, 0, 0, 0]],
    ],
)
def test_likert_summary_rejects_malformed_histograms(bad):
    with pytest.raises(ValueError):
        likert_summary(np.array(bad))


def test_histogram_builders_reject_out_of_range_answers():
    with pytest.raises(ValueError):
        likert_histogram([0, 3])
    with pytest.raises(ValueError):
        likert_histogram([6])
    with pytest.raises(ValueError):
        enps_histogram([11])
    assert np.array_equal(likert_histogram([]), np.zeros(6, dtype=int))


def test_enps_worked_example_matches_docs():
    hist = np.array([0, 0, 0, 1, 0, 1, 2, 3, 3, 4, 6])
    answers = [3, 5, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 10, 10]
    assert np.array_equal(enps_histogram(answers), hist)

    summary = enps_summary(hist)

    assert summary.n == 20
    assert summary.promoters_share == pytest.approx(0.5)
    assert summary.passives_share == pytest.approx(0.3)
    assert summary.detractors_share == pytest.approx(0.2)
    assert summary.enps == pytest.approx(30)
    assert enps(hist) == pytest.approx(30)


def test_enps_ranges_from_minus_to_plus_hundred():
    assert enps(enps_histogram([0, 6, 3])) == -100
    assert enps(enps_histogram([9, 10])) == 100
    assert enps(enps_histogram([7, 8])) == 0


def test_enps_of_empty_histogram_is_none():
    assert enps(np.zeros(11, dtype=int)) is None
    assert enps_summary(np.zeros(11, dtype=int)).promoters_share is None


def test_enps_rejects_likert_histogram():
    with pytest.raises(ValueError):
        enps(likert_histogram([5]))


def test_dimension_worked_example_matches_docs():
    item_a = likert_histogram([4] * 6)
    item_b = likert_histogram([2, 2])

    summary = dimension_summary([item_a, item_b])

    assert np.array_equal(item_a + item_b, [0, 0, 2, 0, 6, 0])
    assert summary.n == 8
    assert summary.mean == pytest.approx(3.5)
    assert summary.score == pytest.approx(62.5)
    assert summary.favorable_share == pytest.approx(0.75)
    item_mean_average = (likert_summary(item_a).mean + likert_summary(item_b).mean) / 2
    assert item_mean_average == pytest.approx(3.0)


def test_dimension_of_no_items_is_empty():
    assert dimension_summary([]).n == 0
    assert dimension_summary([]).score is None


def test_dimension_score_is_summable_across_teams():
    team_x = [likert_histogram([5, 4, 4]), likert_histogram([3, 2])]
    team_y = [likert_histogram([1, 5]), likert_histogram([4, 4, 4, 4])]
    pooled_answers = [5, 4, 4, 3, 2, 1, 5, 4, 4, 4, 4]

    department = dimension_summary([x + y for x, y in zip(team_x, team_y, strict=True)])

    assert department.mean == pytest.approx(np.mean(pooled_answers))


def test_disagreement_worked_example_matches_docs():
    flat = likert_histogram([3, 3, 3, 3])
    split = likert_histogram([1, 1, 5, 5])

    assert likert_summary(flat).score == likert_summary(split).score == 50
    assert disagreement(flat) == 0.0
    assert disagreement(split) == 2.0
    assert likert_summary(split).polarization == 1.0
    assert likert_summary(flat).polarization == 0.0


def test_disagreement_works_on_zero_to_ten_and_is_none_when_empty():
    assert disagreement(enps_histogram([0, 10])) == 5.0
    assert disagreement(np.zeros(6, dtype=int)) is None


# --------------------------------------------------------------------------
# Participation, delta, alignment gap
# --------------------------------------------------------------------------


def test_participation_worked_example_matches_docs():
    assert participation(42, 56) == pytest.approx(0.75)


def test_participation_without_invitations_is_none():
    assert participation(0, 0) is None


def test_participation_rejects_inconsistent_counts():
    with pytest.raises(ValueError):
        participation(5, 4)
    with pytest.raises(ValueError):
        participation(-1, 4)


def test_delta_worked_example_matches_docs():
    assert delta(62.5, 70) == pytest.approx(-7.5)
    assert delta(62.5, None) is None


def test_delta_treats_nan_as_missing():
    assert delta(float("nan"), 3.0) is None
    assert delta(None, None) is None


def test_alignment_gap_worked_example_matches_docs():
    by_layer = alignment_gap(80, {"manager": 65, "individual contributor": 50, "contractor": None})
    by_depth = alignment_gap(80, {1: 70, 2: 55})

    assert by_layer == {"manager": 15, "individual contributor": 30, "contractor": None}
    assert by_depth == {1: 10, 2: 25}


def test_alignment_gap_with_suppressed_leadership_is_all_none():
    assert alignment_gap(None, {"manager": 65}) == {"manager": None}


# --------------------------------------------------------------------------
# Priorities
# --------------------------------------------------------------------------

PRIORITY_PICKS = [["A", "B", "C"], ["B", "D", "A"], ["D", "E", "C"], ["E", "D"], []]


def test_priority_alignment_worked_example_matches_docs():
    result = priority_alignment(["A", "B", "C", "D"], PRIORITY_PICKS)

    assert result.respondents == 4
    assert result.top_priority_share == pytest.approx(0.5)
    assert result.top_overlap == pytest.approx(0.5)
    assert priority_pick_counts(PRIORITY_PICKS) == {"D": 3, "A": 2, "B": 2, "C": 2, "E": 2}


def test_priority_alignment_without_answers_is_none():
    result = priority_alignment(["A"], [[], []])

    assert result.respondents == 0
    assert result.top_priority_share is None
    assert result.top_overlap is None


def test_priority_alignment_counts_duplicates_once_and_uses_first_three_picks():
    result = priority_alignment(["A", "B", "C"], [["A", "A", "X", "Y", "B"]])

    assert result.top_priority_share == 1.0
    assert result.top_overlap == pytest.approx(1 / 3)  # B is the 4th distinct pick


def test_priority_alignment_with_short_leadership_ranking_scales_overlap():
    assert priority_alignment(["A", "B"], [["B", "A", "C"]]).top_overlap == 1.0


def test_priority_alignment_rejects_empty_leadership_ranking():
    with pytest.raises(ValueError):
        priority_alignment([], [["A"]])


# --------------------------------------------------------------------------
# Coordination
# --------------------------------------------------------------------------


def ratings_frame(rows):
    return pd.DataFrame(rows, columns=["rater_team", "rated_team", "value"])


DOC_RATINGS = ratings_frame(
    [
        ("Marketing", "Sales", 4),
        ("Marketing", "Sales", 5),
        ("Sales", "Marketing", 2),
        ("Sales", "Marketing", 2),
        ("Sales", "Product", 3),
        ("Sales", "Product", 5),
        ("Product", "Sales", 4),
        ("Product", "Sales", 4),
        ("Engineering", "Product", 1),
        ("Engineering", "Product", 3),
    ]
)


def test_coordination_matrix_worked_example_matches_docs():
    matrix = coordination_matrix(DOC_RATINGS)

    assert matrix.mean.at["Marketing", "Sales"] == 4.5
    assert matrix.mean.at["Sales", "Marketing"] == 2.0
    assert matrix.mean.at["Sales", "Product"] == 4.0
    assert matrix.mean.at["Product", "Sales"] == 4.0
    assert matrix.mean.at["Engineering", "Product"] == 2.0
    assert math.isnan(matrix.mean.at["Engineering", "Sales"])
    assert matrix.count.at["Marketing", "Sales"] == 2
    assert matrix.count.at["Engineering", "Sales"] == 0


def test_received_coordination_worked_example_matches_docs():
    received = received_coordination(DOC_RATINGS)

    assert received.loc["Sales"].tolist() == [4, 4.25, 81.25]
    assert received.loc["Product"].tolist() == [4, 3.0, 50.0]
    assert received.loc["Marketing"].tolist() == [2, 2.0, 25.0]


def test_asymmetry_worked_example_matches_docs():
    pairs = asymmetry(coordination_matrix(DOC_RATINGS).mean)

    assert pairs.values.tolist() == [
        ["Marketing", "Sales", 4.5, 2.0, 2.5],
        ["Product", "Sales", 4.0, 4.0, 0.0],
    ]


def test_coordination_anonymity_worked_example_matches_docs():
    ratings = ratings_frame([("Marketing", "Sales", 5)] * 2 + [("Product", "Sales", 4)] * 4)

    matrix = coordination_matrix(ratings, threshold=3)
    received = received_coordination(ratings, threshold=3)

    assert received.at["Sales", "mean"] == pytest.approx(13 / 3)
    assert math.isnan(matrix.mean.at["Marketing", "Sales"])
    assert math.isnan(matrix.mean.at["Product", "Sales"])  # 6 − 4 would reveal Marketing's 2
    assert matrix.count.at["Marketing", "Sales"] == 2


def test_coordination_shows_cells_when_no_residual_is_small():
    ratings = ratings_frame([("Marketing", "Sales", 5)] * 3 + [("Product", "Sales", 4)] * 4)

    matrix = coordination_matrix(ratings, threshold=3)

    assert matrix.mean.at["Marketing", "Sales"] == 5.0
    assert matrix.mean.at["Product", "Sales"] == 4.0


def test_received_coordination_hides_small_totals():
    received = received_coordination(DOC_RATINGS, threshold=3)

    assert math.isnan(received.at["Marketing", "mean"])
    assert math.isnan(received.at["Marketing", "score"])
    assert received.at["Marketing", "n"] == 2
    assert received.at["Sales", "score"] == 81.25


def test_coordination_ignores_self_ratings():
    ratings = ratings_frame([("Sales", "Sales", 5), ("Product", "Sales", 1)])

    assert received_coordination(ratings).at["Sales", "mean"] == 1.0


def test_coordination_rejects_out_of_scale_ratings():
    with pytest.raises(ValueError):
        coordination_matrix(ratings_frame([("Sales", "Product", 6)]))
    with pytest.raises(ValueError):
        received_coordination(pd.DataFrame({"rater_team": ["Sales"], "value": [3]}))


def test_asymmetry_skips_suppressed_and_one_way_pairs():
    mean = pd.DataFrame({"A": [np.nan, 2.0], "B": [np.nan, np.nan]}, index=["A", "B"])

    assert asymmetry(mean).empty


# --------------------------------------------------------------------------
# Driver analysis
# --------------------------------------------------------------------------

DOC_RESPONDENTS = pd.DataFrame(
    {
        "communication": [0, 50, 100, 0, 50, 100],
        "enps": [0, 10, 5, 0, 10, 5],
        "alignment": [50, 100, 50, 50, 0, 50],
    }
)


def test_driver_analysis_worked_example_matches_docs():
    drivers = driver_analysis(DOC_RESPONDENTS, min_respondents=6)

    assert drivers.index.tolist() == ["communication"]
    assert drivers.at["communication", "enps"] == pytest.approx(0.5)
    assert drivers.at["communication", "alignment"] == pytest.approx(0.0)


def test_driver_analysis_is_empty_below_thirty_respondents():
    drivers = driver_analysis(DOC_RESPONDENTS)

    assert drivers.empty
    assert drivers.columns.tolist() == ["enps", "alignment"]


def test_driver_analysis_with_thirty_respondents_correlates():
    rng = np.random.default_rng(7)
    communication = rng.integers(0, 101, 30).astype(float)
    frame = pd.DataFrame(
        {
            "communication": communication,
            "resilience": 100 - communication,
            "flat": 50.0,
            "enps": communication / 10,
            "alignment": rng.integers(0, 101, 30).astype(float),
        }
    )

    drivers = driver_analysis(frame)

    assert drivers.at["communication", "enps"] == pytest.approx(1.0)
    assert drivers.at["resilience", "enps"] == pytest.approx(-1.0)
    assert math.isnan(drivers.at["flat", "enps"])  # no variation, no correlation


def test_driver_analysis_needs_enough_complete_pairs():
    frame = DOC_RESPONDENTS.astype(float)
    frame.loc[0, "communication"] = np.nan

    drivers = driver_analysis(frame, min_respondents=6)

    assert math.isnan(drivers.at["communication", "enps"])


def test_driver_analysis_rejects_missing_outcome_and_tiny_minimum():
    with pytest.raises(ValueError):
        driver_analysis(DOC_RESPONDENTS.drop(columns="enps"))
    with pytest.raises(ValueError):
        driver_analysis(DOC_RESPONDENTS, min_respondents=2)


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
# Trees
# --------------------------------------------------------------------------


def test_rollup_subtrees_sums_histograms_up_the_tree():
    parent_of = {"org": None, "sales": "org", "sdr": "sales", "product": "org"}
    own = {"sales": likert_histogram([5, 4]), "sdr": likert_histogram([1]), "product": likert_histogram([3])}

    totals = rollup_subtrees(parent_of, own)

    assert np.array_equal(totals["org"], likert_histogram([5, 4, 1, 3]))
    assert np.array_equal(totals["sales"], likert_histogram([5, 4, 1]))
    assert np.array_equal(totals["sdr"], likert_histogram([1]))
    totals["sdr"][1] = 99
    assert np.array_equal(own["sdr"], likert_histogram([1]))  # results never alias inputs


def test_rollup_subtrees_counts_respondents_and_handles_deep_trees():
    depth = 5000  # far beyond Python's recursion limit
    parent_of = {0: None} | {team: team - 1 for team in range(1, depth)}

    totals = rollup_subtrees(parent_of, dict.fromkeys(parent_of, 1))

    assert totals[0] == depth
    assert totals[depth - 1] == 1
    assert team_depths(parent_of)[depth - 1] == depth - 1


def test_rollup_subtrees_rejects_bad_trees():
    with pytest.raises(ValueError, match="unknown parent"):
        rollup_subtrees({"a": "ghost"}, {"a": 1})
    with pytest.raises(ValueError, match="cycle"):
        rollup_subtrees({"a": "b", "b": "a"}, {"a": 1})
    with pytest.raises(ValueError, match="outside"):
        rollup_subtrees({"a": None}, {"z": 1})
    with pytest.raises(ValueError, match="zero"):
        rollup_subtrees({"a": None}, {})
    assert rollup_subtrees({"a": None}, {}, zero=0) == {"a": 0}


def test_team_depths_for_gap_by_depth():
    assert team_depths({"ceo": None, "sales": "ceo", "sdr": "sales", "product": "ceo"}) == {
        "ceo": 0,
        "sales": 1,
        "product": 1,
        "sdr": 2,
    }


def test_scoring_module_imports_no_django():
    tree = ast.parse(Path(scoring.__file__).read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]

    assert not [name for name in imported if name.split(".")[0] == "django"]
