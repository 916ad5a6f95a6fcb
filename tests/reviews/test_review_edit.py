"""The review form page: drafts, autosave, submit, bad input, and who may edit."""

import json

import pytest
from django.urls import reverse

from peakos.models import Priority, PriorityLevel, Role
from reviews import services
from reviews.models import ReviewStatus
from tests.reviews.factories import company_priority, complete_data, make_cycle, review_of


def edit_url(review):
    return reverse("review_edit", args=[review.organization.slug, review.pk])


def form_data(*, wins="", misses="", lessons="", health="", metrics=(), priorities=(), risks=(), asks=(), **extra):
    """The POST body of the review form (formset prefixes and management forms)."""
    data = {"wins": wins, "misses": misses, "lessons": lessons, "health": health}
    for prefix, rows in (("metrics", metrics), ("priorities", priorities), ("risks", risks), ("asks", asks)):
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = 0
        for i, row in enumerate(rows):
            data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    data.update(extra)
    return data


@pytest.fixture
def review(tenant_a):
    return review_of(make_cycle(tenant_a), tenant_a.team)


@pytest.fixture
def lead(as_role):
    return as_role("manager")  # tenant A's manager leads tenant_a.team


def saved_draft(review, tenant_a, parent=None):
    services.save_draft(membership=tenant_a.memberships[Role.MANAGER], review=review, data=complete_data(parent))
    review.refresh_from_db()
    return review


@pytest.mark.django_db
def test_lead_sees_the_form_with_the_packet(lead, review):
    body = lead.get(edit_url(review)).content.decode()
    assert "Metrics against target" in body and "Review packet" in body and "Save draft" in body


@pytest.mark.django_db
def test_save_draft_button_saves_and_stays_a_draft(lead, review, tenant_a):
    parent = company_priority(tenant_a)
    response = lead.post(
        edit_url(review),
        form_data(
            wins="We shipped",
            health="3",
            metrics=[{"name": "NPS", "target": "40", "actual": "", "unit": "", "status": "at_risk"}],
            priorities=[{"title": "Faster onboarding", "link": str(parent.pk)}],
            action="draft",
        ),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.wins, review.health) == (ReviewStatus.DRAFT, "We shipped", 3)
    assert review.metrics.get().actual is None
    assert review.priorities.get().parent == parent


@pytest.mark.django_db
def test_autosave_answers_json_and_saves(lead, review):
    response = lead.post(edit_url(review), form_data(wins="typed so far", autosave="1"))
    assert response.status_code == 200
    assert json.loads(response.content)["ok"] is True
    review.refresh_from_db()
    assert review.wins == "typed so far"


@pytest.mark.django_db
def test_non_numeric_actual_is_a_clear_error_and_the_draft_is_unchanged(lead, review, tenant_a):
    review = saved_draft(review, tenant_a)
    response = lead.post(
        edit_url(review),
        form_data(
            wins="A new text that must not be lost",
            metrics=[{"name": "Activation", "target": "60", "actual": "about 40", "unit": "%", "status": "off_track"}],
            action="draft",
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Actual must be a number" in body and "“about 40” is not" in body
    assert "A new text that must not be lost" in body  # what was typed is shown again
    review.refresh_from_db()
    assert review.wins == "Shipped the importer."  # the saved draft is untouched
    assert review.metrics.count() == 2


@pytest.mark.django_db
def test_autosave_with_a_bad_number_reports_the_field_and_saves_nothing(lead, review, tenant_a):
    review = saved_draft(review, tenant_a)
    response = lead.post(
        edit_url(review),
        form_data(wins="x", metrics=[{"name": "A", "target": "ten", "actual": "1"}], autosave="1"),
    )
    assert response.status_code == 400
    errors = json.loads(response.content)["errors"]
    assert list(errors) == ["metrics.0.target"]
    review.refresh_from_db()
    assert review.wins == "Shipped the importer."


@pytest.mark.django_db
def test_linking_to_another_organizations_priority_is_refused(lead, review, tenant_a, tenant_b):
    review = saved_draft(review, tenant_a)
    foreign = company_priority(tenant_b, title="Bravo secret plan")
    response = lead.post(
        edit_url(review), form_data(priorities=[{"title": "Mine", "link": str(foreign.pk)}], action="draft")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "not one of this organization&#x27;s priorities" in body
    assert "Bravo secret plan" not in body
    assert review.priorities.get().title == "Halve onboarding time"


@pytest.mark.django_db
def test_linking_to_a_priority_of_another_period_is_refused(lead, review, tenant_a):
    old = company_priority(tenant_a, title="Last quarter's goal", period="2026-Q3")
    response = lead.post(
        edit_url(review), form_data(priorities=[{"title": "Mine", "link": str(old.pk)}], action="draft")
    )
    assert response.status_code == 400
    assert "is a 2026-Q3 priority; this review plans 2027-Q1" in response.content.decode()
    assert review.priorities.count() == 0


@pytest.mark.django_db
def test_a_team_priority_cannot_serve_another_team_priority(lead, review, tenant_a):
    sibling = Priority.objects.create(
        organization=tenant_a.org, title="Sibling", level=PriorityLevel.TEAM, team=tenant_a.other_team, period="2027-Q1"
    )
    response = lead.post(
        edit_url(review), form_data(priorities=[{"title": "Mine", "link": str(sibling.pk)}], action="draft")
    )
    assert response.status_code == 400
    assert "is a team priority" in response.content.decode()


@pytest.mark.django_db
def test_a_yearly_company_priority_is_a_valid_parent_for_a_quarter(lead, review, tenant_a):
    annual = company_priority(tenant_a, title="The 2027 goal", period="2027")
    response = lead.post(
        edit_url(review), form_data(priorities=[{"title": "Mine", "link": str(annual.pk)}], action="draft")
    )
    assert response.status_code == 302
    assert review.priorities.get().parent == annual


@pytest.mark.django_db
def test_submitting_with_empty_sections_saves_the_draft_and_names_each_missing_section(lead, review):
    response = lead.post(
        edit_url(review),
        form_data(
            wins="Only wins so far",
            metrics=[{"name": "NPS", "target": "40", "actual": "", "status": "on_track"}],
            priorities=[{"title": "Undecided link", "link": ""}],
            action="submit",
        ),
    )
    assert response.status_code == 400
    body = response.content.decode()
    for text in (
        "Write the team&#x27;s misses",
        "Write the team&#x27;s lessons",
        "Rate the team&#x27;s health",
        "Enter the actual of “NPS”",
        "Link “Undecided link”",
    ):
        assert text in body, text
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert review.wins == "Only wins so far"  # nothing lost
    assert review.versions.count() == 0


@pytest.mark.django_db
def test_submit_button_submits_a_complete_review(lead, review, tenant_a):
    parent = company_priority(tenant_a)
    response = lead.post(
        edit_url(review),
        form_data(
            wins="w",
            misses="m",
            lessons="l",
            health="4",
            metrics=[{"name": "NPS", "target": "40", "actual": "42", "status": "on_track"}],
            priorities=[{"title": "P", "link": str(parent.pk)}],
            risks=[{"description": "R", "severity": "low", "owner": str(tenant_a.people[0].pk)}],
            asks=[{"to_team": str(tenant_a.other_team.pk), "request": "Review our API"}],
            action="submit",
        ),
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.status, review.version) == (ReviewStatus.SUBMITTED, 1)
    assert review.asks.get().to_team == tenant_a.other_team


@pytest.mark.django_db
def test_blank_and_removed_rows_are_dropped(lead, review, tenant_a):
    review = saved_draft(review, tenant_a)
    response = lead.post(
        edit_url(review),
        form_data(
            metrics=[
                {"name": "Keep", "target": "1", "actual": "1", "status": "on_track"},
                {"name": "Drop me", "target": "1", "actual": "1", "status": "on_track", "DELETE": "on"},
                {"name": "", "target": "", "actual": "", "unit": "", "status": "on_track"},
            ],
            action="draft",
        ),
    )
    assert response.status_code == 302
    assert list(review.metrics.values_list("name", flat=True)) == ["Keep"]


@pytest.mark.django_db
def test_an_answered_ask_keeps_its_answer_when_the_draft_is_saved_again(lead, review, tenant_a):
    from reviews.models import Ask

    services.save_draft(
        membership=tenant_a.memberships[Role.MANAGER],
        review=review,
        data=complete_data(asks=[{"to_team": tenant_a.other_team.pk, "request": "Share the roadmap"}]),
    )
    Ask.objects.filter(review=review).update(status="accepted", response="Sure")
    lead.post(
        edit_url(review),
        form_data(wins="again", asks=[{"to_team": str(tenant_a.other_team.pk), "request": "Share the roadmap"}]),
    )
    assert review.asks.get().response == "Sure"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["owner", "admin", "leader", "member"])
def test_only_the_team_lead_may_open_the_form(as_role, review, role):
    assert as_role(role).get(edit_url(review)).status_code == 403


@pytest.mark.django_db
def test_autosave_by_someone_else_is_refused_as_json(as_role, review):
    response = as_role("leader").post(edit_url(review), form_data(wins="x", autosave="1"))
    assert response.status_code == 403
    assert json.loads(response.content)["ok"] is False


@pytest.mark.django_db
def test_a_submitted_review_redirects_to_its_page(lead, review, tenant_a):
    review = saved_draft(review, tenant_a)
    services.submit_review(membership=tenant_a.memberships[Role.MANAGER], review=review)
    response = lead.get(edit_url(review))
    assert response.status_code == 302
    assert response.url == reverse("review_detail", args=[tenant_a.org.slug, review.pk])


@pytest.mark.django_db
def test_another_organizations_review_is_not_found(lead, tenant_a, tenant_b):
    other = review_of(make_cycle(tenant_b), tenant_b.team)
    url = reverse("review_edit", args=[tenant_a.org.slug, other.pk])
    assert lead.get(url).status_code == 404
