"""The team page: its reviews, asks received from other teams (and answering them), actions."""

import pytest
from django.urls import reverse

from peakos.models import Role
from reviews.models import Ask, AskStatus, ReviewStatus
from tests.reviews.factories import action_for, fill, make_cycle, review_of


def team_url(tenant, team):
    return reverse("review_team", args=[tenant.org.slug, team.pk])


@pytest.fixture
def asked(tenant_a):
    """tenant_a.other_team asks something of tenant_a.team (which the manager leads)."""
    cycle = make_cycle(tenant_a, teams=[tenant_a.team, tenant_a.other_team])
    review = fill(review_of(cycle, tenant_a.other_team), status=ReviewStatus.SUBMITTED, asks_to=[tenant_a.team])
    return review.asks.get()


@pytest.mark.django_db
def test_an_ask_appears_on_the_asked_teams_page(as_role, tenant_a, asked):
    body = as_role("manager").get(team_url(tenant_a, tenant_a.team)).content.decode()
    assert f"Help {tenant_a.team.name}" in body and "Accept" in body


@pytest.mark.django_db
def test_asks_in_a_draft_review_stay_private(as_role, tenant_a, asked):
    asked.review.status = ReviewStatus.DRAFT
    asked.review.save()
    body = as_role("manager").get(team_url(tenant_a, tenant_a.team)).content.decode()
    assert f"Help {tenant_a.team.name}" not in body


@pytest.mark.django_db
def test_the_lead_accepts_an_ask(as_role, tenant_a, asked):
    url = reverse("review_ask_answer", args=[tenant_a.org.slug, asked.pk])
    response = as_role("manager").post(url, {"status": "accepted", "response": "On it"})
    assert response.status_code == 302
    asked.refresh_from_db()
    assert (asked.status, asked.response) == (AskStatus.ACCEPTED, "On it")


@pytest.mark.django_db
def test_declining_needs_a_reason(as_role, tenant_a, asked):
    url = reverse("review_ask_answer", args=[tenant_a.org.slug, asked.pk])
    as_role("manager").post(url, {"status": "declined", "response": ""})
    asked.refresh_from_db()
    assert asked.status == AskStatus.OPEN


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "member"])
def test_only_the_asked_teams_lead_or_an_admin_answers(as_role, tenant_a, asked, role):
    url = reverse("review_ask_answer", args=[tenant_a.org.slug, asked.pk])
    assert as_role(role).post(url, {"status": "accepted"}).status_code == 403
    asked.refresh_from_db()
    assert asked.status == AskStatus.OPEN


@pytest.mark.django_db
def test_team_page_lists_its_actions_and_reviews(as_role, tenant_a):
    cycle = make_cycle(tenant_a)
    fill(review_of(cycle, tenant_a.team), status=ReviewStatus.APPROVED)
    action = action_for(tenant_a)
    body = as_role("leader").get(team_url(tenant_a, tenant_a.team)).content.decode()
    assert action.title in body and str(cycle) in body and "Off 0" in body


@pytest.mark.django_db
def test_member_sees_their_own_teams_page_but_not_others(as_role, tenant_a):
    person = tenant_a.people[3]
    person.user = tenant_a.users[Role.MEMBER]
    person.save()
    client = as_role("member")
    assert client.get(team_url(tenant_a, tenant_a.team)).status_code == 200
    assert client.get(team_url(tenant_a, tenant_a.other_team)).status_code == 403


@pytest.mark.django_db
def test_another_organizations_team_and_ask_are_not_found(as_role, tenant_a, tenant_b):
    assert as_role("owner").get(team_url(tenant_a, tenant_b.team)).status_code == 404
    from tests.reviews.factories import ask_for

    ask = ask_for(tenant_b)
    response = as_role("owner").post(
        reverse("review_ask_answer", args=[tenant_a.org.slug, ask.pk]), {"status": "accepted"}
    )
    assert response.status_code == 404
    assert Ask.objects.get(pk=ask.pk).status == AskStatus.OPEN
