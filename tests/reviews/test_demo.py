"""The reviews demo: a 2026-Q4 QBR for Northwind in every state, idempotent."""

import pytest

from peakos import demo as core_demo
from peakos.models import Organization, Priority
from peakos.tenancy import org_scope
from reviews import demo
from reviews.cascade import cascade
from reviews.models import Action, Ask, BusinessReview, ReviewCycle, ReviewVersion


def counts():
    return [m.objects.count() for m in (ReviewCycle, BusinessReview, ReviewVersion, Ask, Action, Priority)]


@pytest.mark.django_db
def test_demo_has_reviews_in_every_state_and_runs_twice_without_change():
    core_demo.seed()
    demo.seed()
    first = counts()
    demo.seed()
    assert counts() == first
    org = Organization.objects.get(slug="northwind")
    q4 = ReviewCycle.objects.get(organization=org, period="2026-Q4")
    statuses = set(BusinessReview.objects.filter(cycle=q4).values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "returned", "approved"}
    growth = BusinessReview.objects.get(cycle=q4, team__name="Growth Engineering")
    assert [v.decision for v in growth.versions.order_by("number")] == ["returned", ""]
    platform = BusinessReview.objects.get(cycle=q4, team__name="Platform")
    assert platform.status == "returned" and platform.team.lead.user.email == "manager@northwind.example"
    assert BusinessReview.objects.filter(cycle=q4, metrics__status="off_track").distinct().count() >= 3
    assert Ask.objects.filter(review__cycle=q4).count() >= 3
    assert Priority.objects.filter(organization=org, period="2027-Q1", level="company").count() == 4
    with org_scope(org):
        c = cascade(org, "2027-Q1")
        assert 0 < c.coverage < 1 and c.uncarried
        assert platform.packet["off_track_metrics"]  # from the Q3 review
