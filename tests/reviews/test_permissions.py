"""The review rules of reviews/access.py, and that the list filter agrees with the per-object rule."""

import pytest

from peakos.models import Role
from reviews import access
from reviews.models import BusinessReview, ReviewStatus
from tests.reviews.factories import action_for, fill, make_cycle, review_of


@pytest.fixture
def reviews(tenant_a):
    """Reviews of every team of tenant A in one cycle, in different states; a member linked to tenant_a.team."""
    person = tenant_a.people[3]
    person.user = tenant_a.users[Role.MEMBER]
    person.save()
    teams = [tenant_a.leadership, tenant_a.department, tenant_a.team, tenant_a.subteam, tenant_a.other_team]
    cycle = make_cycle(tenant_a, teams=teams)
    fill(review_of(cycle, tenant_a.team), status=ReviewStatus.APPROVED)
    fill(review_of(cycle, tenant_a.subteam), status=ReviewStatus.SUBMITTED)
    fill(review_of(cycle, tenant_a.other_team), status=ReviewStatus.APPROVED)
    return {r.team_id: r for r in BusinessReview.objects.select_related("team__lead", "cycle")}


def readable(membership, reviews):
    return {t for t, r in reviews.items() if access.can_read_review(membership, r)}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.LEADER])
def test_leaders_read_and_approve_everything(tenant_a, reviews, role):
    m = tenant_a.memberships[role]
    assert readable(m, reviews) == set(reviews)
    assert access.can_approve_review(m)
    assert not any(access.can_edit_review(m, r) for r in reviews.values())


@pytest.mark.django_db
def test_manager_reads_their_subtree_and_edits_the_team_they_lead(tenant_a, reviews):
    m = tenant_a.memberships[Role.MANAGER]
    assert readable(m, reviews) == {tenant_a.team.pk, tenant_a.subteam.pk}
    assert {t for t, r in reviews.items() if access.can_edit_review(m, r)} == {tenant_a.team.pk}
    assert not access.can_approve_review(m)


@pytest.mark.django_db
def test_member_reads_the_approved_review_of_their_own_team_only(tenant_a, reviews):
    m = tenant_a.memberships[Role.MEMBER]
    assert readable(m, reviews) == {tenant_a.team.pk}
    reviews[tenant_a.team.pk].status = ReviewStatus.SUBMITTED
    assert readable(m, reviews) == set()


@pytest.mark.django_db
@pytest.mark.parametrize("role", Role.values)
def test_the_list_filter_agrees_with_the_object_rule(tenant_a, reviews, role):
    m = tenant_a.memberships[role]
    listed = set(BusinessReview.objects.filter(access.readable_reviews_filter(m)).values_list("team_id", flat=True))
    assert listed == readable(m, reviews)


@pytest.mark.django_db
def test_a_leader_who_leads_a_team_edits_that_review(tenant_a, reviews):
    ceo = tenant_a.people[1]
    ceo.user = tenant_a.users[Role.LEADER]
    ceo.save()
    tenant_a.leadership.lead = ceo
    tenant_a.leadership.save()
    review = BusinessReview.objects.select_related("team__lead").get(team=tenant_a.leadership)
    assert access.can_edit_review(tenant_a.memberships[Role.LEADER], review)


@pytest.mark.django_db
def test_action_rules(tenant_a):
    action = action_for(tenant_a)  # scoped to tenant_a.team
    manager, member, leader = (tenant_a.memberships[r] for r in (Role.MANAGER, Role.MEMBER, Role.LEADER))
    assert access.can_create_action(leader, None)
    assert access.can_create_action(manager, tenant_a.subteam.pk)
    assert not access.can_create_action(manager, None)
    assert not access.can_create_action(manager, tenant_a.other_team.pk)
    assert not access.can_create_action(member, tenant_a.team.pk)
    assert access.can_edit_action(manager, action) and not access.can_edit_action(member, action)


@pytest.mark.django_db
def test_nobody_outside_the_organization_passes(tenant_a, tenant_b, reviews):
    review = next(iter(reviews.values()))
    assert not access.can_read_review(None, review)
    assert not access.can_edit_review(None, review)
    assert not access.can_approve_review(None)
