"""Review cycles, business reviews and their sections, submitted versions, and action plans.

The operating rhythm: an admin opens a quarterly (QBR) or annual (ABR) cycle
for a period and a set of teams; each team's lead fills a BusinessReview
(draft → submitted → approved, or returned with comments and submitted again);
every submission is frozen as a ReviewVersion; approval turns the review's
next-period priorities into rows of the core priority cascade. Actions close
the loop on survey signals and show whether they worked.

Every model is tenant-owned: ``organization`` is denormalised onto child rows
and ``objects = OrgScopedManager()`` refuses unscoped queries. Composite
same-organization foreign keys back this in PostgreSQL (migration 0002).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from peakos.models import Organization, Person, Priority, PriorityLevel, Team, TeamKind, validate_period
from peakos.tenancy import OrgScopedManager


class CycleKind(models.TextChoices):
    QUARTERLY = "quarterly", _("Quarterly business review (QBR)")
    ANNUAL = "annual", _("Annual business review (ABR)")


class CycleStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


def next_period(period: str) -> str:
    """The period a review plans for: 2026-Q4 → 2027-Q1, 2026-Q2 → 2026-Q3, 2026 → 2027."""
    validate_period(period)
    if "-Q" not in period:
        return str(int(period) + 1)
    year, quarter = int(period[:4]), int(period[-1])
    return f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}"


def parent_periods(period: str) -> tuple[str, ...]:
    """Periods a priority of ``period`` may link up to: the same period, and its year for a quarter.

    A 2027-Q1 team priority may serve a 2027-Q1 or a 2027 (annual) company priority.
    """
    return (period, period[:4]) if "-Q" in period else (period,)


class ReviewCycle(models.Model):
    """One round of business reviews: a kind, a period, the teams asked, and dates."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="review_cycles")
    kind = models.CharField(max_length=16, choices=CycleKind.choices, default=CycleKind.QUARTERLY)
    period = models.CharField(max_length=7, validators=[validate_period])
    opens_on = models.DateField()
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=CycleStatus.choices, default=CycleStatus.SCHEDULED)
    # Team leads without a login get an invitation (role manager) inside their review e-mail.
    invite_leads = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-period", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="reviewcycle_org_id_unique"),
            models.UniqueConstraint(fields=["organization", "kind", "period"], name="reviewcycle_one_per_period"),
            models.CheckConstraint(condition=Q(due_on__gte=F("opens_on")), name="reviewcycle_due_after_open"),
        ]
        indexes = [models.Index(fields=["status", "opens_on"])]

    def __str__(self) -> str:
        return f"{self.short_kind} {self.period}"

    @property
    def short_kind(self) -> str:
        return "QBR" if self.kind == CycleKind.QUARTERLY else "ABR"

    @property
    def plans_for(self) -> str:
        return next_period(self.period)

    def clean(self) -> None:
        errors = {}
        if self.period and "-Q" in self.period and self.kind == CycleKind.ANNUAL:
            errors["period"] = _("An annual review covers a year: write 2026, not 2026-Q4.")
        if self.period and "-Q" not in self.period and self.kind == CycleKind.QUARTERLY:
            errors["period"] = "A quarterly review covers a quarter: write 2026-Q4, not 2026."
        if self.opens_on and self.due_on and self.due_on < self.opens_on:
            errors["due_on"] = _("The due date cannot be before the opening date.")
        if errors:
            raise ValidationError(errors)


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")


EDITABLE_STATUSES = (ReviewStatus.DRAFT, ReviewStatus.RETURNED)


class BusinessReview(models.Model):
    """One team's review in one cycle. Its sections live in child tables."""

    HEALTH_CHOICES = [(1, _("1 · struggling")), (2, "2"), (3, _("3 · steady")), (4, "4"), (5, _("5 · thriving"))]

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="business_reviews")
    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="reviews")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="business_reviews")
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    wins = models.TextField(blank=True)
    misses = models.TextField(blank=True)
    lessons = models.TextField(blank=True)
    health = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        choices=HEALTH_CHOICES,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="The team's own rating of its health, 1 (struggling) to 5 (thriving).",
    )
    # The evidence the meeting starts from, prepared when the cycle opens (see reviews/packet.py).
    packet = models.JSONField(default=dict, blank=True)
    packet_prepared_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="Number of submissions so far.")
    invited_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["team__name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="businessreview_org_id_unique"),
            models.UniqueConstraint(fields=["cycle", "team"], name="businessreview_one_per_team"),
            models.CheckConstraint(
                condition=Q(health__isnull=True) | Q(health__gte=1, health__lte=5), name="businessreview_health_1_5"
            ),
        ]
        indexes = [models.Index(fields=["organization", "team", "status"])]

    def __str__(self) -> str:
        return f"{self.team} · {self.cycle}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES and self.cycle.status != CycleStatus.SCHEDULED

    def is_late(self, today: date) -> bool:
        """Not yet submitted after the due date of an opened cycle."""
        return (
            self.cycle.status != CycleStatus.SCHEDULED
            and self.status in EDITABLE_STATUSES
            and today > self.cycle.due_on
        )

    @property
    def priority_level(self) -> str:
        """The cascade level of the priorities this review sets, from the team's place in the tree."""
        return {TeamKind.LEADERSHIP: PriorityLevel.COMPANY, TeamKind.DEPARTMENT: PriorityLevel.DEPARTMENT}.get(
            self.team.kind, PriorityLevel.TEAM
        )


class MetricStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


class Metric(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(BusinessReview, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(max_length=200)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    actual = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(max_length=30, blank=True)
    status = models.CharField(max_length=16, choices=MetricStatus.choices, default=MetricStatus.ON_TRACK)
    position = models.PositiveSmallIntegerField(default=0)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.name


class ReviewPriority(models.Model):
    """A priority for the next period, linked to a parent company/department priority or explicitly not.

    ``priority`` is the row of the core cascade created when the review is approved.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(BusinessReview, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unlinked = models.BooleanField(default=False, help_text="Deliberately linked to no parent priority.")
    priority = models.ForeignKey(Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "review priorities"
        constraints = [
            models.CheckConstraint(
                condition=~Q(unlinked=True, parent__isnull=False), name="reviewpriority_linked_xor_unlinked"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Risk(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(BusinessReview, on_delete=models.CASCADE, related_name="risks")
    description = models.CharField(max_length=500)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mitigation = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class AskStatus(models.TextChoices):
    OPEN = "open", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Ask(models.Model):
    """A request of another team. It shows on that team's page once the review is submitted."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(BusinessReview, on_delete=models.CASCADE, related_name="asks")
    to_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="asks_received")
    request = models.CharField(max_length=500)
    status = models.CharField(max_length=16, choices=AskStatus.choices, default=AskStatus.OPEN)
    response = models.CharField(max_length=500, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "id"], name="ask_org_id_unique")]
        indexes = [models.Index(fields=["organization", "to_team", "status"])]

    def __str__(self) -> str:
        return self.request


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class ReviewVersion(models.Model):
    """A submitted version, frozen as JSON, and the leader's decision on it."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(BusinessReview, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    decision_comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = OrgScopedManager()

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="reviewversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.review} v{self.number}"


# The score dimensions an action can target (same values as surveys.models.Dimension).
TARGET_DIMENSIONS = [
    ("alignment", _("Alignment")),
    ("team_health", _("Team health")),
    ("communication", _("Communication")),
    ("leadership", _("Leadership effectiveness")),
    ("coordination", _("Cross-functional coordination")),
    ("decision_velocity", _("Decision velocity")),
    ("execution_confidence", _("Execution confidence")),
    ("resilience", _("Resilience")),
    ("enps", "eNPS"),
]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class Action(models.Model):
    """A follow-up on a signal or a score: who does what by when, and which score it should move.

    ``scope_team`` is the team whose score it targets (empty: the whole organization).
    ``source`` records where it came from (``signal:<id>``, ``score:<dimension>``, ``review:<id>``).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField()
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    dimension = models.CharField(max_length=32, choices=TARGET_DIMENSIONS)
    scope_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    source = models.CharField(max_length=64, blank=True)
    source_label = models.CharField(max_length=300, blank=True)
    review = models.ForeignKey(
        BusinessReview, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions_raised"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "id"], name="action_org_id_unique")]
        indexes = [models.Index(fields=["organization", "scope_team", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES
