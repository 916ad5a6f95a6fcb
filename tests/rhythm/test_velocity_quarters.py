"""Decision velocity by quarter, reproduced from known timestamps: the worked example of
docs/scoring.md ("Decision velocity by quarter"), by the pure formula and through the selector
from rows in the database (per team, pooled, and never another organization's)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scope

from rhythm import selectors
from rhythm.models import Attendee, Issue, IssueStatus, Meeting, MeetingSeries, Todo
from rhythm.velocity import (
    IssueTimes,
    MeetingTimes,
    TodoTimes,
    by_quarter,
    last_quarters,
    quarter,
    quarters_of_period,
)


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


AS_OF = at(11, 30, 12)
Q3, Q4 = quarter("2026-Q3", UTC), quarter("2026-Q4", UTC)
ISSUES = {  # (raised, solved)
    "A": (at(9, 1), at(9, 3)),  # 2 days, decided in Q3
    "B": (at(9, 10), at(9, 20)),  # 10 days, Q3
    "C": (at(9, 25), at(10, 9)),  # 14 days, decided in Q4 (waiting at the end of Q3)
    "D": (at(10, 5), at(10, 6)),  # 1 day, Q4
    "E": (at(11, 2), None),  # still waiting
}
TODOS = [  # (due, done)
    (date(2026, 9, 7), date(2026, 9, 6)),
    (date(2026, 9, 14), None),
    (date(2026, 9, 28), date(2026, 9, 28)),
    (date(2026, 10, 12), date(2026, 10, 13)),  # late
    (date(2026, 11, 23), date(2026, 11, 20)),
    (date(2026, 11, 30), None),  # due today: not counted yet
]
MEETINGS = [  # (day, ratings)
    ((9, 7), (6, 8)),
    ((9, 14), (8, 8)),
    ((9, 21), (9, 9, 9)),
    ((10, 5), (8, 9)),
    ((10, 12), (7, 8)),
    ((10, 19), ()),
    ((10, 26), (7,)),
]


def pure_figures():
    return by_quarter(
        issues=[IssueTimes(r, s, "t") for r, s in ISSUES.values()],
        meetings=[MeetingTimes(at(m, d), at(m, d, 10), ratings) for (m, d), ratings in MEETINGS],
        todos=[TodoTimes(due, done) for due, done in TODOS],
        quarters=[Q3, Q4],
        as_of=AS_OF,
    )


def assert_worked_example(q3, q4):
    assert (q3.quarter, q3.complete, q4.quarter, q4.complete) == ("2026-Q3", True, "2026-Q4", False)
    # Decided in Q3: A 2 and B 10 days; in Q4: C 14 (raised in Q3) and D 1.
    assert (q3.decisions, q3.median_days_to_decision) == (2, 6)
    assert (q4.decisions, q4.median_days_to_decision) == (2, 7.5)
    # C waited from 25 Sep 09:00 to the end of Q3; E has waited since 2 Nov 09:00.
    assert (q3.waiting_at_end, q3.oldest_wait_days) == (1, pytest.approx(5 + 15 / 24))
    assert (q4.waiting_at_end, q4.oldest_wait_days) == (1, pytest.approx(28 + 3 / 24))
    assert (q3.todos_due, q3.todos_done_on_time, q3.todo_completion_rate) == (3, 2, pytest.approx(2 / 3))
    assert (q4.todos_due, q4.todos_done_on_time, q4.todo_completion_rate) == (2, 1, 0.5)
    # Meeting means: Q3 7, 8, 9; Q4 8.5, 7.5, (unrated), 7.
    assert (q3.meetings_held, q3.rating_mean, q3.rating_trend) == (3, 8, 1)
    assert (q4.meetings_held, q4.rating_mean) == (4, pytest.approx(23 / 3))
    assert q4.rating_trend == pytest.approx(-0.75)


def test_the_worked_example_by_quarter():
    assert_worked_example(*pure_figures())


def test_quarters_of_review_periods_and_of_today():
    berlin = ZoneInfo("Europe/Berlin")
    q = quarter("2026-Q4", berlin)
    assert (q.start, q.end) == (datetime(2026, 10, 1, tzinfo=berlin), datetime(2027, 1, 1, tzinfo=berlin))
    assert [q.label for q in quarters_of_period("2026", UTC)] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert [q.label for q in last_quarters(datetime(2026, 2, 3, tzinfo=UTC), 3)] == ["2025-Q3", "2025-Q4", "2026-Q1"]
    for bad in ("2026-Q5", "2026Q4", "26-Q1", "2026-q1"):
        with pytest.raises(ValueError):
            quarter(bad, UTC)


def test_an_empty_quarter_has_no_figures():
    (q,) = by_quarter(issues=[], meetings=[], todos=[], quarters=[Q3], as_of=AS_OF)
    assert q.decisions == 0 and q.median_days_to_decision is None and q.todo_completion_rate is None
    assert q.rating_mean is None and q.rating_trend is None and q.oldest_wait_days is None


def _store(tenant, team):
    """The worked example's rows for ``team`` of ``tenant``."""
    org = tenant.org
    for title, (raised, solved) in ISSUES.items():
        Issue.objects.create(
            organization=org, team=team, title=f"{team.name} {title}", raised_at=raised, solved_at=solved,
            status=IssueStatus.SOLVED if solved else IssueStatus.OPEN,
        )  # fmt: skip
    # A dropped issue is no decision and no wait: left out.
    Issue.objects.create(organization=org, team=team, title="Dropped", raised_at=at(9, 2), solved_at=at(9, 30),
                         status=IssueStatus.DROPPED)  # fmt: skip
    series = MeetingSeries.objects.create(organization=org, team=team, name=f"{team.name} weekly")
    for (month, day), ratings in MEETINGS:
        meeting = Meeting.objects.create(organization=org, series=series, team=team, held_on=date(2026, month, day),
                                         started_at=at(month, day), ended_at=at(month, day, 10))  # fmt: skip
        for i, rating in enumerate(ratings):
            Attendee.objects.create(organization=org, meeting=meeting, person=tenant.people[i], rating=rating)
    for due, done in TODOS:
        Todo.objects.create(
            organization=org, team=team, title=f"Due {due}", due_on=due, done=done is not None,
            done_at=datetime.combine(done, datetime.min.time(), tzinfo=UTC) + timedelta(hours=15) if done else None,
        )  # fmt: skip


@pytest.mark.django_db
def test_the_selector_reproduces_the_example_per_team_and_pooled(tenant_a, tenant_b):
    _store(tenant_a, tenant_a.team)
    _store(tenant_b, tenant_b.team)  # the same rows in another organization: never counted
    other = tenant_a.other_team
    Issue.objects.create(organization=tenant_a.org, team=other, title="Other's", raised_at=at(10, 1),
                         solved_at=at(10, 21), status=IssueStatus.SOLVED)  # fmt: skip
    with scope(organization=tenant_a.org):
        found = selectors.quarterly_velocity(
            tenant_a.org,
            {"team": {tenant_a.team.pk}, "both": {tenant_a.team.pk, other.pk}, "theirs": {tenant_b.team.pk}},
            quarters=[Q3, Q4],
            as_of=AS_OF,
        )
    assert_worked_example(*found["team"])
    # Pooled: Q4's decisions are 1, 14 and 20 days: the median of all three, not of the medians.
    assert (found["both"][1].decisions, found["both"][1].median_days_to_decision) == (3, 14)
    assert all(q.decisions == 0 and q.meetings_held == 0 and q.todos_due == 0 for q in found["theirs"])


@pytest.mark.django_db
def test_an_issue_raised_to_another_team_counts_for_the_team_that_decides(tenant_a):
    Issue.objects.create(organization=tenant_a.org, team=tenant_a.team, raised_to=tenant_a.leadership,
                         title="Budget", raised_at=at(10, 1), solved_at=at(10, 5), status=IssueStatus.SOLVED)  # fmt: skip
    with scope(organization=tenant_a.org):
        found = selectors.quarterly_velocity(
            tenant_a.org, {"raised": {tenant_a.team.pk}, "asked": {tenant_a.leadership.pk}}, quarters=[Q4], as_of=AS_OF
        )
    assert found["raised"][0].decisions == 0
    assert (found["asked"][0].decisions, found["asked"][0].median_days_to_decision) == (1, 4)
