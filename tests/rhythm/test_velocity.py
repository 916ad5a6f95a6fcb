"""Decision velocity reproduced from known timestamps: the worked example of docs/scoring.md
("Weekly rhythm: decision velocity"), figure by figure."""

from datetime import date, datetime, timedelta

import pytest

from rhythm.velocity import IssueTimes, MeetingTimes, TodoTimes, least_squares_slope, meetings_during, velocity

T = "team"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute)


AS_OF = at(30, 12)
MEETINGS = [
    MeetingTimes(at(d, 9), at(d, 10, 30), ratings)
    for d, ratings in ((2, (7, 8, 9)), (9, (6, 8)), (16, (8, 8, 9, 7)), (23, (9, 9)), (30, (8, 9, 10)))
]
ISSUES = {
    "A": IssueTimes(at(2, 9, 20), at(2, 10, 10), T),
    "B": IssueTimes(at(3, 14), at(16, 9, 40), T),
    "C": IssueTimes(at(4, 10), at(23, 10), T),
    "D": IssueTimes(at(20, 8), None, T),
    "E": IssueTimes(at(27, 16), None, T),
    "F": IssueTimes(at(5, 12), at(9, 10), T, cross_team=True),
    "G": IssueTimes(at(10, 9), None, T, cross_team=True),
}
TODOS = [
    TodoTimes(date(2026, 11, 9), date(2026, 11, 8)),
    TodoTimes(date(2026, 11, 16), date(2026, 11, 16)),
    TodoTimes(date(2026, 11, 23), date(2026, 11, 25)),
    TodoTimes(date(2026, 11, 23), None),
    TodoTimes(date(2026, 12, 7), None),
]


@pytest.fixture
def figures():
    return velocity(issues=ISSUES.values(), meetings={T: MEETINGS}, todos=TODOS, as_of=AS_OF)


def test_meetings_counted_while_each_issue_was_open():
    counts = {k: meetings_during(i, MEETINGS, AS_OF) for k, i in ISSUES.items()}
    assert counts == {"A": 1, "B": 2, "C": 3, "D": 2, "E": 1, "F": 1, "G": 3}


def test_median_days_from_issue_raised_to_decision(figures):
    # Solved: A 50 min, F 3 d 22 h, B 12 d 19 h 40 min, C 19 d; median of four = mean of the middle two.
    assert figures.issues_raised == 7 and figures.issues_solved == 4
    assert figures.median_days_to_decision == pytest.approx((3 + 22 / 24 + 12 + 19 / 24 + 40 / 1440) / 2)
    assert round(figures.median_days_to_decision, 2) == 8.37


def test_share_solved_within_two_meetings_leaves_out_issues_too_young_to_tell(figures):
    # E has seen one meeting and is still open: not decidable yet. Fast: A, B, F of A B C D F G.
    assert figures.decidable == 6 and figures.solved_within_two == 3
    assert figures.solved_within_two_share == 0.5


def test_todo_completion_counts_only_todos_due_and_done_on_time(figures):
    assert (figures.todos_due, figures.todos_done_on_time, figures.todo_completion_rate) == (4, 2, 0.5)


def test_meeting_rating_trend(figures):
    assert figures.meetings_held == 5
    assert figures.meeting_ratings == [8, 7, 8, 9, 9]
    assert figures.rating_mean == pytest.approx(8.2)
    assert figures.rating_trend == pytest.approx(0.4)


def test_cross_team_time_to_answer_and_the_longest_wait(figures):
    assert (figures.cross_team_raised, figures.cross_team_solved, figures.cross_team_open) == (2, 1, 1)
    assert figures.cross_team_median_days == pytest.approx(3 + 22 / 24)
    assert figures.cross_team_oldest_open_days == pytest.approx(20 + 3 / 24)


def test_a_department_pools_its_teams_issues_not_their_medians():
    other = [IssueTimes(at(1, 9), at(1, 9) + timedelta(days=d), "other") for d in (1, 2)]
    pooled = velocity(issues=[*ISSUES.values(), *other], meetings={T: MEETINGS, "other": []}, todos=[], as_of=AS_OF)
    # Solved days: 0.03, 1, 2, 3.92, 12.82, 19: median (2 + 3.92) / 2 - not the median of 8.37 and 1.5.
    assert pooled.median_days_to_decision == pytest.approx((2 + 3 + 22 / 24) / 2)


def test_nothing_to_measure_gives_no_figures():
    empty = velocity(issues=[], meetings={}, todos=[], as_of=AS_OF)
    assert empty.median_days_to_decision is None and empty.solved_within_two_share is None
    assert empty.todo_completion_rate is None and empty.rating_trend is None
    assert least_squares_slope([7]) is None
