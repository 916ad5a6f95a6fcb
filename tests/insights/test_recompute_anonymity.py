"""From answers to snapshots: suppression and differencing protection, end to end."""

import pytest
from django.db import IntegrityError, transaction

from insights.models import SNAPSHOT_VALUES, Participation, ScopeKind, Snapshot
from tests.insights.conftest import EXEC, IC, MANAGER, add_team

pytestmark = pytest.mark.django_db


def _rows(round_, **filters):
    return {
        (s.scope_kind, s.team_id, s.layer, s.depth, s.dimension): s
        for s in Snapshot.objects.filter(round=round_, **filters)
    }


def _standard_round(tenant_a, build_round):
    """Leadership 5 executives; Department: 3 managers + Team 11; Other Department: 3 managers + Other Team 6."""
    b = build_round()
    b.respond(tenant_a.leadership, EXEC, likert=5, enps=9, times=5)
    b.respond(tenant_a.department, MANAGER, likert=4, enps=8, times=3)
    b.respond(tenant_a.team, IC, likert=2, enps=4, times=11)
    other_department = tenant_a.other_team.parent
    b.respond(other_department, MANAGER, likert=4, enps=7, times=3)
    b.respond(tenant_a.other_team, IC, likert=3, enps=6, times=6)
    return b.save()


def test_a_department_minus_its_only_shown_team_hides_the_team(tenant_a, build_round, recompute):
    round_ = _standard_round(tenant_a, build_round)
    recompute(round_)
    rows = _rows(round_, dimension="alignment")

    team = rows[(ScopeKind.TEAM, tenant_a.team.id, "", None, "alignment")]
    department = rows[(ScopeKind.DEPARTMENT, tenant_a.department.id, "", None, "alignment")]
    # Team has 11 respondents, but Department (14) − Team would reveal the 3 managers.
    assert team.suppressed
    assert not department.suppressed
    assert department.respondents == 14
    assert department.score == pytest.approx(((3 * 4 + 11 * 2) / 14 - 1) / 4 * 100)
    assert department.favorable_share == pytest.approx(3 / 14)
    other_team = rows[(ScopeKind.TEAM, tenant_a.other_team.id, "", None, "alignment")]
    assert other_team.suppressed  # same story: 9 − 6 = 3 managers


def test_suppressed_rows_store_no_values(tenant_a, build_round, recompute):
    round_ = _standard_round(tenant_a, build_round)
    recompute(round_)
    suppressed = list(Snapshot.objects.filter(round=round_, suppressed=True))
    assert suppressed
    for row in suppressed:
        assert all(getattr(row, name) is None for name in SNAPSHOT_VALUES), row
    for row in Participation.objects.filter(round=round_, suppressed=True):
        assert (row.respondents, row.invited, row.rate, row.comments_released) == (None, None, None, False)


def test_the_database_refuses_a_suppressed_row_with_a_value(tenant_a, build_round):
    round_ = build_round().save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Snapshot.objects.create(
            organization=tenant_a.org, round=round_, scope_kind=ScopeKind.ORGANIZATION, dimension="alignment",
            suppressed=True, score=50.0,
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Snapshot.objects.create(
            organization=tenant_a.org, round=round_, scope_kind=ScopeKind.ORGANIZATION, dimension="alignment",
            suppressed=True, respondents=3,
        )  # fmt: skip


def test_parent_and_all_but_one_child_hides_the_smallest_shown_child(tenant_a, build_round, recompute):
    product = add_team(tenant_a, "Product", tenant_a.leadership, kind="department")
    web, mobile, data = (add_team(tenant_a, name, product) for name in ("Web", "Mobile", "Data"))
    b = build_round()
    b.respond(web, times=12).respond(mobile, times=7).respond(data, times=4)
    round_ = b.save()
    recompute(round_)
    rows = {s.team_id: s for s in Snapshot.objects.filter(round=round_, dimension="alignment", team__isnull=False)}

    assert rows[data.id].suppressed  # 4 < 5
    assert rows[mobile.id].suppressed  # 23 − 12 − 7 would reveal Data
    assert not rows[web.id].suppressed
    assert not rows[product.id].suppressed and rows[product.id].respondents == 23


def test_a_small_layer_cannot_be_derived_from_the_other_layers(tenant_a, build_round, recompute):
    b = build_round()
    b.respond(tenant_a.leadership, EXEC, times=4)
    b.respond(tenant_a.department, MANAGER, times=12)
    b.respond(tenant_a.team, IC, times=44)
    round_ = b.save()
    recompute(round_)
    layers = {s.layer: s for s in Snapshot.objects.filter(round=round_, dimension="alignment", scope_kind="layer")}

    assert layers[EXEC].suppressed  # 4 < 5
    assert layers[MANAGER].suppressed  # 60 − 44 − 12 = 4 executives
    assert not layers[IC].suppressed and layers[IC].respondents == 44


def test_a_dimension_some_skipped_is_protected_on_its_own_counts(tenant_a, build_round, recompute):
    """Team 8 and Team 2 (6) under Department. Everyone answers alignment; only 3 people of
    Team 2 answer the team-health item: Team 2's team health is hidden (3 < 5), and then
    Team's too, or Department − Team would reveal those 3 answers."""
    team2 = add_team(tenant_a, "Team 2", tenant_a.department)
    b = build_round()
    b.respond(tenant_a.team, likert=4, times=8)
    b.respond(team2, likert={"alignment-priorities": 4, "alignment-why": 4, "team-health-trust": 1}, times=3)
    b.respond(team2, likert={"alignment-priorities": 4, "alignment-why": 4, "team-health-trust": None}, times=3)
    round_ = b.save()
    recompute(round_)
    health = {s.team_id: s for s in Snapshot.objects.filter(round=round_, dimension="team_health", team__isnull=False)}
    alignment = {s.team_id: s for s in Snapshot.objects.filter(round=round_, dimension="alignment", team__isnull=False)}

    assert not alignment[team2.id].suppressed and not alignment[tenant_a.team.id].suppressed
    assert health[team2.id].suppressed
    assert health[tenant_a.team.id].suppressed
    assert not health[tenant_a.department.id].suppressed
    assert health[tenant_a.department.id].respondents == 11
    assert alignment[tenant_a.department.id].respondents == 14


def test_comments_are_released_only_in_scopes_over_the_comment_threshold(tenant_a, build_round, recompute):
    round_ = _standard_round(tenant_a, build_round)
    recompute(round_)
    released = {
        (p.scope_kind, p.team_id, p.layer): p.comments_released for p in Participation.objects.filter(round=round_)
    }
    assert released[(ScopeKind.DEPARTMENT, tenant_a.department.id, "")]  # 14 respondents >= 10
    assert not released[(ScopeKind.DEPARTMENT, tenant_a.other_team.parent_id, "")]  # 9 < 10, though shown
    assert not released[(ScopeKind.LEADERSHIP, tenant_a.leadership.id, "")]  # 5
    assert released[(ScopeKind.ORGANIZATION, None, "")]


def test_the_rounds_frozen_threshold_applies_not_the_organizations(tenant_a, build_round, recompute):
    b = build_round(anonymity_threshold=7, comment_threshold=10)
    b.respond(tenant_a.team, times=6).respond(tenant_a.other_team, times=6)
    round_ = b.save()
    tenant_a.org.anonymity_threshold = 3
    tenant_a.org.save()
    recompute(round_)
    team = Snapshot.objects.get(round=round_, team=tenant_a.team, dimension="alignment")
    assert team.suppressed  # 6 < 7 frozen on the round, though the organization now says 3


def test_a_small_department_cannot_be_derived_through_the_leadership_team_or_the_executive_layer(
    tenant_a, build_round, recompute
):
    """Organization 22 = leadership team 7 (the whole executive layer) + Department 12 + Other
    Department 3. Other Department is hidden; the organization minus the leadership team (or
    minus the executive layer: the same people) minus Department would reveal it. The
    leadership team and the executive layer are kept (they anchor the gap chart), so
    Department is hidden, and the executive layer is shown exactly when the leadership team is."""
    b = build_round()
    b.respond(tenant_a.leadership, EXEC, likert=5, times=7)
    b.respond(tenant_a.team, IC, likert=3, times=12)
    b.respond(tenant_a.other_team, IC, likert=2, times=3)
    round_ = b.save()
    recompute(round_)
    rows = {
        (s.scope_kind, s.team_id or s.layer or s.depth or ""): s
        for s in Snapshot.objects.filter(round=round_, dimension="alignment")
    }

    assert rows[(ScopeKind.DEPARTMENT, tenant_a.other_team.parent_id)].suppressed
    assert rows[(ScopeKind.DEPARTMENT, tenant_a.department.id)].suppressed
    assert not rows[(ScopeKind.ORGANIZATION, "")].suppressed
    assert not rows[(ScopeKind.LEADERSHIP, tenant_a.leadership.id)].suppressed
    assert not rows[(ScopeKind.LAYER, EXEC)].suppressed
    # What remains shown cannot isolate the 3: organization − leadership = 15 (both departments).
    shown = {k for k, s in rows.items() if not s.suppressed}
    assert shown == {(ScopeKind.ORGANIZATION, ""), (ScopeKind.LEADERSHIP, tenant_a.leadership.id), (ScopeKind.LAYER, EXEC),
                     (ScopeKind.LAYER, IC), (ScopeKind.DEPTH, 2)}  # fmt: skip
