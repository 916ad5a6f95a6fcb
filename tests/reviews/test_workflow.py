"""The review workflow in the services: draft → submitted → returned → submitted → approved."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from peakos.models import AuditEvent, Priority, PriorityLevel, Role
from reviews import services
from reviews.models import CycleKind, ReviewStatus, ReviewVersion
from tests.reviews.factories import company_priority, complete_data, make_cycle, review_of


@pytest.fixture
def review(tenant_a):
    cycle = make_cycle(tenant_a)
    return review_of(cycle, tenant_a.team)


@pytest.mark.django_db
def test_full_workflow_keeps_every_submitted_version(tenant_a, review):
    lead = tenant_a.memberships[Role.MANAGER]  # the manager's Person leads tenant_a.team
    leader = tenant_a.memberships[Role.LEADER]
    parent = company_priority(tenant_a)

    services.save_draft(membership=lead, review=review, data=complete_data(parent))
    assert review_of(review.cycle, tenant_a.team).status == ReviewStatus.DRAFT

    v1 = services.submit_review(membership=lead, review=review)
    assert (v1.number, review_of(review.cycle, tenant_a.team).status) == (1, ReviewStatus.SUBMITTED)

    services.decide_review(membership=leader, review=review, decision="returned", comment="Add the churn metric.")
    review.refresh_from_db()
    assert review.status == ReviewStatus.RETURNED

    data = complete_data(parent, wins="Shipped the importer.\nCut churn by 2 points.")
    data["metrics"].append({"name": "Churn", "target": "3", "actual": "2.5", "unit": "%", "status": "on_track"})
    services.save_draft(membership=lead, review=review, data=data)
    v2 = services.submit_review(membership=lead, review=review)
    assert v2.number == 2

    services.decide_review(membership=leader, review=review, decision="approved")
    review.refresh_from_db()
    assert review.status == ReviewStatus.APPROVED

    versions = list(ReviewVersion.objects.filter(review=review).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert [v.decision for v in versions] == ["returned", "approved"]
    assert versions[0].decision_comment == "Add the churn metric."
    assert [m["name"] for m in versions[0].snapshot["metrics"]] == ["Activation rate", "Tickets closed"]
    assert [m["name"] for m in versions[1].snapshot["metrics"]][-1] == "Churn"
    assert versions[1].snapshot["metrics"][-1]["actual"] == "2.5"
    actions = list(AuditEvent.objects.filter(object_type="businessreview").values_list("action", flat=True))
    assert sorted(actions) == sorted(
        ["reviews.review.submit", "reviews.review.returned", "reviews.review.submit", "reviews.review.approved"]
    )


@pytest.mark.django_db
def test_approval_puts_the_team_priorities_into_the_cascade_for_the_next_period(tenant_a, review):
    parent = company_priority(tenant_a)
    lead = tenant_a.memberships[Role.MANAGER]
    services.save_draft(membership=lead, review=review, data=complete_data(parent))
    services.submit_review(membership=lead, review=review)
    services.decide_review(membership=tenant_a.memberships[Role.LEADER], review=review, decision="approved")
    created = Priority.objects.get(title="Halve onboarding time")
    assert (created.level, created.team, created.period, created.parent) == (
        PriorityLevel.TEAM,
        tenant_a.team,
        "2027-Q1",
        parent,
    )
    assert review.priorities.get().priority == created


@pytest.mark.django_db
def test_approving_the_leadership_annual_review_sets_next_years_company_priorities(tenant_a):
    ceo = tenant_a.people[1]  # a person on the leadership team
    ceo.user = tenant_a.users[Role.LEADER]
    ceo.save()
    tenant_a.leadership.lead = ceo
    tenant_a.leadership.save()
    cycle = make_cycle(tenant_a, kind=CycleKind.ANNUAL, period="2026", teams=[tenant_a.leadership])
    review = review_of(cycle, tenant_a.leadership)
    data = complete_data(
        priorities=[{"title": "Win the mid-market", "link": ""}, {"title": "Launch the platform API", "link": ""}]
    )
    leader = tenant_a.memberships[Role.LEADER]
    services.save_draft(membership=leader, review=review, data=data)
    services.submit_review(membership=leader, review=review)
    services.decide_review(membership=tenant_a.memberships[Role.OWNER], review=review, decision="approved")
    company = list(Priority.objects.filter(level=PriorityLevel.COMPANY, period="2027").order_by("rank"))
    assert [(p.title, p.rank, p.team_id) for p in company] == [
        ("Win the mid-market", 1, None),
        ("Launch the platform API", 2, None),
    ]


@pytest.mark.django_db
def test_returning_requires_a_comment_and_changes_nothing_without_one(tenant_a, review):
    lead = tenant_a.memberships[Role.MANAGER]
    services.save_draft(membership=lead, review=review, data=complete_data())
    services.submit_review(membership=lead, review=review)
    with pytest.raises(ValidationError) as exc:
        services.decide_review(membership=tenant_a.memberships[Role.LEADER], review=review, decision="returned")
    assert "comment" in exc.value.message_dict
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED


@pytest.mark.django_db
def test_a_submitted_review_cannot_be_edited_until_it_is_returned(tenant_a, review):
    lead = tenant_a.memberships[Role.MANAGER]
    services.save_draft(membership=lead, review=review, data=complete_data())
    services.submit_review(membership=lead, review=review)
    with pytest.raises(ValidationError, match="submitted"):
        services.save_draft(membership=lead, review=review, data=complete_data(wins="changed"))
    review.refresh_from_db()
    assert review.wins == "Shipped the importer."


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.LEADER, Role.MEMBER])
def test_only_the_team_lead_edits_the_review(tenant_a, review, role):
    with pytest.raises(PermissionDenied):
        services.save_draft(membership=tenant_a.memberships[role], review=review, data=complete_data())


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.MANAGER, Role.MEMBER])
def test_managers_and_members_cannot_approve(tenant_a, review, role):
    lead = tenant_a.memberships[Role.MANAGER]
    services.save_draft(membership=lead, review=review, data=complete_data())
    services.submit_review(membership=lead, review=review)
    with pytest.raises(PermissionDenied):
        services.decide_review(membership=tenant_a.memberships[role], review=review, decision="approved")
