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
