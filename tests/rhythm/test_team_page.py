"""The team rhythm page: who sees and edits it, the scorecard red/green, issues, to-dos, decisions."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from peakos.models import AuditEvent
from rhythm.models import Issue, Measurable, MeasurableEntry, MeetingSeries, Todo, week_start
from tests.rhythm.factories import decision_for, issue_for, measurable_for, series_for, todo_for

pytestmark = pytest.mark.django_db


def url(tenant, team=None):
    return reverse("rhythm_team", args=[tenant.org.slug, (team or tenant.team).pk])


def test_member_sees_their_own_teams_rhythm(client, tenant_a, member_in_team):
    series_for(tenant_a)
    issue_for(tenant_a)
    todo_for(tenant_a)
    decision_for(tenant_a)
    client.force_login(tenant_a.users["member"])
    body = client.get(url(tenant_a)).content.decode()
    assert "Alpha Team weekly" in body
    assert "Alpha Corp needs a decision" in body and "Alpha Corp to-do" in body and "Alpha Corp decision" in body
    assert "Raise an issue" in body, "members edit their own team's rhythm"


def test_member_cannot_open_another_teams_rhythm(client, tenant_a, member_in_team):
    client.force_login(tenant_a.users["member"])
    assert client.get(url(tenant_a, tenant_a.other_team)).status_code == 403


def test_member_without_a_person_sees_no_team(client, tenant_a):
    client.force_login(tenant_a.users["member"])
    assert client.get(url(tenant_a)).status_code == 403
    assert "not linked to a person" in client.get(reverse("rhythm_home", args=[tenant_a.org.slug])).content.decode()


def test_leader_sees_every_team_but_edits_none_of_them(client, tenant_a):
    client.force_login(tenant_a.users["leader"])
    body = client.get(url(tenant_a, tenant_a.other_team)).content.decode()
    assert "Scorecard" in body and "Raise an issue" not in body
    response = client.post(reverse("rhythm_issue_create", args=[tenant_a.org.slug, tenant_a.other_team.pk]),
                           {"title": "x", "priority": "2"})  # fmt: skip
    assert response.status_code == 403
    assert not Issue.objects.exists()


def test_scorecard_shows_red_and_green_against_the_goal_with_a_trend(client, tenant_a):
    m = measurable_for(tenant_a)  # goal >= 10, this week 12
    lte = Measurable.objects.create(organization=tenant_a.org, team=tenant_a.team, name="Open bugs", goal=5,
                                    direction="lte")  # fmt: skip
    this_week = week_start(timezone.localdate())
    MeasurableEntry.objects.create(organization=tenant_a.org, measurable=m, week=this_week - timedelta(weeks=1),
                                   value=Decimal(8))  # fmt: skip
    MeasurableEntry.objects.create(organization=tenant_a.org, measurable=lte, week=this_week, value=Decimal(9))
    client.force_login(tenant_a.users["manager"])
    body = client.get(url(tenant_a)).content.decode()
    assert body.count("score-cell off-track") == 2 and body.count("score-cell on-track") == 1
    assert "↑ up" in body


def test_entering_a_week_twice_corrects_it(client, tenant_a):
    m = measurable_for(tenant_a)
    client.force_login(tenant_a.users["manager"])
    entry = reverse("rhythm_entry", args=[tenant_a.org.slug, m.pk])
    week = timezone.localdate().isoformat()
    assert client.post(entry, {"week": week, "value": "7"}).status_code == 302
    assert client.post(entry, {"week": week, "value": "7,5"}).status_code == 302
    assert list(MeasurableEntry.objects.filter(measurable=m).values_list("value", flat=True)) == [Decimal("7.50")]
    assert AuditEvent.objects.filter(action="rhythm.entry.save").count() == 2


def test_a_bad_value_rerenders_with_the_error_and_changes_nothing(client, tenant_a):
    m = measurable_for(tenant_a)
    client.force_login(tenant_a.users["manager"])
    response = client.post(reverse("rhythm_entry", args=[tenant_a.org.slug, m.pk]),
                           {"week": timezone.localdate().isoformat(), "value": "lots"})  # fmt: skip
    assert response.status_code == 400
    assert "Enter the week&#x27;s number" in response.content.decode()
    assert MeasurableEntry.objects.filter(measurable=m).count() == 1


def test_adding_a_measurable_with_a_duplicate_name_is_refused(client, tenant_a):
    measurable_for(tenant_a)
    client.force_login(tenant_a.users["manager"])
    post = {"name": "Alpha Corp weekly demos", "goal": "3", "direction": "gte"}
    response = client.post(reverse("rhythm_measurable_create", args=[tenant_a.org.slug, tenant_a.team.pk]), post)
    assert response.status_code == 400 and "already has a measurable" in response.content.decode()
    assert Measurable.objects.count() == 1


def test_raising_an_issue_to_the_leadership_team_puts_it_on_their_list(client, tenant_a):
    client.force_login(tenant_a.users["manager"])
    post = {"title": "Hiring freeze blocks the launch", "priority": "1", "raised_to_id": str(tenant_a.leadership.pk)}
    assert (
        client.post(reverse("rhythm_issue_create", args=[tenant_a.org.slug, tenant_a.team.pk]), post).status_code == 302
    )
    issue = Issue.objects.get()
    assert issue.raised_to == tenant_a.leadership and issue.raised_by == tenant_a.people[0]
    client.force_login(tenant_a.users["leader"])
    leadership = client.get(url(tenant_a, tenant_a.leadership)).content.decode()
    assert "Hiring freeze blocks the launch" in leadership and "raised by Alpha Team" in leadership
    own = client.get(url(tenant_a)).content.decode()
    assert "Raised to other teams" in own and "waiting" in own


def test_solving_an_issue_records_the_decision_and_todos_due_in_seven_days(client, tenant_a):
    issue = issue_for(tenant_a)
    client.force_login(tenant_a.users["manager"])
    post = {"what": "Ship on Friday", "why": "Customers wait", "todo_1_title": "Tell Sales",
            "todo_1_owner": str(tenant_a.people[1].pk), "todo_2_title": ""}  # fmt: skip
    response = client.post(reverse("rhythm_issue_solve", args=[tenant_a.org.slug, issue.pk]), post)
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == "solved" and issue.solved_at is not None
    decision = issue.decisions.get()
    assert (decision.what, decision.why, decision.decided_by) == (
        "Ship on Friday",
        "Customers wait",
        tenant_a.people[0],
    )
    todo = Todo.objects.get()
    assert todo.owner == tenant_a.people[1] and todo.due_on == timezone.localdate() + timedelta(days=7)


def test_solving_without_a_decision_text_changes_nothing(client, tenant_a):
    issue = issue_for(tenant_a)
    client.force_login(tenant_a.users["manager"])
    response = client.post(reverse("rhythm_issue_solve", args=[tenant_a.org.slug, issue.pk]),
                           {"what": "  ", "todo_1_title": "Something"})  # fmt: skip
    assert response.status_code == 400
    issue.refresh_from_db()
    assert issue.status == "open" and not Todo.objects.exists()


def test_ticking_a_todo_done(client, tenant_a, member_in_team):
    todo = todo_for(tenant_a)
    client.force_login(tenant_a.users["member"])
    client.post(reverse("rhythm_todo_done", args=[tenant_a.org.slug, todo.pk]), {"done": "1"})
    todo.refresh_from_db()
    assert todo.done and todo.done_at is not None


def test_series_form_saves_day_time_and_agenda(client, tenant_a):
    client.force_login(tenant_a.users["manager"])
    post = {"name": "Platform L10", "cadence": "biweekly", "weekday": "2", "start_time": "10:30",
            "agenda": "5, Check-in | checkin\n50, Issues | issues\n5, Conclude | conclude"}  # fmt: skip
    response = client.post(reverse("rhythm_series", args=[tenant_a.org.slug, tenant_a.team.pk]), post)
    assert response.status_code == 302
    series = MeetingSeries.objects.get(team=tenant_a.team)
    assert series.cadence == "biweekly" and series.weekday == 2 and series.total_minutes == 60
    assert [s["kind"] for s in series.agenda] == ["checkin", "issues", "conclude"]


def test_series_form_refuses_a_section_without_minutes(client, tenant_a):
    client.force_login(tenant_a.users["manager"])
    post = {"name": "L10", "cadence": "weekly", "weekday": "0", "start_time": "09:00", "agenda": "0, Check-in"}
    response = client.post(reverse("rhythm_series", args=[tenant_a.org.slug, tenant_a.team.pk]), post)
    assert response.status_code == 400 and "minutes must be between 1 and 180" in response.content.decode()
    assert not MeetingSeries.objects.exists()
