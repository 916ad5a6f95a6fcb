"""The leaders' Rhythm health page and the team page's velocity, from rows with known timestamps."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from rhythm.models import Issue, IssueStatus
from tests.rhythm.factories import meeting_for

pytestmark = pytest.mark.django_db


def url(tenant):
    return reverse("rhythm_health", args=[tenant.org.slug])


def test_only_leaders_see_rhythm_health(client, tenant_a):
    for role, status in (("member", 403), ("manager", 403), ("leader", 200), ("admin", 200), ("owner", 200)):
        client.force_login(tenant_a.users[role])
        assert client.get(url(tenant_a)).status_code == status, role


def test_health_shows_meetings_ratings_and_the_cross_team_wait(client, tenant_a):
    meeting_for(tenant_a, live=False)  # two attendees rated 8
    now = timezone.now()
    Issue.objects.create(organization=tenant_a.org, team=tenant_a.team, raised_to=tenant_a.leadership,
                         title="Budget for the launch", raised_at=now - timedelta(days=10))  # fmt: skip
    Issue.objects.create(organization=tenant_a.org, team=tenant_a.team, title="Solved one",
                         raised_at=now - timedelta(days=4), solved_at=now - timedelta(days=1),
                         status=IssueStatus.SOLVED)  # fmt: skip
    client.force_login(tenant_a.users["leader"])
    response = client.get(url(tenant_a))
    health = response.context
    team = next(r for r in health["teams"] if r.team == tenant_a.team)
    assert team.velocity.meetings_held == 1 and team.velocity.rating_mean == 8
    assert team.velocity.median_days_to_decision == pytest.approx(3)
    leadership = next(r for r in health["teams"] if r.team == tenant_a.leadership)
    assert leadership.velocity.cross_team_open == 1
    assert leadership.velocity.cross_team_oldest_open_days == pytest.approx(10, abs=0.01)
    department = next(r for r in health["departments"] if r.team == tenant_a.department)
    assert department.teams == 3 and department.velocity.meetings_held == 1
    body = response.content.decode()
    assert "1 waiting" in body and "Rhythm health" in body and "shown with their name" in body


def test_the_nav_offers_rhythm_to_every_member(client, tenant_a):
    client.force_login(tenant_a.users["member"])
    body = client.get(reverse("org_home", args=[tenant_a.org.slug])).content.decode()
    assert reverse("rhythm_home", args=[tenant_a.org.slug]) in body
