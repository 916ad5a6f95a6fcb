"""insights.selectors: set-based reads of stored results, with visibility."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import selectors
from insights.vocabulary import ScopeKey
from tests.insights.conftest import EXEC, IC, MANAGER

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(tenant_a, build_round, recompute):
    rounds = []
    for number, ic in ((1, 2), (2, 3)):
        b = build_round(number=number)
        b.respond(tenant_a.leadership, EXEC, likert=5, times=5)
        b.respond(tenant_a.department, MANAGER, likert=4, times=5)
        b.respond(tenant_a.team, IC, likert=ic, rate={tenant_a.other_team: 2}, comment="More focus", times=6)
        b.respond(tenant_a.other_team, IC, likert=3, rate={tenant_a.team: 4}, times=6)
        round_ = b.save()
        recompute(round_)
        rounds.append(round_)
    return rounds


def test_snapshots_of_many_rounds_in_one_query(tenant_a, scored):
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.snapshots([r.id for r in scored], visible=selectors.ALL, dimensions=["alignment"])
    assert len(queries) == 1
    org = rows[(scored[1].id, ScopeKey("organization"), "alignment")]
    assert org.respondents == 22 and org.delta is not None


def test_members_see_only_the_organization_and_their_teams(tenant_a, scored):
    rows = selectors.snapshots([scored[1].id], visible={tenant_a.team.id})
    kinds = {(scope.kind, scope.team) for _, scope, _ in rows}
    assert kinds == {("organization", None), ("team", tenant_a.team.id)}
    assert selectors.snapshots([scored[1].id], visible=set()).keys() == {
        (scored[1].id, ScopeKey("organization"), d) for d in ("alignment", "team_health")
    }


def test_the_gap_curve_runs_from_leadership_down_the_layers(scored):
    curve = selectors.gap_curve(scored[1].id, "alignment", visible=selectors.ALL)
    assert [(r.scope.kind, r.scope.layer) for r in curve[:4]] == [
        ("leadership", ""), ("layer", EXEC), ("layer", MANAGER), ("layer", IC)
    ]  # fmt: skip
    assert [r.gap for r in curve[1:4]] == [pytest.approx(0.0), pytest.approx(25.0), pytest.approx(50.0)]


def test_trends_follow_a_scope_over_rounds(tenant_a, scored):
    series = selectors.trends([r.id for r in scored], "alignment", visible=selectors.ALL, kinds=["layer"])
    ic = series[ScopeKey("layer", layer=IC)]
    assert [round(p.score, 2) for p in ic] == [37.5, 50.0]


def test_coordination_asymmetry_of_shown_cells(tenant_a, scored):
    pairs = selectors.coordination_asymmetry(scored[1].id, team_ids=[tenant_a.team.id, tenant_a.other_team.id])
    assert list(pairs.iloc[0][["team_a", "team_b", "difference"]]) == [tenant_a.other_team.id, tenant_a.team.id, 2.0]


def test_comments_only_where_released(tenant_a, scored):
    round_ = scored[1]
    assert selectors.released_comments(round_, ScopeKey("organization")) == ["More focus"] * 6
    # Team has 6 respondents: under the comment threshold of 10.
    assert selectors.released_comments(round_, ScopeKey("team", tenant_a.team.id), team_ids=[tenant_a.team.id]) is None
