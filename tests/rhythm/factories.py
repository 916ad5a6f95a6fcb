"""Rhythm data for tests and for tests/isolation.py (created once per tenant and reused)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from rhythm.models import (
    Attendee,
    Decision,
    Issue,
    IssueStatus,
    Measurable,
    MeasurableEntry,
    Meeting,
    MeetingSeries,
    Todo,
    default_agenda,
    week_start,
)


def series_for(tenant, team=None) -> MeetingSeries:
    team = team or tenant.team
    return MeetingSeries.objects.get_or_create(
        organization=tenant.org, team=team, defaults={"name": f"{team.name} weekly"}
    )[0]


def meeting_for(tenant, *, live: bool = True) -> Meeting:
    """A meeting of the tenant's team (live by default), with its people as attendees."""
    series = series_for(tenant)
    meeting = Meeting.objects.filter(series=series).first()
    if meeting is None:
        now = timezone.now()
        agenda = default_agenda()
        meeting = Meeting.objects.create(
            organization=tenant.org, series=series, team=series.team, held_on=timezone.localdate(), agenda=agenda,
            started_at=now - timedelta(minutes=10), section_started_at=now - timedelta(minutes=2),
            section_seconds=[0] * len(agenda), ended_at=None if live else now,
        )  # fmt: skip
        for person in tenant.people:
            if person.team_id == series.team_id:
                Attendee.objects.create(organization=tenant.org, meeting=meeting, person=person, rating=8)
    return meeting


def measurable_for(tenant) -> Measurable:
    measurable, created = Measurable.objects.get_or_create(
        organization=tenant.org, team=tenant.team, name=f"{tenant.org.name} weekly demos",
        defaults={"goal": Decimal("10"), "owner": tenant.people[0]},
    )  # fmt: skip
    if created:
        MeasurableEntry.objects.create(
            organization=tenant.org, measurable=measurable, week=week_start(timezone.localdate()), value=Decimal(12)
        )
    return measurable


def issue_for(tenant) -> Issue:
    return Issue.objects.get_or_create(
        organization=tenant.org, team=tenant.team, title=f"{tenant.org.name} needs a decision",
        defaults={"raised_by": tenant.people[0]},
    )[0]  # fmt: skip


def todo_for(tenant) -> Todo:
    return Todo.objects.get_or_create(
        organization=tenant.org, team=tenant.team, title=f"{tenant.org.name} to-do",
        defaults={"owner": tenant.people[0]},
    )[0]  # fmt: skip


def decision_for(tenant) -> Decision:
    issue = Issue.objects.get_or_create(
        organization=tenant.org, team=tenant.team, title=f"{tenant.org.name} decided issue",
        defaults={"status": IssueStatus.SOLVED, "solved_at": timezone.now()},
    )[0]  # fmt: skip
    return Decision.objects.get_or_create(
        organization=tenant.org, team=tenant.team, issue=issue,
        defaults={"what": f"{tenant.org.name} decision", "decided_by": tenant.people[0]},
    )[0]  # fmt: skip
