"""Pages read set-based: the number of queries does not grow with the number of teams or reviews."""

import pytest
from django.urls import reverse

from peakos.models import Priority, PriorityLevel
from reviews.models import ReviewStatus
from tests.factories import TeamFactory
from tests.reviews.factories import fill, make_cycle, review_of


def build(tenant, n_teams: int, tag: str):
    teams = [TeamFactory(organization=tenant.org, name=f"Load {tag}{i}", parent=tenant.department)
             for i in range(n_teams)]  # fmt: skip
    company = Priority.objects.create(organization=tenant.org, title="C", level="company", period="2027-Q1")
    cycle = make_cycle(tenant, teams=teams)
    for i, team in enumerate(teams):
        fill(review_of(cycle, team), status=ReviewStatus.APPROVED, asks_to=[tenant.team])
        Priority.objects.create(
            organization=tenant.org, title=f"T{i}", level=PriorityLevel.TEAM, team=team, period="2027-Q1",
            parent=company if i % 2 else None,
        )  # fmt: skip
    return cycle


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    ["review_cycle", "review_cycle_print", "priority_cascade", "review_team", "reviews_home", "review_actions"],
)
def test_pages_use_the_same_number_of_queries_for_3_and_12_teams(as_role, tenant_a, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_role("leader")

    def url_for(cycle):
        slug = tenant_a.org.slug
        if page in ("review_cycle", "review_cycle_print"):
            return reverse(page, args=[slug, cycle.pk])
        if page == "review_team":
            return reverse(page, args=[slug, tenant_a.team.pk])
        return reverse(page, args=[slug]) + ("?period=2027-Q1" if page == "priority_cascade" else "")

    def count(url):
        client.get(url)  # warm-up: the first request of a session also loads one-off things
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count(url_for(build(tenant_a, 3, "a")))
    from reviews.models import ReviewCycle

    ReviewCycle.objects.all().delete()
    Priority.objects.all().delete()
    big = count(url_for(build(tenant_a, 12, "b")))
    assert big == small, f"{page}: {small} queries for 3 teams, {big} for 12"
