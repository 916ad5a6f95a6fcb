"""Recomputing a round: idempotence, one transaction, deltas, gaps, coordination, priorities, drivers."""

import pytest

from insights import signal_sync, storage
from insights.models import (
    CoordinationCell,
    Participation,
    PriorityAlignment,
    ScoreState,
    Signal,
    SignalSettings,
    Snapshot,
)
from insights.recompute import recompute_org, recompute_round
from peakos.models import TeamDependency
from tests.factories import PriorityFactory
from tests.insights.conftest import EXEC, IC

RESULT_MODELS = (Snapshot, Participation, PriorityAlignment, CoordinationCell)

pytestmark = pytest.mark.django_db

FIELDS = ("scope_kind", "team_id", "layer", "depth", "dimension", "suppressed", "respondents", "score", "delta", "gap")


def _snapshot_values(round_):
    return sorted(Snapshot.objects.filter(round=round_).values_list(*FIELDS), key=repr)


def _round_with_everything(tenant_a, build_round, number=1, ic_likert=2):
    TeamDependency.objects.get_or_create(
        organization=tenant_a.org, from_team=tenant_a.team, to_team=tenant_a.other_team
    )
    b = build_round(number=number)
    b.respond(tenant_a.leadership, EXEC, likert=5, enps=9, times=6)
    b.respond(tenant_a.team, IC, likert=ic_likert, enps=5, rate={tenant_a.other_team: 2}, times=8)
    b.respond(tenant_a.other_team, IC, likert=3, enps=6, rate={tenant_a.team: 4}, times=8)
    return b.save()


def test_recomputing_twice_stores_identical_snapshots_and_no_duplicate_signals(tenant_a, build_round, recompute):
    round_ = _round_with_everything(tenant_a, build_round)
    recompute(round_)
    first = _snapshot_values(round_)
    signals = sorted(Signal.objects.filter(round=round_).values_list("id", "key", "figures"))
    cells = sorted(
        CoordinationCell.objects.filter(round=round_).values_list("rater_team_id", "rated_team_id", "mean"), key=repr
    )

    recompute(round_)

    assert _snapshot_values(round_) == first
    # One row per round × scope × dimension (the writer's invariant: no unique index backs it).
    keys = list(
        Snapshot.objects.filter(round=round_).values_list("scope_kind", "team_id", "layer", "depth", "dimension")
    )
    assert len(keys) == len(set(keys))
    pairs = list(CoordinationCell.objects.filter(round=round_).values_list("rater_team_id", "rated_team_id"))
    assert len(pairs) == len(set(pairs))
    assert sorted(Signal.objects.filter(round=round_).values_list("id", "key", "figures")) == signals
    assert signals, "the weak link and the leadership gap should be signals"
    assert (
        sorted(
            CoordinationCell.objects.filter(round=round_).values_list("rater_team_id", "rated_team_id", "mean"),
            key=repr,
        )
        == cells
    )


def test_a_crash_while_writing_leaves_the_previous_results(tenant_a, build_round, recompute, monkeypatch):
    round_ = _round_with_everything(tenant_a, build_round)
    recompute(round_)
    before = _snapshot_values(round_)
    ids = sorted(Snapshot.objects.filter(round=round_).values_list("id", flat=True))
    participation = Participation.objects.filter(round=round_).count()
    real_sync = storage.sync_rows

    def crashing_sync(model, round_id, columns):
        if model is Snapshot:  # as if the answers had changed: every shown score moves
            columns = {**columns, "score": [None if v is None else v + 1 for v in columns["score"]]}
            return real_sync(model, round_id, columns)
        raise RuntimeError("worker killed")  # snapshots already rewritten, participation next

    monkeypatch.setattr(storage, "sync_rows", crashing_sync)
    ScoreState.objects.filter(round=round_).update(digests={})  # as if the rows had changed
    with pytest.raises(RuntimeError):
        recompute(round_)

    assert _snapshot_values(round_) == before
    assert sorted(Snapshot.objects.filter(round=round_).values_list("id", flat=True)) == ids
    assert Participation.objects.filter(round=round_).count() == participation


def test_a_recompute_with_nothing_new_rewrites_nothing(tenant_a, build_round, recompute):
    round_ = _round_with_everything(tenant_a, build_round)
    recompute(round_)
    ids = {m: sorted(m.objects.filter(round=round_).values_list("id", flat=True)) for m in RESULT_MODELS}
    recompute(round_)
    assert {m: sorted(m.objects.filter(round=round_).values_list("id", flat=True)) for m in RESULT_MODELS} == ids


def test_only_changed_rows_are_rewritten_and_the_result_equals_a_fresh_write(tenant_a, build_round, recompute):
    round_ = _round_with_everything(tenant_a, build_round)
    recompute(round_)
    fresh = _snapshot_values(round_)
    leadership = Snapshot.objects.get(round=round_, scope_kind="leadership", dimension="alignment")
    org = Snapshot.objects.get(round=round_, scope_kind="organization", dimension="alignment")
    Snapshot.objects.filter(pk=leadership.pk).update(score=1.0)  # a stale row, as after earlier answers
    Snapshot.objects.filter(pk=org.pk).delete()  # and a missing one
    recompute(round_)
    assert _snapshot_values(round_) == fresh
    kept = set(Snapshot.objects.filter(round=round_).values_list("id", flat=True))
    assert leadership.pk not in kept  # the stale row was replaced
    assert len(kept) == len(fresh)


def test_deltas_compare_with_the_previous_round_and_gaps_with_leadership(tenant_a, build_round, recompute):
    first = _round_with_everything(tenant_a, build_round, number=1, ic_likert=2)
    second = _round_with_everything(tenant_a, build_round, number=2, ic_likert=3)
    recompute(first)
    recompute(second)
    ic = Snapshot.objects.get(round=second, scope_kind="layer", layer=IC, dimension="alignment")
    org_first = Snapshot.objects.get(round=first, scope_kind="organization", dimension="alignment")
    org_second = Snapshot.objects.get(round=second, scope_kind="organization", dimension="alignment")

    # individual contributors: (8×3 + 8×3)/16 = 3 → 50 this round; (8×2 + 8×3)/16 = 2.5 → 37.5 before
    assert ic.score == pytest.approx(50.0)
    assert ic.delta == pytest.approx(12.5)
    assert ic.gap == pytest.approx(100.0 - 50.0)  # leadership answered 5 everywhere
    assert org_second.delta == pytest.approx(org_second.score - org_first.score)
    assert Snapshot.objects.get(round=second, scope_kind="leadership", dimension="alignment").gap is None


def test_recompute_org_gives_the_same_results_as_round_by_round(tenant_a, build_round, recompute):
    first = _round_with_everything(tenant_a, build_round, number=1, ic_likert=2)
    second = _round_with_everything(tenant_a, build_round, number=2, ic_likert=3)
    recompute(first)
    recompute(second)
    expected = (_snapshot_values(first), _snapshot_values(second))
    others = _other_results(first, second)
    reports = recompute_org(organization=tenant_a.org)
    assert len(reports) == 2
    assert (_snapshot_values(first), _snapshot_values(second)) == expected
    assert _other_results(first, second) == others
    assert [r.rows for r in reports] == [
        sum(m.objects.filter(round=r).count() for m in (Snapshot, Participation, PriorityAlignment, CoordinationCell))
        for r in (first, second)
    ]


def _other_results(*rounds):
    out = []
    for round_ in rounds:
        out.append(
            (
                sorted(
                    Participation.objects.filter(round=round_).values_list(
                        "scope_kind",
                        "team_id",
                        "layer",
                        "depth",
                        "suppressed",
                        "respondents",
                        "invited",
                        "comments_released",
                    ),
                    key=repr,
                ),
                sorted(
                    PriorityAlignment.objects.filter(round=round_).values_list(
                        "scope_kind", "team_id", "layer", "depth", "suppressed", "respondents", "top_priority_share"
                    ),
                    key=repr,
                ),
                sorted(
                    CoordinationCell.objects.filter(round=round_).values_list(
                        "rater_team_id", "rated_team_id", "suppressed", "respondents", "mean"
                    ),
                    key=repr,
                ),
                sorted(Signal.objects.filter(round=round_).values_list("key", "figures"), key=repr),
            )
        )
    return out


def test_a_backfill_that_fails_while_writing_leaves_every_round_as_it_was(
    tenant_a, build_round, recompute, monkeypatch
):
    first = _round_with_everything(tenant_a, build_round, number=1, ic_likert=2)
    second = _round_with_everything(tenant_a, build_round, number=2, ic_likert=3)
    recompute(first)
    recompute(second)
    before = (_snapshot_values(first), _snapshot_values(second), _other_results(first, second))
    calls = []
    real_sync = signal_sync.sync_signals

    def sync_then_fail(**kwargs):
        calls.append(kwargs["round_"])
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real_sync(**kwargs)

    monkeypatch.setattr(signal_sync, "sync_signals", sync_then_fail)
    with pytest.raises(RuntimeError):
        recompute_org(organization=tenant_a.org)
    assert (_snapshot_values(first), _snapshot_values(second), _other_results(first, second)) == before


def test_coordination_cells_pool_the_rater_subtree_and_ignore_self_ratings(tenant_a, build_round, recompute):
    b = build_round()
    b.respond(tenant_a.team, rate={tenant_a.other_team: 2, tenant_a.team: 5}, times=4)
    b.respond(tenant_a.subteam, rate={tenant_a.other_team: 3}, times=5)
    b.respond(tenant_a.other_team, rate={tenant_a.department: 4}, times=6)
    round_ = b.save()
    recompute(round_)
    cells = {(c.rater_team_id, c.rated_team_id): c for c in CoordinationCell.objects.filter(round=round_)}

    team_subtree = cells[(tenant_a.team.id, tenant_a.other_team.id)]  # Team 4 + Subteam 5
    assert team_subtree.respondents == 9 and team_subtree.mean == pytest.approx((4 * 2 + 5 * 3) / 9)
    assert cells[(None, tenant_a.other_team.id)].respondents == 9  # received
    assert (tenant_a.team.id, tenant_a.team.id) not in cells and (None, tenant_a.team.id) not in cells
    assert cells[(None, tenant_a.department.id)].mean == pytest.approx(4.0)
    # Team's own members (4) would be Team − Subteam: neither the small cell nor a derivable one is shown.
    assert (tenant_a.subteam.id, tenant_a.other_team.id) not in cells or cells[
        (tenant_a.subteam.id, tenant_a.other_team.id)
    ].suppressed


def test_priority_alignment_compares_picks_with_leadership_ranking(tenant_a, build_round, recompute):
    top, second, third = (
        PriorityFactory(organization=tenant_a.org, title=t, rank=i, period="2026-Q4")
        for i, t in enumerate(("A", "B", "C"), start=1)
    )
    other = PriorityFactory(organization=tenant_a.org, title="D", rank=4, period="2026-Q4")
    b = build_round()
    b.respond(tenant_a.team, picks=[top, second, third], times=3)
    b.respond(tenant_a.team, picks=[other, second], times=3)
    b.respond(tenant_a.other_team, picks=[], times=2)
    round_ = b.save()
    recompute(round_)
    org = PriorityAlignment.objects.get(round=round_, scope_kind="organization")

    assert org.respondents == 6  # those who picked
    assert org.top_priority_id == top.id
    assert org.top_priority_share == pytest.approx(0.5)
    assert org.top_overlap == pytest.approx((3 * 3 / 3 + 3 * 1 / 3) / 6)
    assert org.pick_counts == {str(top.id): 3, str(second.id): 6, str(third.id): 3, str(other.id): 3}


def test_drivers_appear_only_with_enough_respondents(tenant_a, build_round, recompute):
    SignalSettings.objects.create(organization=tenant_a.org, driver_min_respondents=10)
    b = build_round()
    for i in range(12):
        b.respond(tenant_a.team, likert={"alignment-priorities": 1 + i % 5, "alignment-why": 1 + i % 5,
                                         "team-health-trust": 1 + i % 5}, enps=2 * (i % 5))  # fmt: skip
    b.respond(tenant_a.other_team, likert=3, enps=4, times=6)  # on the same line: eNPS = 2 × (answer − 1)
    round_ = b.save()
    recompute(round_)
    org = Snapshot.objects.get(round=round_, scope_kind="organization", dimension="team_health")
    team = Snapshot.objects.get(round=round_, team=tenant_a.team, dimension="team_health")
    other = Snapshot.objects.get(round=round_, team=tenant_a.other_team, dimension="team_health")

    assert org.driver_enps == pytest.approx(1.0)  # team health and eNPS rise together for everyone
    assert org.driver_alignment == pytest.approx(1.0)
    assert team.driver_enps == pytest.approx(1.0)
    assert other.driver_enps is None  # 6 respondents < 10
    assert Snapshot.objects.get(round=round_, scope_kind="organization", dimension="alignment").driver_alignment is None


def test_a_scheduled_round_is_left_alone(tenant_a, build_round):
    round_ = build_round(status="scheduled").save()
    assert recompute_round(round_=round_) is None
    assert not Snapshot.objects.filter(round=round_).exists()


def test_participation_counts_invitations_of_the_round(tenant_a, build_round, recompute):
    b = build_round()
    b.invite(tenant_a.team, IC, 10).invite(tenant_a.other_team, IC, 8)
    b.respond(tenant_a.team, IC, times=6).respond(tenant_a.other_team, IC, times=6)
    round_ = b.save()
    recompute(round_)
    team = Participation.objects.get(round=round_, team=tenant_a.team)
    assert (team.respondents, team.invited, team.rate) == (6, 10, pytest.approx(0.6))
    org = Participation.objects.get(round=round_, scope_kind="organization")
    assert org.invited == 18 and org.rate == pytest.approx(12 / 18)


def test_more_responses_than_invitations_store_a_participation_of_one_hundred_percent(tenant_a, build_round, recompute):
    """Two people moved into the team after the round opened: 7 answered there, 5 were
    invited there. The stored rate clamps at 100 % (docs/scoring.md, "Participation")."""
    b = build_round()
    b.invite(tenant_a.team, IC, count=5).invite(tenant_a.other_team, IC, count=8)
    b.respond(tenant_a.team, IC, times=7).respond(tenant_a.other_team, IC, times=6)
    round_ = b.save()
    recompute(round_)
    team = Participation.objects.get(round=round_, scope_kind="team", team=tenant_a.team)
    other = Participation.objects.get(round=round_, scope_kind="team", team=tenant_a.other_team)
    assert (team.respondents, team.invited, team.rate) == (7, 5, 1.0)
    assert other.rate == pytest.approx(6 / 8)
