"""The live meeting poll is a conditional GET: 304 while nothing changed, a new ETag as soon as another
attendee changes something (two logged-in clients, as two people in the same meeting)."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from rhythm.models import Issue, Todo
from tests.rhythm.factories import issue_for, meeting_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_attendees(tenant_a, member_in_team):
    """The team's manager and a member of the team, each in their own browser (client)."""
    meeting = meeting_for(tenant_a)
    manager, member = Client(), Client()
    manager.force_login(tenant_a.users["manager"])
    member.force_login(tenant_a.users["member"])
    return meeting, manager, member


def live_url(tenant, meeting):
    return reverse("rhythm_meeting_live", args=[tenant.org.slug, meeting.pk])


def poll(client, tenant, meeting, etag=None):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(live_url(tenant, meeting), **headers)


def test_nothing_changed_is_a_304_without_a_body(tenant_a, two_attendees):
    meeting, manager, _ = two_attendees
    first = poll(manager, tenant_a, meeting)
    assert first.status_code == 200 and first.json()["html"]
    etag = first["ETag"]
    assert etag.startswith('W/"')
    assert "no-cache" in first["Cache-Control"] and "private" in first["Cache-Control"]
    again = poll(manager, tenant_a, meeting, etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    stale = poll(manager, tenant_a, meeting, 'W/"something-else"')
    assert stale.status_code == 200 and stale["ETag"] == etag


def test_the_meeting_page_hands_its_version_to_the_poll(tenant_a, two_attendees):
    meeting, manager, _ = two_attendees
    page = manager.get(reverse("rhythm_meeting", args=[tenant_a.org.slug, meeting.pk])).content.decode()
    config = json.loads(re.search(r'id="rhythm-live-config" type="application/json">(.*?)</script>', page).group(1))
    assert poll(manager, tenant_a, meeting, config["etag"]).status_code == 304, "no full fetch right after loading"


@pytest.mark.parametrize(
    "change",
    ["next_section", "rating", "solve", "new_issue", "park_issue", "todo_done"],
)
def test_a_change_by_another_attendee_changes_the_etag(tenant_a, two_attendees, change):
    meeting, manager, member = two_attendees
    issue = issue_for(tenant_a)
    slug = tenant_a.org.slug
    etag = poll(manager, tenant_a, meeting)["ETag"]
    assert poll(manager, tenant_a, meeting, etag).status_code == 304
    if change == "next_section":
        response = member.post(
            reverse("rhythm_meeting_section", args=[slug, meeting.pk]), {"from": "0", "section": "1"}
        )
    elif change == "rating":
        response = member.post(reverse("rhythm_meeting_rate", args=[slug, meeting.pk]), {"rating": "9"})
    elif change == "solve":
        response = member.post(reverse("rhythm_issue_solve", args=[slug, issue.pk]),
                               {"what": "Hire two contractors", "meeting_id": meeting.pk})  # fmt: skip
    elif change == "new_issue":
        response = member.post(reverse("rhythm_issue_create", args=[slug, tenant_a.team.pk]),
                               {"title": "Flaky deploys", "priority": "1", "meeting_id": meeting.pk})  # fmt: skip
    elif change == "park_issue":
        response = member.post(reverse("rhythm_issue_archive", args=[slug, issue.pk]), {"archived": "1"})
    else:
        todo = member.post(reverse("rhythm_todo_create", args=[slug, tenant_a.team.pk]), {"title": "Call the bank"})
        assert todo.status_code == 302
        etag = poll(manager, tenant_a, meeting)["ETag"]
        response = member.post(reverse("rhythm_todo_done", args=[slug, Todo.objects.get().pk]), {"done": "1"})
    assert response.status_code == 302, change
    fresh = poll(manager, tenant_a, meeting, etag)
    assert fresh.status_code == 200, f"{change} by the member must reach the manager's page"
    assert fresh["ETag"] != etag
    assert poll(manager, tenant_a, meeting, fresh["ETag"]).status_code == 304, "and then it is quiet again"


def test_a_change_outside_the_meeting_pages_changes_the_etag_too(tenant_a, two_attendees):
    """The version is taken over what is shown, so an edit through any path (here straight in the
    database, as /admin/ would) is seen."""
    meeting, manager, _ = two_attendees
    issue = issue_for(tenant_a)
    etag = poll(manager, tenant_a, meeting)["ETag"]
    Issue.objects.filter(pk=issue.pk).update(title="Reworded elsewhere")
    assert poll(manager, tenant_a, meeting, etag).status_code == 200


def test_each_viewer_has_their_own_version(tenant_a, two_attendees):
    """The live part shows the viewer's rights and rating: one attendee's ETag is not another's."""
    meeting, manager, member = two_attendees
    assert poll(manager, tenant_a, meeting)["ETag"] != poll(member, tenant_a, meeting)["ETag"]


def test_the_poll_still_checks_access(tenant_a, tenant_b, two_attendees):
    meeting, _, _ = two_attendees
    outsider = Client()
    outsider.force_login(tenant_b.users["owner"])
    assert poll(outsider, tenant_a, meeting).status_code == 404
    member = Client()
    member.force_login(tenant_a.users["member"])
    assert poll(member, tenant_a, meeting_for(tenant_b)).status_code == 404, "another organization's meeting id"
