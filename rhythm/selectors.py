"""Reads of the weekly rhythm: a team's rhythm page, the live meeting, the recap, rhythm health.

Set-based: each structure is one query; decision velocity is computed by the pure formulas of
rhythm/velocity.py from the rows loaded here.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from peakos.models import Organization, Person, Team, TeamKind
from peakos.selectors import subtree_ids, team_tree
from rhythm import velocity as formulas
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
    week_start,
)

SCORECARD_WEEKS = 6
HEALTH_WEEKS = 13  # a quarter


def teams_with_series(team_ids: set[int] | None) -> list[dict]:
    """The teams a member sees (``None``: every team), each with its series and its last meeting."""
    teams = Team.objects.filter(archived=False).order_by("name")
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    teams = list(teams)
    series = {s.team_id: s for s in MeetingSeries.objects.filter(team__in=teams)}
    last: dict[int, Meeting] = {}
    for m in Meeting.objects.filter(team__in=teams, started_at__isnull=False).order_by("team_id", "-started_at"):
        last.setdefault(m.team_id, m)
    return [{"team": t, "series": series.get(t.pk), "last_meeting": last.get(t.pk)} for t in teams]


@dataclass
class ScorecardRow:
    measurable: Measurable
    cells: list[dict] = field(default_factory=list)  # per week: {"week", "value", "on_track"}
    trend: str = ""  # "up", "down", "flat" or "" (fewer than two values)
    on_track_share: float | None = None


def scorecard(team: Team, *, weeks: int = SCORECARD_WEEKS, today: date | None = None) -> dict:
    """The team's measurables × the last ``weeks`` weeks, red/green against the goal, with a trend
    (the latest value against the one before it)."""
    today = today or timezone.localdate()
    last = week_start(today)
    week_list = [last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    measurables = list(Measurable.objects.filter(team=team, archived=False).select_related("owner", "metric"))
    values: dict[tuple[int, date], object] = {
        (e.measurable_id, e.week): e.value
        for e in MeasurableEntry.objects.filter(measurable__in=measurables, week__gte=week_list[0])
    }
    rows = []
    for m in measurables:
        row = ScorecardRow(measurable=m)
        seen = []
        for w in week_list:
            value = values.get((m.pk, w))
            on_track = None if value is None else m.on_track(value)
            row.cells.append({"week": w, "value": value, "on_track": on_track})
            if value is not None:
                seen.append((value, on_track))
        if len(seen) >= 2:
            a, b = seen[-2][0], seen[-1][0]
            row.trend = "up" if b > a else "down" if b < a else "flat"
        if seen:
            row.on_track_share = sum(1 for _, ok in seen if ok) / len(seen)
        rows.append(row)
    return {"weeks": week_list, "rows": rows}


def team_issues(team: Team) -> dict:
    """Open issues the team works on (its own and those raised to it; parked ones apart), and those
    it raised elsewhere."""
    base = Issue.objects.select_related("team", "raised_to", "raised_by")
    here = list(base.filter(status=IssueStatus.OPEN).filter(Q(raised_to=team) | Q(team=team, raised_to__isnull=True)))
    raised_elsewhere = list(base.filter(team=team, raised_to__isnull=False).order_by("-raised_at")[:20])
    return {
        "open": [i for i in here if i.archived_at is None],
        "parked": [i for i in here if i.archived_at is not None],
        "raised_elsewhere": raised_elsewhere,
    }


def team_page(team: Team) -> dict:
    """Everything the team's rhythm page shows, in a fixed number of queries."""
    series = MeetingSeries.objects.filter(team=team).first()
    meetings = list(Meeting.objects.filter(team=team, started_at__isnull=False).order_by("-started_at")[:8])
    ratings = _ratings_by_meeting([m.pk for m in meetings])
    for m in meetings:
        rs = ratings.get(m.pk, [])
        m.rating_mean = sum(rs) / len(rs) if rs else None
        m.rating_count = len(rs)
    recent = timezone.now() - timedelta(days=14)
    todos = list(Todo.objects.filter(team=team).filter(Q(done=False) | Q(done_at__gte=recent)).select_related("owner"))
    decisions = list(
        Decision.objects.filter(team=team).select_related("decided_by", "issue__team").order_by("-decided_at")[:20]
    )
    return {
        "series": series,
        "live": next((m for m in meetings if m.is_live), None),
        "meetings": meetings,
        "scorecard": scorecard(team),
        **team_issues(team),
        "todos": todos,
        "decisions": decisions,
        "velocity": team_velocity([team.pk])[team.pk],
        "archived_measurables": list(
            Measurable.objects.filter(team=team, archived=True).select_related("owner").order_by("name")
        ),
    }


def _ratings_by_meeting(meeting_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    rows = Attendee.objects.filter(meeting_id__in=meeting_ids, rating__isnull=False).values_list("meeting_id", "rating")
    for meeting_id, rating in rows:
        out[meeting_id].append(rating)
    return out


def people_choices() -> list[tuple[int, str]]:
    return list(Person.objects.filter(active=True).order_by("name").values_list("pk", "name"))


def team_choices() -> list[tuple[int, str]]:
    return list(Team.objects.filter(archived=False).order_by("name").values_list("pk", "name"))


def meeting_state(meeting: Meeting) -> dict:
    """What the live meeting page shows: the agenda and where it is, the scorecard, the to-dos to
    review, the issues to solve, what was decided in it, and who rated it what."""
    team = meeting.team
    agenda = []
    seconds = list(meeting.section_seconds or [])
    for i, section in enumerate(meeting.agenda):
        spent = seconds[i] if i < len(seconds) else 0
        agenda.append({**section, "index": i, "spent": spent, "current": i == meeting.section_index})
    since = meeting.started_at - timedelta(days=7) if meeting.started_at else timezone.now()
    todos = list(
        Todo.objects.filter(team=team)
        .filter(Q(done=False) | Q(done_at__gte=since) | Q(meeting=meeting))
        .select_related("owner")
    )
    decisions = list(Decision.objects.filter(meeting=meeting).select_related("decided_by", "issue"))
    attendees = list(Attendee.objects.filter(meeting=meeting).select_related("person"))
    rated = [a.rating for a in attendees if a.rating is not None]
    return {
        "meeting": meeting,
        "agenda": agenda,
        "section": meeting.current_section,
        "scorecard": scorecard(team, weeks=4),
        "todos": todos,
        "issues": team_issues(team)["open"],
        "decisions": decisions,
        "attendees": attendees,
        "rating_mean": sum(rated) / len(rated) if rated else None,
    }


def meeting_recap(meeting: Meeting) -> dict:
    """The recap e-mail's content: decisions, the to-dos made in the meeting, the ratings."""
    decisions = list(Decision.objects.filter(meeting=meeting).select_related("decided_by", "issue"))
    todos = list(Todo.objects.filter(meeting=meeting).select_related("owner"))
    attendees = list(Attendee.objects.filter(meeting=meeting).select_related("person"))
    rated = [a.rating for a in attendees if a.rating is not None]
    minutes = round(((meeting.ended_at or timezone.now()) - meeting.started_at).total_seconds() / 60)
    return {
        "meeting": meeting,
        "decisions": decisions,
        "todos": todos,
        "attendees": attendees,
        "rating_mean": sum(rated) / len(rated) if rated else None,
        "minutes": minutes,
        "open_issues": Issue.objects.filter(
            Q(raised_to=meeting.team) | Q(team=meeting.team, raised_to__isnull=True),
            status=IssueStatus.OPEN,
            archived_at__isnull=True,
        ).count(),
    }


# --- Decision velocity and rhythm health ---------------------------------------------------------


def _velocity_inputs(team_ids: set[int], since: datetime) -> tuple[list, dict, list]:
    """Issues worked on by ``team_ids`` raised since ``since`` (dropped ones left out), those
    teams' meetings, and their to-dos, as the plain records of rhythm/velocity.py."""
    issues_qs = (
        Issue.objects.filter(raised_at__gte=since)
        .exclude(status=IssueStatus.DROPPED)
        .filter(Q(raised_to_id__in=team_ids) | Q(team_id__in=team_ids, raised_to__isnull=True))
        .values_list("raised_at", "solved_at", "team_id", "raised_to_id")
    )
    issues = [
        (raised_to or team, formulas.IssueTimes(raised, solved, raised_to or team, cross_team=raised_to is not None))
        for raised, solved, team, raised_to in issues_qs
    ]
    meeting_rows = list(
        Meeting.objects.filter(team_id__in=team_ids, started_at__gte=since)
        .order_by("started_at")
        .values_list("pk", "team_id", "started_at", "ended_at")
    )
    ratings = _ratings_by_meeting([pk for pk, *_ in meeting_rows])
    meetings: dict[int, list] = defaultdict(list)
    for pk, team, started, ended in meeting_rows:
        meetings[team].append((started, formulas.MeetingTimes(started, ended, tuple(ratings.get(pk, ())))))
    tz = timezone.get_current_timezone()
    todos = [
        (team, formulas.TodoTimes(due, done_at.astimezone(tz).date() if done_at else None))
        for team, due, done_at in Todo.objects.filter(team_id__in=team_ids, created_at__gte=since).values_list(
            "team_id", "due_on", "done_at"
        )
    ]
    return issues, meetings, todos


def _pooled(team_ids: set[int], issues, meetings, todos, as_of: datetime) -> formulas.Velocity:
    scoped_meetings = {t: [m for _, m in meetings.get(t, [])] for t in team_ids}
    ordered = sorted((pair for t in team_ids for pair in meetings.get(t, [])), key=lambda p: p[0])
    return formulas.velocity(
        issues=[i for team, i in issues if team in team_ids],
        meetings=scoped_meetings,
        todos=[t for team, t in todos if team in team_ids],
        as_of=as_of,
        rated_meetings=[m for _, m in ordered],
    )


def team_velocity(team_ids: list[int], *, weeks: int = HEALTH_WEEKS) -> dict[int, formulas.Velocity]:
    """Each team's own decision velocity over the last ``weeks`` weeks."""
    now = timezone.now()
    issues, meetings, todos = _velocity_inputs(set(team_ids), now - timedelta(weeks=weeks))
    return {t: _pooled({t}, issues, meetings, todos, now) for t in team_ids}


@dataclass
class HealthRow:
    team: Team
    depth: int
    velocity: formulas.Velocity
    has_series: bool
    measurables: int
    coverage: float | None  # share of (measurable, week) cells filled over the last 4 weeks
    teams: int = 1  # teams pooled (a department's subtree)


def rhythm_health(organization: Organization, *, weeks: int = HEALTH_WEEKS) -> dict:
    """Leaders' view: per team and per department (its subtree pooled), meetings held, ratings,
    scorecard coverage and decision velocity, over the last ``weeks`` weeks."""
    now = timezone.now()
    tree = team_tree(organization, include_archived=False)
    all_ids = set(tree.teams)
    issues, meetings, todos = _velocity_inputs(all_ids, now - timedelta(weeks=weeks))
    with_series = set(MeetingSeries.objects.values_list("team_id", flat=True))
    coverage_weeks = [week_start(timezone.localdate()) - timedelta(weeks=n) for n in range(1, 5)]
    # A measurable's cells are the coverage weeks it was on the scorecard: every one while it is
    # active, the weeks before the one it was archived in after that (archiving keeps its history).
    measurables: dict[int, int] = defaultdict(int)  # team -> measurables on the scorecard now
    cells_of: dict[int, int] = defaultdict(int)  # team -> (measurable, week) cells
    live_weeks: dict[int, set] = {}
    first_week = timezone.make_aware(datetime.combine(min(coverage_weeks), time.min))
    for pk, team_id, archived, archived_at in Measurable.objects.filter(
        Q(archived=False) | Q(archived_at__gte=first_week)
    ).values_list("pk", "team_id", "archived", "archived_at"):
        until = week_start(timezone.localtime(archived_at).date()) if archived and archived_at else None
        weeks_on = {w for w in coverage_weeks if until is None or w < until}
        live_weeks[pk] = weeks_on
        measurables[team_id] += 0 if archived else 1
        cells_of[team_id] += len(weeks_on)
    filled: dict[int, int] = defaultdict(int)
    for pk, team_id, week in MeasurableEntry.objects.filter(
        measurable_id__in=live_weeks, week__in=coverage_weeks
    ).values_list("measurable_id", "measurable__team_id", "week"):
        filled[team_id] += week in live_weeks[pk]

    def row(team: Team, depth: int, ids: set[int]) -> HealthRow:
        n_measurables = sum(measurables.get(t, 0) for t in ids)
        cells = sum(cells_of.get(t, 0) for t in ids)
        return HealthRow(
            team=team, depth=depth, velocity=_pooled(ids, issues, meetings, todos, now),
            has_series=bool(ids & with_series), measurables=n_measurables,
            coverage=sum(filled.get(t, 0) for t in ids) / cells if cells else None, teams=len(ids),
        )  # fmt: skip

    teams = [row(team, depth, {team.pk}) for team, depth in tree.walk()]
    departments = [
        row(team, depth, subtree_ids(tree, team.pk)) for team, depth in tree.walk() if team.kind == TeamKind.DEPARTMENT
    ]
    return {
        "teams": teams,
        "departments": departments,
        "tables": [("Departments (their teams pooled)", departments), ("Teams", teams)],
        "weeks": weeks,
        "organization": _pooled(all_ids, issues, meetings, todos, now),
    }


def series_of(team: Team) -> MeetingSeries | None:
    return MeetingSeries.objects.filter(team=team).first()


def weeks_behind_metrics(
    metric_ids: list[int], *, weeks: int = HEALTH_WEEKS, period: str | None = None
) -> dict[int, list[dict]]:
    """The scorecard weeks behind business-review metrics (measurables linked to them), for the
    review page: ``{metric id: [{"measurable", "week", "value", "on_track"}, ...]}``, oldest first.

    ``period`` (the review's, ``2026-Q3`` or ``2026``): the weeks that start in it, so a Q3 review
    read in Q4 shows Q3's weeks; without it, the last ``weeks`` weeks."""
    entries = MeasurableEntry.objects.all()
    if period:
        quarters = formulas.quarters_of_period(period, None)
        entries = entries.filter(week__gte=quarters[0].start.date(), week__lt=quarters[-1].end.date())
    else:
        entries = entries.filter(week__gte=week_start(timezone.localdate()) - timedelta(weeks=weeks))
    measurables = {m.pk: m for m in Measurable.objects.filter(metric_id__in=metric_ids)}
    out: dict[int, list[dict]] = defaultdict(list)
    entries = entries.filter(measurable_id__in=measurables).order_by("week")
    for e in entries:
        m = measurables[e.measurable_id]
        out[m.metric_id].append(
            {"measurable": m.name, "week": e.week, "value": e.value, "on_track": m.on_track(e.value)}
        )
    return dict(out)


# --- Decision velocity by quarter ----------------------------------------------------------------


def pooled_team_ids(tree, team_id: int) -> set[int]:
    """The teams whose rhythm makes a team's figures beside its survey scores: a leadership team is
    its own members (as its survey scope), a department or team its whole subtree."""
    if tree.teams[team_id].kind == TeamKind.LEADERSHIP:
        return {team_id}
    return subtree_ids(tree, team_id)


def quarterly_velocity(
    organization: Organization,
    groups: dict,
    *,
    quarters: list[formulas.Quarter] | None = None,
    count: int = 4,
    as_of: datetime | None = None,
) -> dict:
    """Decision velocity per quarter of each group of teams pooled (``{key: set of team ids}``):
    ``{key: [QuarterVelocity, ...]}`` in ``quarters``' order (default: the last ``count`` quarters,
    this one last, in the organization's time zone). Three queries whatever the number of groups.

    Figures about teams only: issues, to-dos and meetings of the teams in the group, never a person.
    """
    tz = zoneinfo.ZoneInfo(organization.timezone or "UTC")
    as_of = (as_of or timezone.now()).astimezone(tz)
    quarters = quarters or formulas.last_quarters(as_of, count)
    team_ids = set().union(*groups.values()) if groups else set()
    if not team_ids:
        return {key: formulas.by_quarter(issues=[], meetings=[], todos=[], quarters=quarters, as_of=as_of)
                for key in groups}  # fmt: skip
    first, last = quarters[0].start, quarters[-1].end
    issues = [
        (raised_to or team, formulas.IssueTimes(raised, solved, raised_to or team, cross_team=raised_to is not None))
        for raised, solved, team, raised_to in Issue.objects.filter(raised_at__lt=last)
        .filter(Q(solved_at__isnull=True) | Q(solved_at__gte=first))
        .exclude(status=IssueStatus.DROPPED)
        .filter(Q(raised_to_id__in=team_ids) | Q(team_id__in=team_ids, raised_to__isnull=True))
        .values_list("raised_at", "solved_at", "team_id", "raised_to_id")
    ]
    # One row per attendee's rating (a LEFT JOIN: a meeting nobody rated still comes once, with None).
    held: dict[int, tuple] = {}
    ratings: dict[int, list[int]] = defaultdict(list)
    for pk, team, started, ended, rating in Meeting.objects.filter(
        team_id__in=team_ids, started_at__gte=first, started_at__lt=last
    ).values_list("pk", "team_id", "started_at", "ended_at", "attendees__rating"):
        held[pk] = (team, started, ended)
        if rating is not None:
            ratings[pk].append(rating)
    meetings = [
        (team, formulas.MeetingTimes(started, ended, tuple(ratings[pk]))) for pk, (team, started, ended) in held.items()
    ]

    def local_date(moment: datetime) -> date:
        return moment.astimezone(tz).date()

    todos = [
        (team, formulas.TodoTimes(due, local_date(done_at) if done_at else None))
        for team, due, done_at in Todo.objects.filter(
            team_id__in=team_ids, due_on__gte=local_date(first), due_on__lt=local_date(last)
        ).values_list("team_id", "due_on", "done_at")
    ]
    return {
        key: formulas.by_quarter(
            issues=[i for team, i in issues if team in ids],
            meetings=[m for team, m in meetings if team in ids],
            todos=[t for team, t in todos if team in ids],
            quarters=quarters,
            as_of=as_of,
            local_date=local_date,
        )
        for key, ids in groups.items()
    }
