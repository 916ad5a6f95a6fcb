"""Signals: what triggers each kind, the organization's thresholds, and the detector registry."""

import pytest

from insights import detectors
from insights.models import Signal, SignalSettings, SignalStatus
from insights.vocabulary import ScopeKey
from peakos.models import TeamDependency
from tests.factories import PriorityFactory
from tests.insights.conftest import EXEC, IC, MANAGER

pytestmark = pytest.mark.django_db


def _kinds(round_):
    return {s.key: s for s in Signal.objects.filter(round=round_)}


def test_a_drop_against_the_previous_round_is_a_signal(tenant_a, build_round, recompute):
    for number, likert in ((1, 4), (2, 2)):
        b = build_round(number=number)
        b.respond(tenant_a.team, likert=likert, times=10).respond(tenant_a.other_team, likert=4, times=6)
        b.respond(tenant_a.subteam, likert=likert, times=6)  # under Team: too few for a drop signal of its own
        recompute(b.save())
    latest = _kinds(b.survey.rounds.get(number=2))
    drop = latest[f"drop:team:{tenant_a.team.id}:alignment"]
    assert drop.figures == {"score": 25.0, "previous": 75.0, "delta": -50.0, "respondents": 16}
    assert drop.severity == "high"
    assert "fell 50.0 points" in drop.title
    assert f"drop:team:{tenant_a.other_team.id}:alignment" not in latest
    assert f"drop:team:{tenant_a.subteam.id}:alignment" not in latest  # 6 < twice the threshold


def test_a_wide_leadership_gap_is_a_signal_per_layer(tenant_a, build_round, recompute):
    b = build_round()
    b.respond(tenant_a.leadership, EXEC, likert=5, times=5)
    b.respond(tenant_a.department, MANAGER, likert=4, times=5)
    b.respond(tenant_a.team, IC, likert=2, times=6)
    round_ = b.save()
    recompute(round_)
    signals = _kinds(round_)
    ic = signals[f"leadership_gap:layer:{IC}:alignment"]
    assert ic.figures == {"leadership_score": 100.0, "score": 25.0, "gap": 75.0}
    assert ic.layer == IC and ic.scope_kind == "layer" and ic.severity == "high"
    managers = signals[f"leadership_gap:layer:{MANAGER}:alignment"]  # 100 − 75 = 25, just past 20
    assert managers.severity == "low"
    assert f"leadership_gap:layer:{EXEC}:alignment" not in signals


def test_low_participation_is_flagged_when_the_round_is_closed(tenant_a, build_round, recompute):
    b = build_round()
    b.invite(tenant_a.team, IC, 20).invite(tenant_a.other_team, IC, 8)
    b.respond(tenant_a.team, IC, times=6).respond(tenant_a.other_team, IC, times=7)
    round_ = b.save()
    recompute(round_)
    signals = _kinds(round_)
    team = signals[f"low_participation:team:{tenant_a.team.id}"]
    assert team.figures == {"rate": 0.3, "respondents": 6, "invited": 20}
    assert f"low_participation:team:{tenant_a.other_team.id}" not in signals  # 7/8

    round_.status = "open"
    round_.save()
    recompute(round_)
    assert not Signal.objects.filter(round=round_, kind="low_participation").exists()  # people are still answering


def test_a_department_below_the_threshold_is_flagged_without_figures(tenant_a, build_round, recompute):
    b = build_round()
    b.invite(tenant_a.team, IC, 12).invite(tenant_a.other_team, IC, 10)
    b.respond(tenant_a.team, IC, times=10).respond(tenant_a.other_team, IC, times=3)
    round_ = b.save()
    recompute(round_)
    other_department = tenant_a.other_team.parent
    signal = Signal.objects.get(round=round_, key=f"low_participation:department:{other_department.id}")
    assert signal.figures == {"suppressed": True}
    assert "Too few responses" in signal.title


def test_priority_confusion_when_few_name_leadership_top_priority(tenant_a, build_round, recompute):
    top = PriorityFactory(organization=tenant_a.org, title="Win the mid-market", rank=1, period="2026-Q4")
    other = PriorityFactory(organization=tenant_a.org, title="Launch the API", rank=2, period="2026-Q4")
    b = build_round()
    b.respond(tenant_a.team, picks=[other], times=8).respond(tenant_a.other_team, picks=[top, other], times=2)
    round_ = b.save()
    recompute(round_)
    signal = Signal.objects.get(round=round_, key="priority_confusion:org")
    assert signal.figures["top_priority_share"] == 0.2
    assert "Win the mid-market" in signal.title


def test_a_weak_dependency_link_is_a_signal(tenant_a, build_round, recompute):
    TeamDependency.objects.create(organization=tenant_a.org, from_team=tenant_a.team, to_team=tenant_a.other_team)
    b = build_round()
    b.respond(tenant_a.team, rate={tenant_a.other_team: 2}, times=6)
    b.respond(tenant_a.other_team, rate={tenant_a.team: 5}, times=6)
    round_ = b.save()
    recompute(round_)
    signal = Signal.objects.get(round=round_, kind="weak_link")
    assert signal.key == f"weak_link:{tenant_a.team.id}:{tenant_a.other_team.id}"
    assert signal.team_id == tenant_a.team.id
    assert signal.figures == {"rated_team_id": tenant_a.other_team.id, "mean": 2.0, "score": 25.0, "respondents": 6}


def test_thresholds_are_the_organizations(tenant_a, build_round, recompute):
    TeamDependency.objects.create(organization=tenant_a.org, from_team=tenant_a.team, to_team=tenant_a.other_team)
    SignalSettings.objects.create(organization=tenant_a.org, weak_link_mean=1.5)
    b = build_round()
    b.respond(tenant_a.team, rate={tenant_a.other_team: 2}, times=6).respond(tenant_a.other_team, times=6)
    round_ = b.save()
    recompute(round_)
    assert not Signal.objects.filter(round=round_, kind="weak_link").exists()


def test_a_resolved_signal_stays_resolved_and_a_vanished_open_one_is_removed(tenant_a, build_round, recompute):
    TeamDependency.objects.create(organization=tenant_a.org, from_team=tenant_a.team, to_team=tenant_a.other_team)
    b = build_round()
    b.invite(tenant_a.team, IC, 20).invite(tenant_a.other_team, IC, 6)
    b.respond(tenant_a.team, IC, rate={tenant_a.other_team: 2}, times=6).respond(tenant_a.other_team, IC, times=6)
    round_ = b.save()
    recompute(round_)
    weak = Signal.objects.get(round=round_, kind="weak_link")
    weak.status = SignalStatus.RESOLVED
    weak.save()
    SignalSettings.objects.create(organization=tenant_a.org, low_participation=0.2)
    recompute(round_)
    weak.refresh_from_db()
    assert weak.status == SignalStatus.RESOLVED
    assert not Signal.objects.filter(round=round_, kind="low_participation").exists()


def test_organization_detectors_from_other_apps_are_stored_without_a_round(tenant_a, build_round, recompute):
    def overdue(organization):
        yield detectors.Detected(
            kind="overdue_review",
            key=f"overdue_review:{tenant_a.team.id}",
            scope=ScopeKey("team", tenant_a.team.id),
            severity="medium",
            title="Alpha Team's review is late",
        )

    detectors.ORGANIZATION_DETECTORS.append(overdue)
    try:
        round_ = build_round().respond(tenant_a.team, times=5).save()
        recompute(round_)
        recompute(round_)
    finally:
        detectors.ORGANIZATION_DETECTORS.remove(overdue)
    found = Signal.objects.filter(organization=tenant_a.org, key=f"overdue_review:{tenant_a.team.id}")
    assert found.count() == 1 and found.get().round_id is None
