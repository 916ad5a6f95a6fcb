"""Decision velocity: pure formulas over the rhythm's timestamps (no Django).

The formulas, and a worked example that tests/rhythm/test_velocity.py reproduces, are in
docs/scoring.md ("Weekly rhythm: decision velocity"). ``rhythm.selectors`` loads the rows and
calls ``velocity``; nothing else computes these figures.

* days to decision: ``(solved_at − raised_at)`` in days, median over solved issues;
* solved within 2 meetings: an issue is *decidable* once it is solved or two meetings of the team
  working on it have met since it was raised; it counts as fast when it was solved after at most
  two such meetings; share = fast ÷ decidable;
* to-do completion: to-dos due before ``as_of``'s day, share done on or before their due day;
* meeting rating trend: the mean rating of each meeting, in order, and the least-squares slope
  of the last ``TREND_MEETINGS`` of them (rating points per meeting);
* cross-team time to answer: the same days-to-decision, over issues raised to another team,
  plus how many still wait and the longest wait so far.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

DAY_SECONDS = 86400.0
FAST_MEETINGS = 2
TREND_MEETINGS = 6


@dataclass(frozen=True)
class IssueTimes:
    """An issue: when it was raised, when it was solved (None: still open), which team works on it
    (the key of that team's meetings) and whether it was raised to another team."""

    raised_at: datetime
    solved_at: datetime | None
    team: Hashable
    cross_team: bool = False


@dataclass(frozen=True)
class MeetingTimes:
    """A meeting of one team: started, ended (None: still going), its attendees' ratings."""

    started_at: datetime
    ended_at: datetime | None = None
    ratings: tuple[int, ...] = ()


@dataclass(frozen=True)
class TodoTimes:
    due_on: date
    done_on: date | None


@dataclass
class Velocity:
    issues_raised: int = 0
    issues_solved: int = 0
    median_days_to_decision: float | None = None
    decidable: int = 0
    solved_within_two: int = 0
    solved_within_two_share: float | None = None
    todos_due: int = 0
    todos_done_on_time: int = 0
    todo_completion_rate: float | None = None
    meetings_held: int = 0
    meeting_ratings: list[float] = field(default_factory=list)
    rating_mean: float | None = None
    rating_trend: float | None = None
    cross_team_raised: int = 0
    cross_team_solved: int = 0
    cross_team_median_days: float | None = None
    cross_team_open: int = 0
    cross_team_oldest_open_days: float | None = None


def days_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / DAY_SECONDS


def meetings_during(issue: IssueTimes, meetings: Sequence[MeetingTimes], as_of: datetime) -> int:
    """Meetings of the issue's team that overlapped the time it was open ([raised, solved or as_of]).

    An issue identified during a meeting counts that meeting: the meeting's interval overlaps.
    """
    end = issue.solved_at or as_of
    count = 0
    for m in meetings:
        m_end = m.ended_at or as_of
        if m.started_at <= end and m_end >= issue.raised_at:
            count += 1
    return count


def least_squares_slope(values: Sequence[float]) -> float | None:
    """Slope of the best line through (0, v0), (1, v1), …: change per step. None below two points."""
    n = len(values)
    if n < 2:
        return None
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((i - mean_x) * (v - mean_y) for i, v in enumerate(values))
    den = sum((i - mean_x) ** 2 for i in range(n))
    return num / den


def velocity(
    *,
    issues: Iterable[IssueTimes],
    meetings: Mapping[Hashable, Sequence[MeetingTimes]],
    todos: Iterable[TodoTimes],
    as_of: datetime,
    rated_meetings: Sequence[MeetingTimes] | None = None,
) -> Velocity:
    """Every decision-velocity figure of one scope (a team, or a department's teams pooled).

    ``meetings``: each team's meetings, keyed like ``IssueTimes.team``; ``rated_meetings``: the
    meetings whose ratings make the trend, in time order (default: all of ``meetings`` by start).
    Pooling a department pools its issues and to-dos: medians are over all of them, not a median
    of the teams' medians.
    """
    out = Velocity()
    issues = list(issues)
    out.issues_raised = len(issues)
    solved_days = []
    cross_days = []
    for issue in issues:
        if issue.solved_at is not None:
            solved_days.append(days_between(issue.raised_at, issue.solved_at))
        seen = meetings_during(issue, meetings.get(issue.team, ()), as_of)
        if issue.solved_at is not None or seen >= FAST_MEETINGS:
            out.decidable += 1
            if issue.solved_at is not None and seen <= FAST_MEETINGS:
                out.solved_within_two += 1
        if issue.cross_team:
            out.cross_team_raised += 1
            if issue.solved_at is not None:
                cross_days.append(days_between(issue.raised_at, issue.solved_at))
            else:
                out.cross_team_open += 1
                wait = days_between(issue.raised_at, as_of)
                if out.cross_team_oldest_open_days is None or wait > out.cross_team_oldest_open_days:
                    out.cross_team_oldest_open_days = wait
    out.issues_solved = len(solved_days)
    out.median_days_to_decision = median(solved_days) if solved_days else None
    out.solved_within_two_share = out.solved_within_two / out.decidable if out.decidable else None
    out.cross_team_solved = len(cross_days)
    out.cross_team_median_days = median(cross_days) if cross_days else None

    today = as_of.date()
    for todo in todos:
        if todo.due_on < today:
            out.todos_due += 1
            if todo.done_on is not None and todo.done_on <= todo.due_on:
                out.todos_done_on_time += 1
    out.todo_completion_rate = out.todos_done_on_time / out.todos_due if out.todos_due else None

    if rated_meetings is None:
        rated_meetings = sorted((m for ms in meetings.values() for m in ms), key=lambda m: m.started_at)
    out.meetings_held = sum(1 for ms in meetings.values() for m in ms if m.ended_at is not None)
    out.meeting_ratings = [sum(m.ratings) / len(m.ratings) for m in rated_meetings if m.ratings]
    if out.meeting_ratings:
        out.rating_mean = sum(out.meeting_ratings) / len(out.meeting_ratings)
    out.rating_trend = least_squares_slope(out.meeting_ratings[-TREND_MEETINGS:])
    return out


# --- By quarter ----------------------------------------------------------------------------------
#
# A quarter's figures are those of the decisions made in it (an issue counts in the quarter it was
# solved in, however long ago it was raised), the to-dos due in it and the meetings started in it,
# so a closed quarter's figures do not change afterwards. Bucketing by the quarter an issue was
# *raised* in would make the latest quarter look fast (only its quick decisions have been made
# yet); what still waits is reported beside the median (``waiting_at_end``, ``oldest_wait_days``)
# so slow issues are never out of sight until they are decided.


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter, ``start`` inclusive and ``end`` exclusive (aware datetimes, the
    organization's midnight), labelled like review periods: ``2026-Q4``."""

    label: str
    start: datetime
    end: datetime


def quarter_label(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter(label: str, tzinfo) -> Quarter:
    """The quarter of a review period label (``2026-Q4``) in the given time zone."""
    if len(label) != 7 or label[4:6] != "-Q" or not label[:4].isdigit() or label[-1] not in "1234":
        raise ValueError(f"Not a quarter: {label!r} (write 2026-Q4).")
    year, q = int(label[:4]), int(label[-1])
    start = datetime(year, 3 * q - 2, 1, tzinfo=tzinfo)
    end = datetime(year + 1, 1, 1, tzinfo=tzinfo) if q == 4 else datetime(year, 3 * q + 1, 1, tzinfo=tzinfo)
    return Quarter(label, start, end)


def quarters_of_period(period: str, tzinfo) -> list[Quarter]:
    """A review period's quarters: ``2026-Q3`` is itself, ``2026`` its four quarters."""
    if len(period) == 4 and period.isdigit():
        return [quarter(f"{period}-Q{q}", tzinfo) for q in range(1, 5)]
    return [quarter(period, tzinfo)]


def last_quarters(as_of: datetime, count: int) -> list[Quarter]:
    """The ``count`` quarters up to and including ``as_of``'s (in ``as_of``'s time zone), oldest first."""
    year, q = as_of.year, (as_of.month - 1) // 3 + 1
    labels = []
    for _ in range(count):
        labels.append(f"{year}-Q{q}")
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return [quarter(label, as_of.tzinfo) for label in reversed(labels)]


@dataclass
class QuarterVelocity:
    quarter: str
    complete: bool  # the quarter has ended: its figures are final
    decisions: int = 0  # issues solved in the quarter
    median_days_to_decision: float | None = None
    waiting_at_end: int = 0  # raised before the quarter's end (or now), not solved by then
    oldest_wait_days: float | None = None
    todos_due: int = 0
    todos_done_on_time: int = 0
    todo_completion_rate: float | None = None
    meetings_held: int = 0
    rating_mean: float | None = None
    rating_trend: float | None = None  # slope over the quarter's rated meetings, points a meeting


def by_quarter(
    *,
    issues: Iterable[IssueTimes],
    meetings: Iterable[MeetingTimes],
    todos: Iterable[TodoTimes],
    quarters: Sequence[Quarter],
    as_of: datetime,
    local_date=None,
) -> list[QuarterVelocity]:
    """Decision velocity of one scope (a team, or teams pooled) per quarter, in ``quarters``' order.

    ``local_date`` turns a datetime into the organization's day (default: ``datetime.date``);
    a to-do counts in the quarter its due day falls in, once that day is over.
    """
    issues, meetings, todos = list(issues), sorted(meetings, key=lambda m: m.started_at), list(todos)
    local_date = local_date or (lambda moment: moment.date())
    today = local_date(as_of)
    out = []
    for q in quarters:
        row = QuarterVelocity(quarter=q.label, complete=q.end <= as_of)
        cutoff = min(q.end, as_of)
        days = [
            days_between(i.raised_at, i.solved_at) for i in issues if i.solved_at and q.start <= i.solved_at < q.end
        ]
        row.decisions = len(days)
        row.median_days_to_decision = median(days) if days else None
        waits = [
            days_between(i.raised_at, cutoff)
            for i in issues
            if i.raised_at < cutoff and (i.solved_at is None or i.solved_at >= cutoff)
        ]
        row.waiting_at_end = len(waits)
        row.oldest_wait_days = max(waits) if waits else None
        first_day, end_day = local_date(q.start), local_date(q.end)
        for todo in todos:
            if first_day <= todo.due_on < end_day and todo.due_on < today:
                row.todos_due += 1
                row.todos_done_on_time += todo.done_on is not None and todo.done_on <= todo.due_on
        row.todo_completion_rate = row.todos_done_on_time / row.todos_due if row.todos_due else None
        held = [m for m in meetings if q.start <= m.started_at < q.end]
        row.meetings_held = sum(1 for m in held if m.ended_at is not None)
        ratings = [sum(m.ratings) / len(m.ratings) for m in held if m.ratings]
        row.rating_mean = sum(ratings) / len(ratings) if ratings else None
        row.rating_trend = least_squares_slope(ratings)
        out.append(row)
    return out
