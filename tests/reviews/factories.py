"""Helpers that build review data for tenant fixtures (tests/conftest.py)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from peakos.models import Priority, PriorityLevel
from reviews.models import (
    Ask,
    BusinessReview,
    CycleKind,
    CycleStatus,
    Metric,
    ReviewCycle,
    ReviewPriority,
    ReviewStatus,
)

PERIOD = "2026-Q4"
PLANS_FOR = "2027-Q1"


def make_cycle(tenant, *, teams=None, kind=CycleKind.QUARTERLY, period=PERIOD, status=CycleStatus.OPEN,
               opens_on: date | None = None, due_on: date | None = None) -> ReviewCycle:  # fmt: skip
    today = timezone.localdate()
    cycle = ReviewCycle.objects.create(
        organization=tenant.org,
        kind=kind,
        period=period,
        opens_on=opens_on or today - timedelta(days=3),
        due_on=due_on or today + timedelta(days=10),
        status=status,
        opened_at=timezone.now() if status != CycleStatus.SCHEDULED else None,
    )
    for team in teams if teams is not None else [tenant.team]:
        BusinessReview.objects.create(organization=tenant.org, cycle=cycle, team=team)
    return cycle


def review_of(cycle, team) -> BusinessReview:
    return BusinessReview.objects.select_related("team__lead", "cycle").get(cycle=cycle, team=team)


def company_priority(tenant, title="Win the mid-market", period=PLANS_FOR) -> Priority:
    return Priority.objects.create(organization=tenant.org, title=title, level=PriorityLevel.COMPANY, period=period)


def complete_data(parent: Priority | None = None, **overrides) -> dict:
    """Service input for a review that can be submitted."""
    data = {
        "wins": "Shipped the importer.",
        "misses": "Onboarding still takes 30 days.",
        "lessons": "Pair earlier with Support.",
        "health": 4,
        "metrics": [
            {"name": "Activation rate", "target": "60", "actual": "48", "unit": "%", "status": "off_track"},
            {"name": "Tickets closed", "target": "400", "actual": "410", "unit": "", "status": "on_track"},
        ],
        "priorities": [{"title": "Halve onboarding time", "link": str(parent.pk) if parent else "unlinked"}],
        "risks": [{"description": "Key engineer leaves", "severity": "high"}],
        "asks": [],
    }
    data.update(overrides)
    return data


def fill(review: BusinessReview, *, status=ReviewStatus.SUBMITTED, parent=None, off_track=1, asks_to=()):
    """Write a review's sections directly (for read-side tests), bypassing the workflow."""
    org = review.organization
    review.wins, review.misses, review.lessons, review.health = "Wins", "Misses", "Lessons", 3
    review.status = status
    if status in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED):
        review.submitted_at = timezone.now()
        review.version = max(review.version, 1)
    review.save()
    for i in range(off_track):
        Metric.objects.create(
            organization=org, review=review, name=f"Off {i}", target=Decimal(10), actual=Decimal(2), status="off_track"
        )
    Metric.objects.create(organization=org, review=review, name="Fine", target=Decimal(5), actual=Decimal(5))
    ReviewPriority.objects.create(
        organization=org, review=review, title="Do the thing", parent=parent, unlinked=parent is None
    )
    for team in asks_to:
        Ask.objects.create(organization=org, review=review, to_team=team, request=f"Help {team.name}")
    return review


# --- Sources for the isolation harness (tests/isolation.py PARAM_SOURCES): B's objects, created once.


def cycle_for(tenant) -> ReviewCycle:
    cycle = ReviewCycle.objects.filter(organization=tenant.org, period=PERIOD).first()
    return cycle or make_cycle(tenant, teams=[tenant.team, tenant.other_team])


def review_for(tenant) -> BusinessReview:
    review = review_of(cycle_for(tenant), tenant.team)
    if review.status == ReviewStatus.DRAFT:
        fill(review, status=ReviewStatus.SUBMITTED, asks_to=[tenant.other_team])
    return review


def ask_for(tenant) -> Ask:
    return Ask.objects.filter(review=review_for(tenant)).first()


def action_for(tenant):
    from reviews.models import Action

    action = Action.objects.filter(organization=tenant.org).first()
    return action or Action.objects.create(
        organization=tenant.org,
        title=f"Fix {tenant.team.name}",
        dimension="alignment",
        scope_team=tenant.team,
        owner=tenant.people[0],
        due_on=timezone.localdate() + timedelta(days=30),
    )
