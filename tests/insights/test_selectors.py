"""insights.selectors: the one read layer of stored results, with visibility by Viewer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights import selectors
from insights.models import Snapshot
from insights.selectors import Selection, Viewer
from insights.vocabulary import ScopeKey
from peakos.models import Role
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
        rows = selectors.snapshots(
            [r.id for r in scored], Selection(every=True), Viewer.everything(), dimensions=["alignment"]
        )
    assert len(queries) == 1
    org = rows[(scored[1].id, ScopeKey("organization"), "alignment")]
    assert org.respondents == 22 and org.delta is not None
    # Every layer and depth too, for the engine's deltas.
    assert (scored[1].id, ScopeKey("layer", layer=IC), "alignment") in rows


def test_a_manager_sees_the_organization_and_their_subtree_only(tenant_a, scored):
    viewer = Viewer.of(tenant_a.memberships[Role.MANAGER])
    assert viewer.visible == {tenant_a.team.id, tenant_a.subteam.id}
    rows = selectors.snapshots([scored[1].id], Selection(every=True), viewer)
    assert {(scope.kind, scope.team) for _, scope, _ in rows} == {("organization", None), ("team", tenant_a.team.id)}


def test_a_member_sees_organization_rows_only(tenant_a, scored):
    rows = selectors.snapshots([scored[1].id], Selection(every=True), Viewer.of(tenant_a.memberships[Role.MEMBER]))
    assert rows.keys() == {(scored[1].id, ScopeKey("organization"), d) for d in ("alignment", "team_health")}


def test_a_suppressed_scope_leaves_with_no_figures(tenant_a, build_round, recompute):
    b = build_round(number=3)
    b.respond(tenant_a.team, IC, likert=4, times=6)
    b.respond(tenant_a.subteam, IC, likert=1, times=2)  # two people: never shown
    round_ = b.save()
    recompute(round_)
    round_id = round_.id
    hidden = Snapshot.objects.filter(round_id=round_id, team=tenant_a.subteam, suppressed=True).first()
    assert hidden is not None
    scope = ScopeKey(hidden.scope_kind, hidden.team_id, hidden.layer, hidden.depth)
    row = selectors.snapshots([round_id], Selection.of(scope), Viewer.everything())[(round_id, scope, hidden.dimension)]
    assert row.suppressed
    assert (row.respondents, row.score, row.mean, row.delta, row.gap) == (None,) * 5


def test_the_engine_reads_the_previous_rounds_shown_scores(tenant_a, scored):
    scores = selectors.stored_scores(scored[0])
    assert scores[(ScopeKey("layer", layer=IC), "alignment")] == pytest.approx(37.5)
    assert all(value is not None for value in scores.values())
    assert selectors.stored_scores(None) == {}


def test_published_turnout_counts_only_what_the_audit_shows(tenant_a, scored):
    turnout = selectors.published_turnout(scored)[scored[1].id]
    assert turnout.answered == 22 and not turnout.live
    assert turnout.teams[tenant_a.team.id][0] == 6
    assert tenant_a.leadership.id not in turnout.teams  # its row is its own members, not its subtree


def test_comments_only_where_released(tenant_a, scored):
    rounds = selectors.rounds_with_results(tenant_a.org)
    current = next(r for r in rounds if r.id == scored[1].id)
    everyone = Viewer.everything()
    assert selectors.comments_released(current, ScopeKey("organization"), everyone) is not None
    found, total = selectors.comments(current.id, team_ids=None)
    assert total == 6 and {c.text for c in found} == {"More focus"}
    # The team has 6 respondents: under the comment threshold of 10.
    assert selectors.comments_released(current, ScopeKey("team", tenant_a.team.id), everyone) is None
