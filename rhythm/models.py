"""The weekly operating rhythm: meeting series and meetings, the scorecard, issues, decisions, to-dos.

Each team (the leadership team too) meets on a fixed agenda (``DEFAULT_AGENDA``): it reviews its
scorecard of weekly measurables, works its issues list into recorded decisions and to-dos, and
rates the meeting. ``rhythm/velocity.py`` turns the timestamps into decision velocity.

Every model is tenant-owned: ``organization`` is denormalised onto every row and
``objects = OrgScopedManager()`` refuses unscoped queries. Composite same-organization foreign
keys back this in PostgreSQL (migration 0002).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from peakos.models import Organization, Person, Team
from peakos.tenancy import OrgScopedManager

# The agenda of a weekly team meeting (EOS's "Level 10" order), minutes per section.
# ``kind`` tells the live page what a section shows (the scorecard, the to-dos, the issues list).
DEFAULT_AGENDA: list[dict] = [
    {"kind": "checkin", "title": "Check-in", "minutes": 5},
    {"kind": "scorecard", "title": "Scorecard", "minutes": 5},
    {"kind": "priorities", "title": "Priorities on / off track", "minutes": 5},
    {"kind": "headlines", "title": "Headlines", "minutes": 5},
    {"kind": "todos", "title": "To-do review", "minutes": 5},
    {"kind": "issues", "title": "Issues: identify, discuss, solve", "minutes": 60},
    {"kind": "conclude", "title": "Conclude and rate", "minutes": 5},
]
SECTION_KINDS = ("checkin", "scorecard", "priorities", "headlines", "todos", "issues", "conclude", "other")
TODO_DAYS = 7


def default_agenda() -> list[dict]:
    return [dict(section) for section in DEFAULT_AGENDA]


def week_start(day: date) -> date:
    """The Monday of ``day``'s week: scorecard entries are per ISO week."""
    return day - timedelta(days=day.weekday())


def default_due_on() -> date:
    return timezone.localdate() + timedelta(days=TODO_DAYS)


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    BIWEEKLY = "biweekly", "Every two weeks"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class MeetingSeries(models.Model):
    """A team's recurring meeting: when it meets and its agenda (sections with minutes). One per team."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="meeting_series")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="meeting_series")
    name = models.CharField(max_length=200)
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.WEEKLY)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    start_time = models.TimeField(default="09:00")
    agenda = models.JSONField(default=default_agenda, help_text="Sections in order: kind, title, minutes.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["team__name"]
        verbose_name_plural = "meeting series"
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="meetingseries_org_id_unique"),
            models.UniqueConstraint(fields=["team"], name="meetingseries_one_per_team"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def total_minutes(self) -> int:
        return sum(int(s.get("minutes") or 0) for s in self.agenda or [])


class Meeting(models.Model):
    """One meeting of a series. The agenda is copied in when it starts, so editing the series later
    does not rewrite what past meetings did; ``section_seconds`` records the time spent per section."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="meetings")
    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="meetings")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="meetings")
    held_on = models.DateField()
    agenda = models.JSONField(default=default_agenda)
    section_index = models.PositiveSmallIntegerField(default=0)
    section_started_at = models.DateTimeField(null=True, blank=True)
    section_seconds = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True, help_text="Headlines and notes taken in the meeting.")
    recap_sent_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="meeting_org_id_unique"),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(started_at__isnull=False, ended_at__gte=F("started_at")),
                name="meeting_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["organization", "team", "started_at"])]

    def __str__(self) -> str:
        return f"{self.series} · {self.held_on:%d %b %Y}"

    @property
    def is_live(self) -> bool:
        return self.started_at is not None and self.ended_at is None

    @property
    def current_section(self) -> dict:
        sections = self.agenda or []
        return sections[min(self.section_index, len(sections) - 1)] if sections else {}


class Attendee(models.Model):
    """A person in a meeting, and their 1–10 rating of it. Ratings are said aloud in the meeting and
    shown with the rater's name (see docs/scoring.md, "Weekly rhythm"), so they are not anonymous."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="meeting_attendances")
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    rated_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["person__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendee_once_per_meeting"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=10), name="attendee_rating_1_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.meeting}"


class Direction(models.TextChoices):
    AT_LEAST = "gte", "≥ goal (higher is better)"
    AT_MOST = "lte", "≤ goal (lower is better)"


class Measurable(models.Model):
    """A weekly number on a team's scorecard, with an owner and a goal; optionally the weeks behind a
    metric of the team's quarterly review (``metric``)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="measurables")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="measurables")
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="measurables")
    name = models.CharField(max_length=200)
    goal = models.DecimalField(max_digits=14, decimal_places=2)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.AT_LEAST)
    unit = models.CharField(max_length=30, blank=True)
    metric = models.ForeignKey(
        "reviews.Metric", null=True, blank=True, on_delete=models.SET_NULL, related_name="measurables"
    )
    # Archived: off the scorecard (team and meeting pages), kept with its entries for history, the
    # review's weeks behind its metric and the scorecard coverage of the weeks before ``archived_at``.
    archived = models.BooleanField(default=False)
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="measurable_org_id_unique"),
            models.UniqueConstraint(fields=["team", "name"], name="measurable_unique_name_per_team"),
        ]

    def __str__(self) -> str:
        return self.name

    def on_track(self, value) -> bool:
        return value >= self.goal if self.direction == Direction.AT_LEAST else value <= self.goal


class MeasurableEntry(models.Model):
    """The value of a measurable for one week (``week`` is that week's Monday)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    measurable = models.ForeignKey(Measurable, on_delete=models.CASCADE, related_name="entries")
    week = models.DateField()
    value = models.DecimalField(max_digits=14, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["measurable", "week"]
        verbose_name_plural = "measurable entries"
        constraints = [
            models.UniqueConstraint(fields=["measurable", "week"], name="entry_one_per_week"),
        ]

    def __str__(self) -> str:
        return f"{self.measurable} {self.week}: {self.value}"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    SOLVED = "solved", "Solved"
    DROPPED = "dropped", "Dropped"


class IssuePriority(models.IntegerChoices):
    HIGH = 1, "High"
    MEDIUM = 2, "Medium"
    LOW = 3, "Low"


class Issue(models.Model):
    """Something a team needs to solve. ``raised_to`` sends it to another team or up to the
    leadership team (the team of teams path); then that team's meeting solves it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="rhythm_issues")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="raised_issues")
    raised_to = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="issues_raised_to"
    )
    raised_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=300)
    details = models.TextField(blank=True)
    priority = models.PositiveSmallIntegerField(choices=IssuePriority.choices, default=IssuePriority.MEDIUM)
    status = models.CharField(max_length=16, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    raised_at = models.DateTimeField(default=timezone.now)
    solved_at = models.DateTimeField(null=True, blank=True)
    solved_in = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="solved")
    # Archived (parked): off the meeting's issues list, still in history and in decision velocity:
    # parking an issue is not a decision, so an open one keeps counting as waiting (dropping it does not).
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["priority", "raised_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="issue_org_id_unique"),
            models.CheckConstraint(condition=~Q(raised_to=F("team")), name="issue_not_raised_to_own_team"),
            models.CheckConstraint(
                condition=Q(status="open", solved_at__isnull=True) | (~Q(status="open") & Q(solved_at__isnull=False)),
                name="issue_solved_at_matches_status",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "raised_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_team_id(self) -> int:
        """The team whose meeting works on it: the team it was raised to, else the raising team."""
        return self.raised_to_id or self.team_id


class Decision(models.Model):
    """What was decided, who decided it, why, and when: the decision log."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="decisions")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="decisions")
    issue = models.ForeignKey(Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    what = models.TextField()
    why = models.TextField(blank=True)
    decided_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "id"], name="decision_org_id_unique")]

    def __str__(self) -> str:
        return self.what[:80]


class Todo(models.Model):
    """A seven-day commitment with an owner, reviewed (done / not done) at the next meeting."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="todos")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="todos")
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="todos")
    title = models.CharField(max_length=300)
    due_on = models.DateField(default=default_due_on)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)
    issue = models.ForeignKey(Issue, null=True, blank=True, on_delete=models.SET_NULL, related_name="todos")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="todos")
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["done", "due_on", "id"]
        verbose_name = "to-do"
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="todo_org_id_unique"),
            models.CheckConstraint(condition=Q(done=False) | Q(done_at__isnull=False), name="todo_done_has_time"),
        ]

    def __str__(self) -> str:
        return self.title
