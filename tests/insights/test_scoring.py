"""The formulas of docs/scoring.md: the oracles reproduce its worked examples, and the
functions production runs (``insights/scoring.py``) agree with the oracles.

Every ``*_worked_example_matches_docs`` test reproduces a worked example of
docs/scoring.md with the same numbers; change both together. The oracles
(``tests/insights/oracles.py``) are the readable scalar formulas; whole rounds through
the engine are compared with them in ``test_engine_oracles.py``.
"""

import ast
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from insights import scoring
from insights.scoring import asymmetry, participation_rates, pearson_from_sums, rollup_subtrees, summaries, team_depths
from tests.insights import oracles


def _close(a: float, b: float | None) -> bool:
    return (b is None and math.isnan(a)) or (b is not None and a == pytest.approx(b))


# --------------------------------------------------------------------------
# Likert, eNPS, dimensions, disagreement
# --------------------------------------------------------------------------

DOC_LIKERT = [1, 2, 3, 3, 4, 4, 4, 4, 5, 5]
DOC_ENPS = [3, 5, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 10, 10, 10]


def test_likert_worked_example_matches_docs():
    assert oracles.histogram(DOC_LIKERT, 6) == [0, 1, 1, 2, 4, 2]

    summary = oracles.likert_summary(DOC_LIKERT)

    assert summary.n == 10
    assert summary.mean == pytest.approx(3.5)
    assert summary.score == pytest.approx(62.5)
    assert summary.favorable_share == pytest.approx(0.6)
    assert summary.unfavorable_share == pytest.approx(0.2)
    assert summary.spread == pytest.approx(math.sqrt(1.45))
    assert round(summary.spread, 4) == 1.2042
    assert summary.polarization == pytest.approx(0.4)


def test_summaries_reproduce_the_likert_worked_example():
    out = summaries(np.array([[0, 1, 1, 2, 4, 2]]))

    assert (out.n[0], out.mean[0], out.score[0]) == (10, pytest.approx(3.5), pytest.approx(62.5))
    assert (out.favorable_share[0], out.unfavorable_share[0]) == (pytest.approx(0.6), pytest.approx(0.2))
    assert out.spread[0] == pytest.approx(math.sqrt(1.45))


def test_likert_summary_of_no_answers_is_all_none():
    summary = oracles.likert_summary([])

    assert summary.n == 0
    assert {summary.mean, summary.score, summary.favorable_share, summary.spread, summary.polarization} == {None}


def test_likert_score_spans_zero_to_hundred():
    assert oracles.likert_summary([1, 1]).score == 0
    assert oracles.likert_summary([5]).score == 100
    assert oracles.score_from_mean(3.0) == 50
    assert oracles.score_from_mean(None) is None


def test_oracles_reject_answers_outside_the_scale():
    with pytest.raises(ValueError):
        oracles.likert_summary([0, 3])
    with pytest.raises(ValueError):
        oracles.likert_summary([6])
    with pytest.raises(ValueError):
        oracles.enps([11])


def test_enps_worked_example_matches_docs():
    assert oracles.histogram(DOC_ENPS, 11) == [0, 0, 0, 1, 0, 1, 2, 3, 3, 4, 6]

    summary = oracles.enps_summary(DOC_ENPS)

    assert summary.n == 20
    assert summary.promoters_share == pytest.approx(0.5)
    assert summary.passives_share == pytest.approx(0.3)
    assert summary.detractors_share == pytest.approx(0.2)
    assert summary.enps == pytest.approx(30)


def test_summaries_of_zero_to_ten_histograms_give_enps():
    hist = oracles.histogram(DOC_ENPS, 11)

    out = summaries(np.array([hist, [0] * 11]))

    assert out.score[0] == pytest.approx(30.0)
    assert out.favorable_share[0] == pytest.approx(0.5)  # promoters
    assert out.unfavorable_share[0] == pytest.approx(0.2)  # detractors
    assert math.isnan(out.score[1]) and out.n[1] == 0


def test_enps_ranges_from_minus_to_plus_hundred():
    assert oracles.enps([0, 6, 3]) == -100
    assert oracles.enps([9, 10]) == 100
    assert oracles.enps([7, 8]) == 0
    assert oracles.enps([]) is None


def test_dimension_worked_example_matches_docs():
    item_a, item_b = [4] * 6, [2, 2]

    summary = oracles.dimension_summary([item_a, item_b])

    assert oracles.histogram(item_a + item_b, 6) == [0, 0, 2, 0, 6, 0]
    assert summary.n == 8
    assert summary.mean == pytest.approx(3.5)
    assert summary.score == pytest.approx(62.5)
    assert summary.favorable_share == pytest.approx(0.75)
    item_mean_average = (oracles.mean(item_a) + oracles.mean(item_b)) / 2
    assert item_mean_average == pytest.approx(3.0)


def test_disagreement_worked_example_matches_docs():
    flat, split = [3, 3, 3, 3], [1, 1, 5, 5]

    assert oracles.likert_summary(flat).score == oracles.likert_summary(split).score == 50
    assert oracles.disagreement(flat) == 0.0
    assert oracles.disagreement(split) == 2.0
    assert oracles.likert_summary(split).polarization == 1.0
    assert oracles.likert_summary(flat).polarization == 0.0
    assert oracles.disagreement([0, 10]) == 5.0  # 0–10 answers too
    assert oracles.disagreement([]) is None


def test_summaries_match_the_oracle_for_every_histogram():
    rng = np.random.default_rng(1)
    hists = rng.integers(0, 6, size=(40, 6))
    hists[:, 0] = 0
    hists[3] = 0  # an empty one

    out = summaries(hists.reshape(4, 10, 6))  # any leading shape

    for i, hist in enumerate(hists):
        one = oracles.likert_summary([v for v in range(6) for _ in range(hist[v])])
        j, k = divmod(i, 10)
        assert out.n[j, k] == one.n
        for name in ("mean", "score", "favorable_share", "unfavorable_share", "spread"):
            assert _close(getattr(out, name)[j, k], getattr(one, name)), name


@pytest.mark.parametrize(
    "bad",
    [
        [[1, 2, 3, 4, 5]],  # length 5: would shift every value by one
        [[1, 0, 0, 0, 0, 0]],  # index 0 is not a Likert value
        [[0, 1.5, 0, 0, 0, 0]],  # counts must be integers
        [[0, -1, 0, 0, 0, 0]],
    ],
)
def test_summaries_reject_malformed_histograms(bad):
    with pytest.raises(ValueError):
        summaries(np.array(bad))


# --------------------------------------------------------------------------
# Participation, delta, alignment gap
# --------------------------------------------------------------------------


def test_participation_worked_example_matches_docs():
    assert oracles.participation(42, 56) == pytest.approx(0.75)
    assert participation_rates([42], [56])[0] == pytest.approx(0.75)


def test_participation_above_invitations_clamps_at_one_hundred_percent():
    """The policy: people who moved into a scope after the round opened answer there
    without an invitation there; the rate says 100 %, never more, and is not an error."""
    assert oracles.participation(5, 4) == 1.0
    assert participation_rates([5, 4, 3], [4, 4, 4]).tolist() == [1.0, 1.0, 0.75]


def test_participation_without_invitations_is_none():
    assert oracles.participation(0, 0) is None
    assert oracles.participation(3, 0) is None
    assert math.isnan(participation_rates([3], [0])[0])


def test_participation_rejects_negative_counts():
    with pytest.raises(ValueError):
        oracles.participation(-1, 4)
    with pytest.raises(ValueError):
        participation_rates([1], [-4])


def test_delta_worked_example_matches_docs():
    assert oracles.delta(62.5, 70) == pytest.approx(-7.5)
    assert oracles.delta(62.5, None) is None
    assert oracles.delta(float("nan"), 3.0) is None


def test_alignment_gap_worked_example_matches_docs():
    by_layer = oracles.alignment_gap(80, {"manager": 65, "individual contributor": 50, "contractor": None})
    by_depth = oracles.alignment_gap(80, {1: 70, 2: 55})

    assert by_layer == {"manager": 15, "individual contributor": 30, "contractor": None}
    assert by_depth == {1: 10, 2: 25}
    assert oracles.alignment_gap(None, {"manager": 65}) == {"manager": None}


# --------------------------------------------------------------------------
# Priorities
# --------------------------------------------------------------------------

PRIORITY_PICKS = [["A", "B", "C"], ["B", "D", "A"], ["D", "E", "C"], ["E", "D"], []]


def test_priority_alignment_worked_example_matches_docs():
    result = oracles.priority_alignment(["A", "B", "C", "D"], PRIORITY_PICKS)

    assert result.respondents == 4
    assert result.top_priority_share == pytest.approx(0.5)
    assert result.top_overlap == pytest.approx(0.5)
    assert oracles.priority_pick_counts(PRIORITY_PICKS) == {"D": 3, "A": 2, "B": 2, "C": 2, "E": 2}


def test_priority_alignment_counts_duplicates_once_and_uses_first_three_picks():
    result = oracles.priority_alignment(["A", "B", "C"], [["A", "A", "X", "Y", "B"]])

    assert result.top_priority_share == 1.0
    assert result.top_overlap == pytest.approx(1 / 3)  # B is the 4th distinct pick
    assert oracles.priority_alignment(["A", "B"], [["B", "A", "C"]]).top_overlap == 1.0  # k = 2
    assert oracles.priority_alignment(["A"], [[], []]) == oracles.PriorityAlignment(0, None, None)


# --------------------------------------------------------------------------
# Coordination
# --------------------------------------------------------------------------

DOC_RATINGS = [
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


def test_coordination_cells_worked_example_matches_docs():
    cells = oracles.coordination_cells(DOC_RATINGS)

    assert {pair: (c.n, c.mean) for pair, c in cells.items()} == {
        ("Marketing", "Sales"): (2, 4.5),
        ("Sales", "Marketing"): (2, 2.0),
        ("Sales", "Product"): (2, 4.0),
        ("Product", "Sales"): (2, 4.0),
        ("Engineering", "Product"): (2, 2.0),
    }


def test_received_coordination_worked_example_matches_docs():
    received = oracles.received_coordination(DOC_RATINGS)

    assert received["Sales"] == oracles.Cell(4, 4.25, 81.25)
    assert received["Product"] == oracles.Cell(4, 3.0, 50.0)
    assert received["Marketing"] == oracles.Cell(2, 2.0, 25.0)


def test_coordination_ignores_self_ratings():
    assert oracles.received_coordination([("Sales", "Sales", 5), ("Product", "Sales", 1)])["Sales"].mean == 1.0


def test_asymmetry_worked_example_matches_docs():
    means = {pair: c.mean for pair, c in oracles.coordination_cells(DOC_RATINGS).items()}
    expected = [("Marketing", "Sales", 4.5, 2.0, 2.5), ("Product", "Sales", 4.0, 4.0, 0.0)]

    assert oracles.asymmetry(means) == expected
    assert [tuple(r) for r in asymmetry(pd.Series(means).unstack()).itertuples(index=False)] == expected


def test_asymmetry_skips_suppressed_and_one_way_pairs():
    mean = pd.DataFrame({"A": [np.nan, 2.0], "B": [np.nan, np.nan]}, index=["A", "B"])

    assert asymmetry(mean).empty


def test_asymmetry_matches_the_oracle_on_random_matrices():
    rng = np.random.default_rng(3)
    for _ in range(20):
        teams = list(range(6))
        means = {(a, b): float(rng.integers(2, 11)) / 2 for a in teams for b in teams if a != b and rng.random() < 0.5}
        if not means:
            continue
        got = [tuple(r) for r in asymmetry(pd.Series(means).unstack()).itertuples(index=False)]
        assert got == oracles.asymmetry(means)


# --------------------------------------------------------------------------
# Drivers
# --------------------------------------------------------------------------

DOC_RESPONDENTS = {
    "communication": [0, 50, 100, 0, 50, 100],
    "enps": [0, 10, 5, 0, 10, 5],
    "alignment": [50, 100, 50, 50, 0, 50],
}


def _sums(x, y) -> tuple[float, ...]:
    x, y = np.asarray(list(x), float), np.asarray(list(y), float)
    return len(x), x.sum(), y.sum(), (x * x).sum(), (y * y).sum(), (x * y).sum()


def test_driver_analysis_worked_example_matches_docs():
    drivers = oracles.driver_analysis(DOC_RESPONDENTS, min_respondents=6)

    assert drivers == {"communication": {"enps": pytest.approx(0.5), "alignment": pytest.approx(0.0)}}
    assert oracles.driver_analysis(DOC_RESPONDENTS) == {}  # below the default 30


def test_pearson_from_sums_worked_example_matches_docs():
    communication, enps, alignment = DOC_RESPONDENTS.values()

    assert _sums(communication, enps) == (6, 300, 30, 25_000, 250, 2_000)
    assert pearson_from_sums(*_sums(communication, enps), min_pairs=6) == pytest.approx(0.5)
    assert pearson_from_sums(*_sums(communication, alignment), min_pairs=6) == pytest.approx(0.0)
    assert math.isnan(pearson_from_sums(*_sums(communication, enps)))  # default minimum 30


def test_pearson_from_sums_adds_up_like_the_textbook_formula():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, 200).astype(float)
    y = np.clip(np.rint(x * 2 + rng.normal(0, 2, 200)), 0, 10)

    halves = np.add(_sums(x[:80], y[:80]), _sums(x[80:], y[80:]))  # teams roll up

    assert pearson_from_sums(*halves) == pytest.approx(oracles.pearson(x.tolist(), y.tolist(), 30))


def test_a_column_that_does_not_vary_has_no_driver():
    assert math.isnan(pearson_from_sums(*_sums([3] * 40, range(40))))
    assert oracles.pearson([3.0] * 40, list(range(40)), 30) is None
    skipped = [None] + [float(v) for v in range(1, 40)]
    assert oracles.pearson(skipped, list(range(40)), 40) is None  # 39 complete pairs


def test_driver_minimum_below_the_anonymity_floor_is_refused():
    with pytest.raises(ValueError):
        pearson_from_sums(*_sums([1, 2], [1, 2]), min_pairs=2)
    with pytest.raises(ValueError):
        oracles.driver_analysis(DOC_RESPONDENTS, min_respondents=2)


# --------------------------------------------------------------------------
# Trees
# --------------------------------------------------------------------------


def test_rollup_subtrees_sums_histograms_up_the_tree():
    parent_of = {"org": None, "sales": "org", "sdr": "sales", "product": "org"}
    own = {"sales": np.array([0, 0, 0, 0, 1, 1]), "sdr": np.array([0, 1, 0, 0, 0, 0]), "product": np.array([0] * 6)}

    totals = rollup_subtrees(parent_of, own)

    assert totals["org"].tolist() == [0, 1, 0, 0, 1, 1]
    assert totals["sales"].tolist() == [0, 1, 0, 0, 1, 1]
    totals["sdr"][1] = 99
    assert own["sdr"][1] == 1  # results never alias inputs


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


# --------------------------------------------------------------------------
# One implementation per figure
# --------------------------------------------------------------------------


def _imports(path: str) -> list[str]:
    tree = ast.parse(Path(path).read_text(encoding="utf-8"))
    names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    return names + [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]


def test_scoring_module_imports_no_django():
    assert not [name for name in _imports(scoring.__file__) if name.split(".")[0] == "django"]


def test_every_public_scoring_function_has_a_production_caller():
    """The scalar copies live in tests/insights/oracles.py; what stays in scoring.py runs."""
    root = Path(scoring.__file__).parent.parent
    sources = [
        p.read_text(encoding="utf-8")
        for app in ("insights", "leadership", "reviews", "rhythm", "surveys", "peakos")
        for p in (root / app).rglob("*.py")
        if p.name != "scoring.py"
    ]
    tree = ast.parse(Path(scoring.__file__).read_text(encoding="utf-8"))
    public = [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")]

    assert public
    assert [name for name in public if not any(f"scoring.{name}" in text for text in sources)] == []


def test_production_never_imports_the_oracles():
    root = Path(scoring.__file__).parent.parent
    for app in ("insights", "leadership", "reviews", "rhythm", "surveys", "peakos"):
        for path in (root / app).rglob("*.py"):
            assert not [n for n in _imports(str(path)) if n.startswith("tests")], path
