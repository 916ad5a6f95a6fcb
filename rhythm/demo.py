"""Demo data of the weekly rhythm: five weeks of meetings for a few Northwind teams.

* Leadership Team, Platform, Support and Enterprise Sales meet weekly (Platform's lead is the demo
  manager, so manager@ and member@ see their own team's rhythm);
* each has a scorecard of three measurables, five weeks filled in, some weeks off track;
* issues solved in the meetings into decisions and to-dos (some done on time, some late, one
  overdue), one issue Platform raised to the leadership team that still waits, and one Support
  raised to Growth Engineering that was answered after nine days.

Idempotent: a team that already has a meeting series is left alone. The past is written directly
(with its own timestamps); the services are for what people do now.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from peakos.models import Organization, Person, Team
from peakos.tenancy import org_scope
from rhythm.models import (
    Attendee,
    Decision,
    Direction,
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

WEEKS = 5

# team -> (weekday, measurables[(name, goal, direction, unit, typical, spread)], issues solved[(title, decision, why)])
TEAMS = {
    "Leadership Team": (
        0,
        [
            ("New mid-market logos (week)", "4", Direction.AT_LEAST, "", 4, 2),
            ("Cash runway", "18", Direction.AT_LEAST, "months", 19, 1),
            ("Regretted attrition (rolling)", "2", Direction.AT_MOST, "%", 2, 1),
        ],
        [
            (
                "Pricing for the API tier",
                "Usage-based pricing with a free tier up to 10k calls",
                "Design partners asked for it; it keeps the sales motion simple",
            ),
            ("Who owns onboarding?", "Customer Success owns onboarding end to end", "Two owners meant nobody decided"),
        ],
    ),
    "Platform": (
        1,
        [
            ("API endpoints live", "12", Direction.AT_LEAST, "", 9, 3),
            ("p95 latency", "300", Direction.AT_MOST, "ms", 310, 40),
            ("Deploys", "10", Direction.AT_LEAST, "", 11, 3),
        ],
        [
            (
                "Auth scopes keep changing",
                "Freeze scopes v1 as in the RFC; changes go to v2",
                "Every change costs a week of rework",
            ),
            ("Flaky CI on the gateway", "Quarantine flaky tests; fix two a week", "Red builds block every team"),
        ],
    ),
    "Support": (
        2,
        [
            ("First response time", "4", Direction.AT_MOST, "hours", 3.5, 1.5),
            ("CSAT", "90", Direction.AT_LEAST, "%", 89, 3),
            ("Backlog", "40", Direction.AT_MOST, "tickets", 42, 10),
        ],
        [("Weekend coverage", "Rotate one person per weekend, paid as overtime", "Monday backlog doubled")],
    ),
    "Enterprise Sales": (
        3,
        [
            ("Qualified meetings", "15", Direction.AT_LEAST, "", 14, 4),
            ("Proposals sent", "5", Direction.AT_LEAST, "", 5, 2),
            ("Forecast accuracy", "85", Direction.AT_LEAST, "%", 82, 6),
        ],
        [("Discount approvals take days", "Leads approve up to 15% themselves", "Deals stalled waiting")],
    ),
}
TODOS = ["Write it up for the team", "Tell the teams that depend on us", "Check the effect next week"]


def _at(day, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _seed_team(org: Organization, team: Team, weekday: int, measurables, solved, rng: random.Random) -> None:
    series = MeetingSeries.objects.create(organization=org, team=team, name=f"{team.name} weekly", weekday=weekday)
    people = list(Person.objects.filter(team=team, active=True).order_by("pk")[:7])
    today = timezone.localdate()
    first = week_start(today) - timedelta(weeks=WEEKS) + timedelta(days=weekday)
    days = [first + timedelta(weeks=n) for n in range(WEEKS) if first + timedelta(weeks=n) < today]
    meetings = []
    for n, day in enumerate(days):
        start = _at(day, 9, rng.randint(0, 4))
        agenda = default_agenda()
        seconds = [max(60, int(s["minutes"] * 60 * rng.uniform(0.7, 1.3))) for s in agenda]
        meeting = Meeting.objects.create(
            organization=org, series=series, team=team, held_on=day, agenda=agenda, section_index=len(agenda) - 1,
            section_seconds=seconds, started_at=start, ended_at=start + timedelta(seconds=sum(seconds)),
            recap_sent_at=start + timedelta(seconds=sum(seconds) + 30),
        )  # fmt: skip
        base = 7 + (n >= WEEKS - 2)  # the last meetings went better
        Attendee.objects.bulk_create(
            Attendee(organization=org, meeting=meeting, person=p, rating=min(10, base + rng.randint(-1, 2)),
                     rated_at=meeting.ended_at)
            for p in people
        )  # fmt: skip
        meetings.append(meeting)

    for name, goal, direction, unit, typical, spread in measurables:
        m = Measurable.objects.create(organization=org, team=team, owner=rng.choice(people) if people else None,
                                      name=name, goal=Decimal(goal), direction=direction, unit=unit)  # fmt: skip
        MeasurableEntry.objects.bulk_create(
            MeasurableEntry(organization=org, measurable=m, week=week_start(today) - timedelta(weeks=w),
                            value=Decimal(str(round(typical + rng.uniform(-spread, spread), 1))))
            for w in range(1, WEEKS + 1)
        )  # fmt: skip

    for i, (title, what, why) in enumerate(solved):
        if len(meetings) < 2:
            break
        raised_in, solved_in = meetings[i % 2], meetings[min(len(meetings) - 1, i % 2 + 1 + i)]
        raiser = people[i % len(people)] if people else None
        issue = Issue.objects.create(
            organization=org, team=team, raised_by=raiser, title=title, priority=1 + i % 3,
            status=IssueStatus.SOLVED, raised_at=raised_in.started_at + timedelta(minutes=50),
            solved_at=solved_in.started_at + timedelta(minutes=60), solved_in=solved_in,
        )  # fmt: skip
        Decision.objects.create(organization=org, team=team, issue=issue, meeting=solved_in, what=what, why=why,
                                decided_by=team.lead, decided_at=issue.solved_at)  # fmt: skip
        for k, todo in enumerate(TODOS[: 2 + i % 2]):
            due = solved_in.held_on + timedelta(days=7)
            done_at = None
            if k == 0:
                done_at = _at(due - timedelta(days=2), 16)
            elif k == 1 and due < today:
                done_at = _at(due + timedelta(days=3), 11)  # late
            Todo.objects.create(
                organization=org, team=team, owner=people[(i + k) % len(people)] if people else None, title=todo,
                due_on=due, done=done_at is not None, done_at=done_at, issue=issue, meeting=solved_in,
                created_at=issue.solved_at,
            )  # fmt: skip
    if meetings:
        Issue.objects.create(organization=org, team=team, raised_by=people[0] if people else None,
                             title=f"{team.name}: agenda runs over in the issues section", priority=3,
                             raised_at=meetings[-1].started_at + timedelta(minutes=70))  # fmt: skip


def seed_northwind() -> None:
    org = Organization.objects.filter(slug="northwind").first()
    if org is None:
        return
    with org_scope(org), transaction.atomic():
        teams = {t.name: t for t in Team.objects.select_related("lead")}
        if not set(TEAMS) | {"Growth Engineering"} <= teams.keys():
            return  # not the demo tree
        seeded = set(MeetingSeries.objects.values_list("team__name", flat=True))
        rng = random.Random(19)
        for name, (weekday, measurables, solved) in TEAMS.items():
            if name not in seeded:
                _seed_team(org, teams[name], weekday, measurables, solved, rng)
        if "Platform" not in seeded:
            now = timezone.now()
            platform, support = teams["Platform"], teams["Support"]
            Issue.objects.create(
                organization=org, team=platform, raised_to=teams["Leadership Team"], raised_by=platform.lead,
                title="Two more engineers for the API launch, or move the date", priority=1,
                raised_at=now - timedelta(days=19),
            )  # fmt: skip
            Issue.objects.create(
                organization=org, team=support, raised_to=teams["Growth Engineering"], raised_by=support.lead,
                title="Error messages in the signup flow confuse customers", priority=2, status=IssueStatus.SOLVED,
                raised_at=now - timedelta(days=24), solved_at=now - timedelta(days=15),
            )  # fmt: skip


def seed() -> None:
    seed_northwind()
