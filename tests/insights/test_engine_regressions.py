"""The engine bugs an independent recomputation from docs/scoring.md found, each pinned down."""

import pytest

from insights import detectors
from insights.models import CoordinationCell, Signal
from peakos.models import TeamDependency
from tests.insights.conftest import EXEC, IC, MANAGER

pytestmark = pytest.mark.django_db


def test_the_leadership_teams_own_dependencies_get_a_cell_and_can_be_weak(tenant_a, build_round, recompute):
    """Leadership → Other Team declared; 5 executives rate it 2: their own cell is stored (it
    used to vanish, being the whole organization's subtree) and the weak link fires."""
    TeamDependency.objects.create(organization=tenant_a.org, from_team=tenant_a.leadership, to_team=tenant_a.other_team)
    b = build_round()
    b.respond(tenant_a.leadership, EXEC, rate={tenant_a.other_team: 2}, times=5)
    b.respond(tenant_a.team, IC, rate={tenant_a.other_team: 4}, times=6)
    round_ = b.save()
    recompute(round_)
    cell = CoordinationCell.objects.get(round=round_, rater_team=tenant_a.leadership, rated_team=tenant_a.other_team)
    assert (cell.suppressed, cell.respondents, cell.mean) == (False, 5, 2.0)
    received = CoordinationCell.objects.get(round=round_, rater_team=None, rated_team=tenant_a.other_team)
    assert received.respondents == 11  # the executives' ratings count in the received total too
    assert Signal.objects.filter(
        round=round_, key=f"weak_link:{tenant_a.leadership.id}:{tenant_a.other_team.id}"
    ).exists()


def test_a_declared_dependency_nobody_rated_shows_not_enough_responses(tenant_a, build_round, recompute):
    TeamDependency.objects.create(organization=tenant_a.org, from_team=tenant_a.team, to_team=tenant_a.other_team)
    b = build_round()
    b.respond(tenant_a.team, IC, times=6).respond(tenant_a.other_team, IC, rate={tenant_a.team: 3}, times=6)
    round_ = b.save()
    recompute(round_)
    cell = CoordinationCell.objects.get(round=round_, rater_team=tenant_a.team, rated_team=tenant_a.other_team)
    assert cell.suppressed and cell.respondents is None
    received = CoordinationCell.objects.get(round=round_, rater_team=None, rated_team=tenant_a.other_team)
    assert received.suppressed


def test_severity_at_exactly_twice_the_threshold_is_medium():
    assert detectors.severity(20.0, 10.0) == "medium"  # docs: "medium up to 2×"
    assert detectors.severity(20.000001, 10.0) == "high"
    assert detectors.severity(15.0, 10.0) == "low"  # "low up to 1.5×"
    assert detectors.severity(15.5, 10.0) == "medium"


def test_a_gap_of_twenty_points_computed_in_floating_point_still_fires(tenant_a, build_round, recompute):
    """A layer answering 3,3,3,3,4 scores 55.00000000000001; leadership 75: the gap is
    19.999999999999993 in floating point, and the "≥ 20" rule must still see 20."""
    b = build_round()
    b.respond(tenant_a.leadership, EXEC, likert=4, times=5)  # 75
    for value in (3, 3, 3, 3, 4):
        b.respond(tenant_a.department, MANAGER, likert=value)
    b.respond(tenant_a.team, IC, likert=4, times=6)
    round_ = b.save()
    recompute(round_)
    gap = Signal.objects.get(round=round_, key="leadership_gap:layer:manager:alignment")
    assert gap.figures["gap"] == 20.0
