"""The review page: who reads which review, and the leader's decision."""

import pytest
from django.core import mail
from django.urls import reverse

from peakos.models import Role
from reviews import services
from reviews.models import ReviewStatus
from tests.reviews.factories import complete_data, fill, make_cycle, review_of


def detail_url(review):
    return reverse("review_detail", args=[review.organization.slug, review.pk])


def decide_url(review):
    return reverse("review_decide", args=[review.organization.slug, review.pk])


@pytest.fixture
def submitted(tenant_a):
    review = review_of(make_cycle(tenant_a), tenant_a.team)
    lead = tenant_a.memberships[Role.MANAGER]
    services.save_draft(membership=lead, review=review, data=complete_data())
    services.submit_review(membership=lead, review=review)
    review.refresh_from_db()
    return review


@pytest.mark.django_db
def test_leader_reads_and_approves(as_role, submitted, django_capture_on_commit_callbacks):
    client = as_role("leader")
    body = client.get(detail_url(submitted)).content.decode()
    assert "Your decision on version 1" in body and "Activation rate" in body
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(submitted), {"decision": "approved", "comment": "Solid."})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.APPROVED
    assert "approved" in mail.outbox[-1].subject and mail.outbox[-1].to == [submitted.team.lead.email]


@pytest.mark.django_db
def test_returning_without_a_comment_shows_an_error_and_keeps_it_submitted(as_role, submitted):
    response = as_role("leader").post(decide_url(submitted), {"decision": "returned", "comment": ""})
    assert response.status_code == 400
    assert "Say what the team should change" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.SUBMITTED


@pytest.mark.django_db
def test_returned_comments_show_to_the_lead(as_role, submitted, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        as_role("admin").post(decide_url(submitted), {"decision": "returned", "comment": "Add churn, please."})
    assert "Add churn, please." in mail.outbox[-1].body
    body = as_role("manager").get(reverse("review_edit", args=[submitted.organization.slug, submitted.pk])).content
    assert "Add churn, please." in body.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["manager", "member"])
def test_only_leaders_decide(as_role, submitted, role):
    assert as_role(role).post(decide_url(submitted), {"decision": "approved"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == ReviewStatus.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("admin", 200), ("leader", 200), ("manager", 200)])
def test_leaders_and_the_lead_read_a_submitted_review(as_role, submitted, role, status):
    assert as_role(role).get(detail_url(submitted)).status_code == status


@pytest.mark.django_db
def test_manager_reads_the_reviews_of_their_subtree_only(as_role, tenant_a):
    cycle = make_cycle(tenant_a, teams=[tenant_a.subteam, tenant_a.other_team])
    client = as_role("manager")
    assert client.get(detail_url(review_of(cycle, tenant_a.subteam))).status_code == 200
    assert client.get(detail_url(review_of(cycle, tenant_a.other_team))).status_code == 403


@pytest.mark.django_db
def test_member_reads_only_approved_reviews_of_their_own_team(as_role, tenant_a):
    person = tenant_a.people[3]  # on tenant_a.team
    person.user = tenant_a.users[Role.MEMBER]
    person.save()
    cycle = make_cycle(tenant_a, teams=[tenant_a.team, tenant_a.other_team])
    own = fill(review_of(cycle, tenant_a.team), status=ReviewStatus.SUBMITTED)
    other = fill(review_of(cycle, tenant_a.other_team), status=ReviewStatus.APPROVED)
    client = as_role("member")
    assert client.get(detail_url(own)).status_code == 403
    own.status = ReviewStatus.APPROVED
    own.save()
    assert client.get(detail_url(own)).status_code == 200
    assert client.get(detail_url(other)).status_code == 403


@pytest.mark.django_db
def test_another_organizations_review_is_not_found(as_role, tenant_a, tenant_b):
    other = review_of(make_cycle(tenant_b), tenant_b.team)
    url = reverse("review_detail", args=[tenant_a.org.slug, other.pk])
    assert as_role("owner").get(url).status_code == 404
    assert as_role("owner").post(reverse("review_decide", args=[tenant_a.org.slug, other.pk])).status_code == 404
