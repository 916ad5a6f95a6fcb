"""The priority cascade: the tree, coverage, company priorities no team carries, priorities linked to nothing."""

import pytest
from django.urls import reverse

from peakos.models import Priority, PriorityLevel
from reviews.cascade import cascade as build_cascade

PERIOD = "2027-Q1"


def prio(tenant, title, level, team=None, parent=None, period=PERIOD):
    return Priority.objects.create(
        organization=tenant.org, title=title, level=level, team=team, parent=parent, period=period
    )


@pytest.fixture
def cascade_data(tenant_a):
    t = tenant_a
    c1 = prio(t, "Grow mid-market", PriorityLevel.COMPANY)
    prio(t, "Raise margin", PriorityLevel.COMPANY)
    c3 = prio(t, "Yearly: launch the API", PriorityLevel.COMPANY, period="2027")
    c4 = prio(t, "Hire 20 engineers", PriorityLevel.COMPANY)
    d1 = prio(t, "Pipeline x2", PriorityLevel.DEPARTMENT, team=t.department, parent=c1)
    prio(t, "Recruiting plan", PriorityLevel.DEPARTMENT, team=t.department, parent=c4)
    prio(t, "Department pet project", PriorityLevel.DEPARTMENT, team=t.department)
    prio(t, "Outbound sequences", PriorityLevel.TEAM, team=t.team, parent=d1)
    prio(t, "API docs", PriorityLevel.TEAM, team=t.team, parent=c3)
    prio(t, "Rewrite the CRM", PriorityLevel.TEAM, team=t.team)
    prio(t, "Partner deals", PriorityLevel.TEAM, team=t.other_team, parent=c1)
    prio(t, "Office move", PriorityLevel.TEAM, team=t.other_team)
    prio(t, "Old quarter thing", PriorityLevel.TEAM, team=t.team, period="2026-Q4")  # other period: ignored
    return t


@pytest.mark.django_db
def test_coverage_is_the_share_of_team_priorities_linked_upward(cascade_data):
    c = build_cascade(cascade_data.org, PERIOD)
    assert (c.team_linked, c.team_total) == (3, 5)
    assert c.coverage == pytest.approx(0.6)


@pytest.mark.django_db
def test_company_priorities_no_team_carries(cascade_data):
    c = build_cascade(cascade_data.org, PERIOD)
    assert sorted(n.priority.title for n in c.uncarried) == ["Hire 20 engineers", "Raise margin"]


@pytest.mark.django_db
def test_priorities_linked_to_nothing_are_listed_as_competing(cascade_data):
    c = build_cascade(cascade_data.org, PERIOD)
    assert sorted(p.title for p in c.unlinked) == ["Department pet project", "Office move", "Rewrite the CRM"]


@pytest.mark.django_db
def test_coverage_per_department(cascade_data):
    c = build_cascade(cascade_data.org, PERIOD)
    figures = {d.department.name: (d.linked, d.total) for d in c.departments}
    assert figures == {"Alpha Department": (2, 3), "Alpha Other Department": (1, 2)}


@pytest.mark.django_db
def test_the_tree_nests_department_and_team_priorities_under_their_parent(cascade_data):
    c = build_cascade(cascade_data.org, PERIOD)
    grow = next(n for n in c.roots if n.priority.title == "Grow mid-market")
    assert [ch.priority.title for ch in grow.children] == ["Pipeline x2", "Partner deals"]
    assert [ch.priority.title for ch in grow.children[0].children] == ["Outbound sequences"]


@pytest.mark.django_db
def test_cascade_page_shows_the_figures(as_role, cascade_data):
    url = reverse("priority_cascade", args=[cascade_data.org.slug]) + f"?period={PERIOD}"
    body = as_role("member").get(url).content.decode()
    assert "60%" in body and "3 of 5 team priorities linked upward" in body
    assert "no team carries it" in body and "Rewrite the CRM" in body
    assert "taken up by Alpha Department, but no team below" in body


@pytest.mark.django_db
def test_cascade_page_ignores_a_bad_period_and_other_organizations(as_role, cascade_data, tenant_b):
    Priority.objects.create(organization=tenant_b.org, title="Bravo plan", level="company", period=PERIOD)
    response = as_role("member").get(reverse("priority_cascade", args=[cascade_data.org.slug]) + "?period=junk")
    assert response.status_code == 200
    body = (
        as_role("member")
        .get(reverse("priority_cascade", args=[cascade_data.org.slug]) + f"?period={PERIOD}")
        .content.decode()
    )
    assert "Bravo plan" not in body


@pytest.mark.django_db
def test_empty_period_has_no_coverage_figure(tenant_a):
    c = build_cascade(tenant_a.org, "2030-Q1")
    assert c.coverage is None and c.roots == []
