"""Editing and archiving measurables and issues from the rhythm pages (not /admin/): members their own
teams', leaders any; archived items leave the meeting page but stay in history and velocity."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from peakos.models import AuditEvent
from rhythm import selectors
from rhythm.models import Issue, Measurable, MeasurableEntry, week_start
from tests.rhythm.factories import issue_for, measurable_for, meeting_for

pytestmark = pytest.mark.django_db


def edit_url(tenant, measurable):
    return reverse("rhythm_measurable_edit", args=[tenant.org.slug, measurable.pk])


def archive_url(tenant, measurable):
    return reverse("rhythm_measurable_archive", args=[tenant.org.slug, measurable.pk])


def issue_edit_url(tenant, issue):
    return reverse("rhythm_issue_edit", args=[tenant.org.slug, issue.pk])


def issue_archive_url(tenant, issue):
    return reverse("rhythm_issue_archive", args=[tenant.org.slug, issue.pk])


def team_page(client, tenant, team=None):
    return client.get(reverse("rhythm_team", args=[tenant.org.slug, (team or tenant.team).pk])).content.decode()


MEASURABLE_POST = {"name": "Weekly demos", "goal": "15", "direction": "gte", "unit": "demos", "owner_id": ""}


# --- Measurables ---------------------------------------------------------------------------------


def test_member_edits_their_teams_measurable_and_red_green_follows_the_new_goal(client, tenant_a, member_in_team):
    m = measurable_for(tenant_a)  # goal >= 10, this week 12: green
    client.force_login(tenant_a.users["member"])
    assert 'class="num score-cell on-track"' in team_page(client, tenant_a)
    form = client.get(edit_url(tenant_a, m))
    assert form.status_code == 200 and 'value="Alpha Corp weekly demos"' in form.content.decode()
    response = client.post(edit_url(tenant_a, m), MEASURABLE_POST)
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.name, m.goal, m.unit) == ("Weekly demos", Decimal("15.00"), "demos")
    body = team_page(client, tenant_a)
    assert "Weekly demos" in body and 'class="num score-cell off-track"' in body, "12 is now under the goal of 15"
    assert AuditEvent.objects.filter(action="rhythm.measurable.update", summary__contains="Weekly demos").exists()


def test_an_invalid_edit_shows_the_error_and_changes_nothing(client, tenant_a, member_in_team):
    m = measurable_for(tenant_a)
    client.force_login(tenant_a.users["member"])
    response = client.post(edit_url(tenant_a, m), {**MEASURABLE_POST, "goal": "lots"})
    assert response.status_code == 400 and "The goal is a number" in response.content.decode()
    m.refresh_from_db()
    assert m.goal == Decimal("10.00") and m.name == "Alpha Corp weekly demos"


def test_a_rename_cannot_take_another_measurables_name(client, tenant_a, member_in_team):
    m = measurable_for(tenant_a)
    Measurable.objects.create(organization=tenant_a.org, team=tenant_a.team, name="Open bugs", goal=5)
    client.force_login(tenant_a.users["member"])
    response = client.post(edit_url(tenant_a, m), {**MEASURABLE_POST, "name": "open bugs"})
    assert response.status_code == 400 and "already has a measurable" in response.content.decode()
    # Keeping its own name is no clash.
    assert client.post(edit_url(tenant_a, m), {**MEASURABLE_POST, "name": m.name}).status_code == 302


def test_member_cannot_edit_or_archive_another_teams_measurable(client, tenant_a, member_in_team):
    other = Measurable.objects.create(organization=tenant_a.org, team=tenant_a.other_team, name="Leads", goal=3)
    client.force_login(tenant_a.users["member"])
    assert client.get(edit_url(tenant_a, other)).status_code == 403
    assert client.post(edit_url(tenant_a, other), MEASURABLE_POST).status_code == 403
    assert client.post(archive_url(tenant_a, other), {"archived": "1"}).status_code == 403
    other.refresh_from_db()
    assert other.name == "Leads" and not other.archived


def test_another_organizations_measurable_is_not_found(client, tenant_a, tenant_b):
    theirs = measurable_for(tenant_b)
    client.force_login(tenant_a.users["owner"])
    assert client.get(edit_url(tenant_a, theirs)).status_code == 404
    assert client.post(archive_url(tenant_a, theirs), {"archived": "1"}).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.archived


def test_leader_edits_and_archives_any_teams_measurable(client, tenant_a):
    other = Measurable.objects.create(organization=tenant_a.org, team=tenant_a.other_team, name="Leads", goal=3)
    client.force_login(tenant_a.users["leader"])
    assert "Raise an issue" not in team_page(client, tenant_a, tenant_a.other_team), "leaders still run no meeting"
    assert client.post(edit_url(tenant_a, other), {**MEASURABLE_POST, "name": "Qualified leads"}).status_code == 302
    assert client.post(archive_url(tenant_a, other), {"archived": "1"}).status_code == 302
    other.refresh_from_db()
    assert other.name == "Qualified leads" and other.archived


def test_archived_measurable_leaves_the_scorecard_but_keeps_its_weeks(client, tenant_a, member_in_team):
    m = measurable_for(tenant_a)
    meeting = meeting_for(tenant_a)
    on_meeting_scorecard = lambda: [r.measurable for r in selectors.meeting_state(meeting)["scorecard"]["rows"]]  # noqa: E731
    assert on_meeting_scorecard() == [m]
    client.force_login(tenant_a.users["member"])
    response = client.post(archive_url(tenant_a, m), {"archived": "1"}, follow=True)
    assert "archived: off the scorecard" in response.content.decode()
    m.refresh_from_db()
    assert m.archived and m.archived_at is not None
    assert on_meeting_scorecard() == []
    body = team_page(client, tenant_a)
    assert "No measurables yet." in body, "off the scorecard"
    assert "Archived and parked" in body and m.name in body, "but listed as archived, with a way back"
    assert MeasurableEntry.objects.filter(measurable=m).count() == 1
    # Its weeks stay behind a review metric it is linked to, and in the API on request.
    api = client.get("/api/v1/rhythm/measurables/", {"archived": "true"}, HTTP_X_ORGANIZATION=tenant_a.org.slug)
    assert [r["name"] for r in api.json()["results"]] == [m.name] and api.json()["results"][0]["entries"]
    api = client.get("/api/v1/rhythm/measurables/", HTTP_X_ORGANIZATION=tenant_a.org.slug)
    assert api.json()["results"] == []
    # And back.
    client.post(archive_url(tenant_a, m), {"archived": "0"})
    assert "No measurables yet." not in team_page(client, tenant_a)
    actions = list(AuditEvent.objects.filter(action__startswith="rhythm.measurable.").values_list("action", flat=True))
    assert "rhythm.measurable.archive" in actions and "rhythm.measurable.restore" in actions


def test_archived_measurable_still_counts_for_the_weeks_it_was_on_the_scorecard(tenant_a):
    """Scorecard coverage (rhythm health): an archived measurable's cells are the weeks before it was archived."""
    this_week = week_start(timezone.localdate())
    kept = Measurable.objects.create(organization=tenant_a.org, team=tenant_a.team, name="Kept", goal=1)
    gone = Measurable.objects.create(organization=tenant_a.org, team=tenant_a.team, name="Gone", goal=1)
    for n in (1, 2, 3, 4):
        MeasurableEntry.objects.create(organization=tenant_a.org, measurable=kept, week=this_week - timedelta(weeks=n),
                                       value=1)  # fmt: skip
    for n in (3, 4):
        MeasurableEntry.objects.create(organization=tenant_a.org, measurable=gone, week=this_week - timedelta(weeks=n),
                                       value=1)  # fmt: skip
    # Archived during the week two weeks ago: on the scorecard for the weeks 4 and 3 back, both filled.
    archived_at = timezone.make_aware(datetime.combine(this_week - timedelta(weeks=2), time(12)))
    Measurable.objects.filter(pk=gone.pk).update(archived=True, archived_at=archived_at)
    row = next(r for r in selectors.rhythm_health(tenant_a.org)["teams"] if r.team == tenant_a.team)
    assert row.measurables == 1, "one measurable on the scorecard now"
    assert row.coverage == pytest.approx(6 / 6), "4 cells of Kept + 2 of Gone, all filled"
    # Long archived: no cells at all in the last four weeks.
    Measurable.objects.filter(pk=gone.pk).update(archived_at=archived_at - timedelta(weeks=6))
    row = next(r for r in selectors.rhythm_health(tenant_a.org)["teams"] if r.team == tenant_a.team)
    assert row.coverage == pytest.approx(4 / 4)


# --- Issues --------------------------------------------------------------------------------------


def test_member_rewords_an_issue_of_their_team(client, tenant_a, member_in_team):
    issue = issue_for(tenant_a)
    client.force_login(tenant_a.users["member"])
    response = client.post(issue_edit_url(tenant_a, issue), {"title": "Hire or contract?", "details": "By Q2",
                                                             "priority": "1"})  # fmt: skip
    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.title, issue.details, issue.priority) == ("Hire or contract?", "By Q2", 1)
    assert "Hire or contract?" in team_page(client, tenant_a)
    bad = client.post(issue_edit_url(tenant_a, issue), {"title": "  ", "priority": "2"})
    assert bad.status_code == 400
    issue.refresh_from_db()
    assert issue.title == "Hire or contract?"


def test_the_team_that_raised_an_issue_elsewhere_may_edit_it_others_may_not(client, tenant_a, member_in_team):
    raised = Issue.objects.create(organization=tenant_a.org, team=tenant_a.team, raised_to=tenant_a.leadership,
                                  title="Budget")  # fmt: skip
    elsewhere = Issue.objects.create(organization=tenant_a.org, team=tenant_a.other_team, title="Not ours")
    client.force_login(tenant_a.users["member"])
    assert client.post(issue_edit_url(tenant_a, raised), {"title": "Budget for Q3", "priority": "2"}).status_code == 302
    raised.refresh_from_db()
    assert raised.title == "Budget for Q3" and raised.raised_to_id == tenant_a.leadership.pk
    assert client.post(issue_edit_url(tenant_a, elsewhere), {"title": "Ours now", "priority": "2"}).status_code == 403
    assert client.post(issue_archive_url(tenant_a, elsewhere), {"archived": "1"}).status_code == 403
    elsewhere.refresh_from_db()
    assert elsewhere.title == "Not ours" and elsewhere.archived_at is None


def test_leader_edits_any_teams_issue_and_another_organization_is_not_found(client, tenant_a, tenant_b):
    other = Issue.objects.create(organization=tenant_a.org, team=tenant_a.other_team, title="Pricing")
    theirs = issue_for(tenant_b)
    client.force_login(tenant_a.users["leader"])
    assert client.post(issue_edit_url(tenant_a, other), {"title": "Pricing page", "priority": "3"}).status_code == 302
    other.refresh_from_db()
    assert other.title == "Pricing page"
    assert client.post(issue_edit_url(tenant_a, theirs), {"title": "x", "priority": "3"}).status_code == 404


def test_a_parked_issue_leaves_the_meeting_but_stays_in_velocity(client, tenant_a, member_in_team):
    issue = Issue.objects.create(organization=tenant_a.org, team=tenant_a.team, title="Office move",
                                 raised_at=timezone.now() - timedelta(days=9))  # fmt: skip
    meeting = meeting_for(tenant_a)
    meeting_url = reverse("rhythm_meeting", args=[tenant_a.org.slug, meeting.pk])
    before = selectors.team_velocity([tenant_a.team.pk])[tenant_a.team.pk]
    client.force_login(tenant_a.users["member"])
    response = client.post(issue_archive_url(tenant_a, issue), {"archived": "1", "meeting_id": meeting.pk})
    assert response.status_code == 302 and response["Location"] == meeting_url, "back to the meeting"
    issue.refresh_from_db()
    assert issue.archived_at is not None and issue.status == "open"
    assert issue not in selectors.meeting_state(meeting)["issues"]
    body = team_page(client, tenant_a)
    assert "Parked issues" in body and "Office move" in body
    after = selectors.team_velocity([tenant_a.team.pk])[tenant_a.team.pk]
    assert after.issues_raised == before.issues_raised == 1, "parking is not a decision: still counted"
    assert after.issues_solved == 0
    client.post(issue_archive_url(tenant_a, issue), {"archived": "0"})
    issue.refresh_from_db()
    assert issue.archived_at is None and issue in selectors.meeting_state(meeting)["issues"]


def test_archiving_twice_changes_and_records_once_for_measurables_and_issues(tenant_a):
    from rhythm import services

    leader = tenant_a.memberships["leader"]
    measurable, issue = measurable_for(tenant_a), issue_for(tenant_a)
    for _ in range(2):
        services.set_measurable_archived(membership=leader, measurable=measurable, archived=True)
        services.set_issue_archived(membership=leader, issue=issue, archived=True)
    measurable.refresh_from_db()
    issue.refresh_from_db()
    assert measurable.archived and measurable.archived_at is not None and issue.archived_at is not None
    services.set_issue_archived(membership=leader, issue=issue, archived=False)
    issue.refresh_from_db()
    assert issue.archived_at is None
    actions = sorted(AuditEvent.objects.filter(action__startswith="rhythm.").values_list("action", "summary"))
    assert actions == [
        ("rhythm.issue.archive", f"{issue.team.name}: {issue.title}"),
        ("rhythm.issue.restore", f"{issue.team.name}: {issue.title}"),
        ("rhythm.measurable.archive", f"{measurable.team.name}: {measurable.name}"),
    ]
