"""/api/v1/review-cycles/ and /api/v1/reviews/: reads by role; the team's lead saves and submits."""

import pytest
from rest_framework.test import APIClient

from reviews.models import ReviewStatus
from tests.api.conftest import make_token, token_client
from tests.reviews.factories import company_priority, complete_data, fill, make_cycle, review_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(tenant_a):
    return make_cycle(tenant_a, teams=[tenant_a.team, tenant_a.other_team])


def session(user, org="alpha-corp"):
    """A logged-in API client naming the organization (the team lead of tenant A's team is its manager)."""
    client = APIClient()
    client.force_login(user)
    client.credentials(HTTP_X_ORGANIZATION=org)
    return client


def draft_body(priority):
    data = complete_data(parent=priority)
    data["priorities"] = [{"title": "Halve onboarding time", "link": str(priority.pk)}]
    return data


def test_cycles_are_listed_for_members(api, cycle):
    body = api("member").get("/api/v1/review-cycles/?status=open").json()
    assert [(c["period"], c["plans_for"]) for c in body["results"]] == [("2026-Q4", "2027-Q1")]


def test_a_leader_token_reads_every_review_with_its_sections(api, tenant_a, cycle):
    fill(review_of(cycle, tenant_a.team), asks_to=[tenant_a.other_team])
    body = api("leader").get(f"/api/v1/reviews/?cycle={cycle.pk}&status=submitted").json()
    (review,) = body["results"]
    assert review["team"] == tenant_a.team.pk
    assert review["metrics"][0]["status"] == "off_track"
    assert review["asks"][0]["to_team"] == tenant_a.other_team.pk


def test_a_member_token_reads_no_reviews(api, tenant_a, cycle):
    # A token is nobody: the rules that follow a user (team lead, own team) match nothing, even
    # for a team without a lead or people without a login.
    fill(review_of(cycle, tenant_a.team), status=ReviewStatus.APPROVED)
    fill(review_of(cycle, tenant_a.other_team), status=ReviewStatus.APPROVED)
    assert tenant_a.other_team.lead is None
    assert api("member").get("/api/v1/reviews/").json()["count"] == 0


def test_the_team_lead_saves_the_draft_and_submits_it(tenant_a, cycle):
    review = review_of(cycle, tenant_a.team)
    priority = company_priority(tenant_a)
    lead = session(tenant_a.users["manager"])  # leads tenant A's team
    response = lead.put(f"/api/v1/reviews/{review.pk}/", draft_body(priority), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["wins"] == "Shipped the importer."
    assert response.json()["priorities"][0]["parent"] == priority.pk
    response = lead.post(f"/api/v1/reviews/{review.pk}/submit/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("submitted", 1)


def test_the_draft_is_all_or_nothing_with_errors_per_row(tenant_a, cycle):
    review = review_of(cycle, tenant_a.team)
    data = draft_body(company_priority(tenant_a))
    data["metrics"][1]["name"] = " "
    response = session(tenant_a.users["manager"]).put(f"/api/v1/reviews/{review.pk}/", data, format="json")
    assert response.status_code == 400
    assert "metrics.1.name" in response.json()["errors"]
    review.refresh_from_db()
    assert review.wins == ""


def test_submitting_an_incomplete_review_lists_what_is_missing(tenant_a, cycle):
    review = review_of(cycle, tenant_a.team)
    response = session(tenant_a.users["manager"]).post(f"/api/v1/reviews/{review.pk}/submit/")
    assert response.status_code == 400
    assert {"wins", "metrics", "priorities"} <= set(response.json()["errors"])


@pytest.mark.parametrize("role", ["owner", "leader", "member"])
def test_only_the_team_lead_writes_its_review(tenant_a, cycle, role):
    review = review_of(cycle, tenant_a.team)
    data = draft_body(company_priority(tenant_a))
    response = session(tenant_a.users[role]).put(f"/api/v1/reviews/{review.pk}/", data, format="json")
    assert response.status_code in (403, 404)  # a member cannot even read it
    review.refresh_from_db()
    assert review.wins == ""


def test_a_token_never_writes_a_review(tenant_a, cycle):
    review = review_of(cycle, tenant_a.team)
    client = token_client(make_token(tenant_a, "admin"))
    assert client.put(f"/api/v1/reviews/{review.pk}/", {"wins": "x"}, format="json").status_code == 403
    assert client.post(f"/api/v1/reviews/{review.pk}/submit/").status_code == 403


def test_a_submitted_review_cannot_be_edited(tenant_a, cycle):
    review = fill(review_of(cycle, tenant_a.team))
    data = draft_body(company_priority(tenant_a))
    response = session(tenant_a.users["manager"]).put(f"/api/v1/reviews/{review.pk}/", data, format="json")
    assert response.status_code == 400
    assert "submitted" in response.json()["errors"]["non_field_errors"][0]


def test_reviews_of_another_organization_are_404(tenant_a, tenant_b, cycle):
    review = fill(review_of(cycle, tenant_a.team))
    client = token_client(make_token(tenant_b, "leader"))
    assert client.get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert client.get(f"/api/v1/review-cycles/{cycle.pk}/").status_code == 404
    assert client.get("/api/v1/reviews/").json()["count"] == 0


def test_type_errors_in_rows_are_keyed_like_the_services(tenant_a, cycle):
    review = review_of(cycle, tenant_a.team)
    data = draft_body(company_priority(tenant_a))
    data["metrics"][0]["target"] = "sixty"
    response = session(tenant_a.users["manager"]).put(f"/api/v1/reviews/{review.pk}/", data, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["metrics.0.target"]
