"""Print-friendly views of a review and of a whole cycle."""

import pytest
from django.urls import reverse

from reviews.models import ReviewStatus
from tests.reviews.factories import fill, make_cycle, review_of


@pytest.fixture
def cycle(tenant_a):
    cycle = make_cycle(tenant_a, teams=[tenant_a.team, tenant_a.other_team])
    fill(review_of(cycle, tenant_a.team), status=ReviewStatus.APPROVED, asks_to=[tenant_a.other_team])
    fill(review_of(cycle, tenant_a.other_team), status=ReviewStatus.SUBMITTED)
    return cycle


@pytest.mark.django_db
def test_review_print_view_has_every_section_and_no_navigation(as_role, tenant_a, cycle):
    review = review_of(cycle, tenant_a.team)
    body = as_role("leader").get(reverse("review_print", args=[tenant_a.org.slug, review.pk])).content.decode()
    assert 'class="print-view"' in body
    for text in ("Wins", "Misses", "Lessons", "Metrics", "Priorities for 2027-Q1", "Risks", "Asks of other teams"):
        assert text in body, text
    assert "Off 0" in body and f"Help {tenant_a.other_team.name}" in body
    assert "review_form" not in body and "<form" not in body.split("<main")[1]


@pytest.mark.django_db
def test_cycle_print_view_has_one_sheet_per_readable_review(as_role, tenant_a, cycle):
    url = reverse("review_cycle_print", args=[tenant_a.org.slug, cycle.pk])
    leader = as_role("leader").get(url).content.decode()
    assert leader.count('class="print-sheet page-break"') == 2  # approved + submitted; drafts only in the index
    manager = as_role("manager").get(url).content.decode()  # only their own subtree
    assert manager.count('class="print-sheet page-break"') == 1


@pytest.mark.django_db
def test_print_views_follow_the_read_rules(as_role, tenant_a, tenant_b, cycle):
    review = review_of(cycle, tenant_a.other_team)
    assert as_role("member").get(reverse("review_print", args=[tenant_a.org.slug, review.pk])).status_code == 403
    other = make_cycle(tenant_b)
    url = reverse("review_cycle_print", args=[tenant_a.org.slug, other.pk])
    assert as_role("owner").get(url).status_code == 404


def test_the_stylesheet_has_print_rules_for_reviews():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/css/app.css").read_text()
    section = css[css.index("/* ==== reviews:") :]
    assert "@media print" in section and ".print-view .page-break { break-before: page; }" in section
