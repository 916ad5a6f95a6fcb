"""Review-based signals: unlinked priorities, overdue reviews, off-track metrics, unanswered asks."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from insights import detectors as insights_detectors
from peakos.models import Priority, PriorityLevel, current_period
from peakos.tenancy import org_scope
from reviews import detectors
from reviews.models import Ask, ReviewStatus
from tests.reviews.factories import fill, make_cycle, review_of

TODAY = date(2026, 11, 25)


def test_unlinked_rule_counts_per_team_and_rates_the_share():
    rows = [
        {"team_id": 1, "team_name": "Sales", "title": "A", "linked": False},
        {"team_id": 1, "team_name": "Sales", "title": "B", "linked": False},
        {"team_id": 1, "team_name": "Sales", "title": "C", "linked": True},
        {"team_id": 2, "team_name": "Ops", "title": "D", "linked": True},
    ]
    [s] = detectors._group_unlinked(rows, "2027-Q1")
    assert (s.team_id, s.severity, s.evidence["unlinked"]) == (1, "high", ["A", "B"])
    assert s.title == "2 of 3 2027-Q1 priorities linked to no company priority"


def test_overdue_rule_is_high_after_a_week():
    rows = [
        {"review_id": 1, "team_id": 1, "team_name": "A", "cycle": "QBR", "due_on": TODAY - timedelta(days=3), "status": "draft"},
        {"review_id": 2, "team_id": 2, "team_name": "B", "cycle": "QBR", "due_on": TODAY - timedelta(days=9), "status": "returned"},
        {"review_id": 3, "team_id": 3, "team_name": "C", "cycle": "QBR", "due_on": TODAY, "status": "draft"},
    ]  # fmt: skip
    out = detectors._group_overdue(rows, TODAY)
    assert [(s.team_name, s.severity, s.evidence["days_late"]) for s in out] == [("B", "high", 9), ("A", "medium", 3)]


def test_off_track_rule_is_high_when_half_or_more_are_off():
    row = {"review_id": 1, "team_id": 1, "team_name": "A", "cycle": "QBR", "target": None, "actual": None, "unit": ""}
    rows = [{**row, "name": "x", "status": "off_track"}, {**row, "name": "y", "status": "on_track"}]
    [s] = detectors._group_off_track(rows)
    assert s.severity == "high" and s.title == "1 of 2 metrics off track in the QBR review"
    assert detectors._group_off_track([{**row, "name": "z", "status": "at_risk"}]) == []


def test_ask_rule_waits_two_weeks():
    base = {"to_team_id": 1, "to_team_name": "Platform", "from_team_name": "Sales", "request": "r"}
    rows = [{**base, "ask_id": 1, "asked_on": TODAY - timedelta(days=13)}]
    assert detectors._group_asks(rows, TODAY) == []
    rows.append({**base, "ask_id": 2, "asked_on": TODAY - timedelta(days=15)})
    [s] = detectors._group_asks(rows, TODAY)
    assert s.evidence["asks"] == [{"id": 2, "from": "Sales", "request": "r"}] and s.severity == "medium"


@pytest.mark.django_db
def test_detectors_find_each_kind_in_the_database(tenant_a, tenant_b):
    today = timezone.localdate()
    t = tenant_a
    Priority.objects.create(organization=t.org, title="Lonely", level=PriorityLevel.TEAM, team=t.team, period="2026-Q4")
    late = make_cycle(t, teams=[t.team, t.other_team], period="2026-Q3",
                      opens_on=today - timedelta(days=40), due_on=today - timedelta(days=10))  # fmt: skip
    review = fill(review_of(late, t.other_team), status=ReviewStatus.SUBMITTED, off_track=2, asks_to=[t.team])
    review.submitted_at = timezone.now() - timedelta(days=20)
    review.save()
    # Another organization's data never appears in A's signals.
    make_cycle(tenant_b, opens_on=today - timedelta(days=40), due_on=today - timedelta(days=10))

    with org_scope(t.org):  # detectors run inside one organization's scope
        found = {(s.kind, s.team_id) for s in detectors.detect_all(today=today, period="2026-Q4")}
    assert found == {
        ("unlinked_priorities", t.team.pk),
        ("overdue_review", t.team.pk),
        ("off_track_metrics", t.other_team.pk),
        ("unanswered_asks", t.team.pk),
    }
    Ask.objects.update(status="accepted")
    assert not detectors.unanswered_asks(today)


@pytest.mark.django_db
def test_signals_serialise_to_plain_dicts(tenant_a):
    Priority.objects.create(
        organization=tenant_a.org, title="Lonely", level=PriorityLevel.TEAM, team=tenant_a.team, period="2026-Q4"
    )
    [s] = detectors.unlinked_priorities("2026-Q4")
    assert s.as_dict()["evidence"] == {"period": "2026-Q4", "unlinked": ["Lonely"], "total": 1}


@pytest.mark.django_db
def test_review_signals_are_handed_to_the_insights_engine(tenant_a):
    assert detectors.detect_for_insights in insights_detectors.ORGANIZATION_DETECTORS
    Priority.objects.create(
        organization=tenant_a.org, title="Lonely", level=PriorityLevel.TEAM, team=tenant_a.team,
        period=current_period(),
    )  # fmt: skip
    today = timezone.localdate()
    make_cycle(tenant_a, teams=[tenant_a.other_team], opens_on=today - timedelta(days=30),
               due_on=today - timedelta(days=3))  # fmt: skip
    found = {d.key: d for d in detectors.detect_for_insights(tenant_a.org) if d.scope.team in (
        tenant_a.team.pk, tenant_a.other_team.pk)}  # fmt: skip
    unlinked = found[f"unlinked_priorities:team:{tenant_a.team.pk}:{current_period()}"]
    assert (unlinked.kind, unlinked.scope.kind, unlinked.scope.team) == (
        "unlinked_priorities",
        "team",
        tenant_a.team.pk,
    )
    assert any(d.kind == "overdue_review" and d.scope.team == tenant_a.other_team.pk for d in found.values())
