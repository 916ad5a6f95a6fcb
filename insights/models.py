"""What the insights engine stores: precomputed results of each survey round.

Dashboards, exports and the API read these rows, never raw answers. Every row
belongs to one round and one *scope*:

* ``organization`` — everyone who answered;
* ``leadership`` — the members of a leadership-kind team (its own people, not
  its subtree: the subtree of the top team is the organization);
* ``department`` / ``team`` — a team's whole subtree (its members and every
  team below it), by the team's kind;
* ``layer`` — everyone of one management layer (executive … individual);
* ``depth`` — the members of every team at one depth of the tree (0 = top).

A *suppressed* row says "not enough responses" and stores no values at all —
not even the respondent count; CheckConstraints make that a database rule,
so no page, export or API can show what was never stored.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from insights import vocabulary
from peakos.models import MIN_ANONYMITY_THRESHOLD, Layer, Organization, Priority, Team
from peakos.tenancy import OrgScopedManager
from surveys.models import Dimension, Response, Round


class ScopeKind(models.TextChoices):
    ORGANIZATION = vocabulary.ORGANIZATION, vocabulary.SCOPE_LABELS[vocabulary.ORGANIZATION]
    LEADERSHIP = vocabulary.LEADERSHIP, vocabulary.SCOPE_LABELS[vocabulary.LEADERSHIP]
    DEPARTMENT = vocabulary.DEPARTMENT, vocabulary.SCOPE_LABELS[vocabulary.DEPARTMENT]
    TEAM = vocabulary.TEAM, vocabulary.SCOPE_LABELS[vocabulary.TEAM]
    LAYER = vocabulary.LAYER, vocabulary.SCOPE_LABELS[vocabulary.LAYER]
    DEPTH = vocabulary.DEPTH, vocabulary.SCOPE_LABELS[vocabulary.DEPTH]


TEAM_SCOPE_KINDS = tuple(ScopeKind(kind) for kind in vocabulary.TEAM_SCOPE_KINDS)


class HiddenReason(models.TextChoices):
    FEW = vocabulary.FEW, "Fewer responses than the threshold"
    PROTECT = vocabulary.PROTECT, "Hidden so a smaller group cannot be worked out"


# Exactly one way to name each kind of scope: a team, a layer, a depth or nothing.
SCOPE_SHAPE = (
    Q(scope_kind=ScopeKind.ORGANIZATION, team__isnull=True, layer="", depth__isnull=True)
    | Q(scope_kind__in=TEAM_SCOPE_KINDS, team__isnull=False, layer="", depth__isnull=True)
    | (Q(scope_kind=ScopeKind.LAYER, team__isnull=True, depth__isnull=True) & ~Q(layer=""))
    | Q(scope_kind=ScopeKind.DEPTH, team__isnull=True, layer="", depth__isnull=False)
)


def _all_null(*fields: str) -> Q:
    return Q(**{f"{field}__isnull": True for field in fields})


class ScopedResult(models.Model):
    """A result of one round for one scope. Abstract: the tables below add their figures."""

    # Derived, rebuildable rows, written in bulk by the engine only (a round's rows are
    # replaced in one transaction under a lock on the round), from ids it read in that
    # transaction. So: no database foreign-key constraints (checking them at commit
    # tripled the time to write a round) and one index, on the round (appends stay
    # cheap; a unique index over the scope columns made each write four times slower,
    # an index on team three times: measured with bench/scores.py). One row per
    # round × scope (× dimension) is the writer's invariant, tested in
    # tests/insights/test_recompute_results.py. Deletes still cascade, through Django.
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    scope_kind = models.CharField(max_length=16, choices=ScopeKind.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    layer = models.CharField(max_length=16, choices=Layer.choices, blank=True)
    depth = models.PositiveSmallIntegerField(null=True, blank=True)
    suppressed = models.BooleanField()
    hidden_reason = models.CharField(
        max_length=8,
        choices=HiddenReason.choices,
        blank=True,
        help_text="Why a suppressed row is hidden: fewer responses than the threshold, or to protect a smaller group.",
    )
    respondents = models.PositiveIntegerField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        abstract = True

    @property
    def scope_label(self) -> str:
        if self.scope_kind == ScopeKind.ORGANIZATION:
            return "Organization"
        if self.scope_kind == ScopeKind.LAYER:
            return Layer(self.layer).label
        if self.scope_kind == ScopeKind.DEPTH:
            return f"Depth {self.depth}"
        return str(self.team)


SNAPSHOT_VALUES = vocabulary.SNAPSHOT_FIGURES


class Snapshot(ScopedResult):
    """One round × scope × dimension: the dimension's pooled Likert answers (or eNPS).

    ``score`` is 0–100 for Likert dimensions and the eNPS (−100..100) for ``enps``;
    ``favorable_share`` / ``unfavorable_share`` are 4–5 / 1–2 answers, or
    promoters / detractors for eNPS. ``spread`` is the disagreement (population
    standard deviation of the answers). ``respondents`` counts the respondents of
    the scope who answered at least one item of the dimension. ``delta`` compares
    with the previous round of the survey, ``gap`` is the leadership team's score
    minus this scope's, and ``driver_*`` are the correlations of the dimension with
    eNPS and with alignment across respondents (only with enough of them).
    See docs/scoring.md.
    """

    dimension = models.CharField(max_length=32, choices=Dimension.choices)
    mean = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    favorable_share = models.FloatField(null=True, blank=True)
    unfavorable_share = models.FloatField(null=True, blank=True)
    spread = models.FloatField(null=True, blank=True)
    delta = models.FloatField(null=True, blank=True, help_text="Score minus the previous round's.")
    gap = models.FloatField(null=True, blank=True, help_text="Leadership team's score minus this scope's.")
    driver_enps = models.FloatField(null=True, blank=True)
    driver_alignment = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["round", "scope_kind", "dimension"]
        constraints = [
            models.CheckConstraint(condition=SCOPE_SHAPE, name="snapshot_scope_shape"),
            models.CheckConstraint(
                condition=Q(suppressed=True) & _all_null(*SNAPSHOT_VALUES)
                | Q(suppressed=False, respondents__gte=1, mean__isnull=False, score__isnull=False),
                name="snapshot_suppressed_stores_no_values",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} · {self.dimension} · round {self.round_id}"


class Participation(ScopedResult):
    """One round × scope: how many answered of how many were invited, and whether
    the scope's comments may be read (comment threshold, differencing included)."""

    invited = models.PositiveIntegerField(null=True, blank=True)
    rate = models.FloatField(null=True, blank=True, help_text="Responses ÷ invitations, 0–1.")
    comments_released = models.BooleanField(default=False)

    class Meta:
        ordering = ["round", "scope_kind"]
        constraints = [
            models.CheckConstraint(condition=SCOPE_SHAPE, name="participation_scope_shape"),
            models.CheckConstraint(
                condition=Q(suppressed=True, comments_released=False) & _all_null(*vocabulary.PARTICIPATION_FIGURES)
                | Q(suppressed=False, respondents__isnull=False),
                name="participation_suppressed_stores_no_values",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} · participation · round {self.round_id}"


class PriorityAlignment(ScopedResult):
    """One round × scope: how respondents' priority picks match leadership's ranking.

    ``respondents`` counts those who picked at least one priority. ``pick_counts``
    maps priority id → respondents who picked it. ``top_priority`` is leadership's #1
    (the company priority ranked first in the period of the picks).
    """

    top_priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    top_priority_share = models.FloatField(null=True, blank=True)
    top_overlap = models.FloatField(null=True, blank=True)
    pick_counts = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["round", "scope_kind"]
        constraints = [
            models.CheckConstraint(condition=SCOPE_SHAPE, name="priorityalignment_scope_shape"),
            models.CheckConstraint(
                condition=Q(suppressed=True) & _all_null(*vocabulary.PRIORITY_FIGURES)
                | Q(suppressed=False, respondents__gte=1, pick_counts__isnull=False),
                name="priorityalignment_suppressed_stores_no_values",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} · priority alignment · round {self.round_id}"


class CoordinationCell(models.Model):
    """How the people of ``rater_team``'s subtree rate ``rated_team`` (1–5, one rating per respondent).

    ``rater_team`` null is the rated team's *received* coordination: every rating it
    got. The rater side is a subtree, so the Sales department's row pools all Sales
    teams; cells are protected against differencing along the rater tree within
    each rated team's column.
    """

    # Derived rows, like ScopedResult's: no database FK constraints, one index (round).
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    rater_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    rated_team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    suppressed = models.BooleanField()
    respondents = models.PositiveIntegerField(null=True, blank=True)
    mean = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["round", "rated_team", "rater_team"]
        constraints = [
            models.CheckConstraint(
                condition=Q(suppressed=True) & _all_null(*vocabulary.COORDINATION_FIGURES)
                | Q(suppressed=False, respondents__gte=1, mean__isnull=False, score__isnull=False),
                name="coordinationcell_suppressed_stores_no_values",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rater_team or 'everyone'} → {self.rated_team} · round {self.round_id}"


class SignalKind(models.TextChoices):
    DROP = "drop", "Drop against the previous round"
    LEADERSHIP_GAP = "leadership_gap", "Wide leadership gap"
    LOW_PARTICIPATION = "low_participation", "Low participation"
    PRIORITY_CONFUSION = "priority_confusion", "Priority confusion"
    WEAK_LINK = "weak_link", "Weak dependency link"
    # Detected from business reviews (an organization detector the reviews app registers).
    UNLINKED_PRIORITIES = "unlinked_priorities", "Team priorities linked to no company priority"
    OVERDUE_REVIEW = "overdue_review", "Overdue or at-risk review"
    OFF_TRACK_METRICS = "off_track_metrics", "Metrics off track"
    UNANSWERED_ASKS = "unanswered_asks", "Asks of other teams left unanswered"
    # Detected from the weekly rhythm (an organization detector the rhythm app registers).
    SLOW_CROSS_TEAM_ANSWERS = "slow_cross_team_answers", "Cross-team issues waiting for a decision"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class SignalStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Signal(models.Model):
    """A risk the engine found: what, where, how bad, and the figures that triggered it.

    ``key`` names the finding within its round (kind, scope and subject, e.g.
    ``drop:team:12:alignment``), so recomputing a round updates the same row instead
    of adding a duplicate. ``round`` is null for signals not tied to a survey round
    (reviews). Scope fields follow the snapshots' (see ``ScopeKind``).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32, choices=SignalKind.choices)
    key = models.CharField(max_length=200)
    scope_kind = models.CharField(max_length=16, choices=ScopeKind.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    layer = models.CharField(max_length=16, choices=Layer.choices, blank=True)
    depth = models.PositiveSmallIntegerField(null=True, blank=True)
    dimension = models.CharField(max_length=32, choices=Dimension.choices, blank=True)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    title = models.CharField(max_length=300)
    figures = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=SignalStatus.choices, default=SignalStatus.OPEN)
    detected_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-detected_at", "kind", "key"]
        constraints = [
            models.CheckConstraint(condition=SCOPE_SHAPE, name="signal_scope_shape"),
            models.UniqueConstraint(
                fields=["organization", "round", "key"],
                condition=Q(round__isnull=False),
                name="signal_unique_per_round",
            ),
            models.UniqueConstraint(
                fields=["organization", "key"], condition=Q(round__isnull=True), name="signal_unique_without_round"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "-detected_at"])]

    def __str__(self) -> str:
        return self.title


class SignalSettings(models.Model):
    """An organization's thresholds for signals (and the driver analysis minimum).

    Defaults follow docs/scoring.md; admins change them on the insights settings page.
    A missing row means the defaults (``for_organization`` returns an unsaved one).
    """

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="signal_settings")
    drop_points = models.FloatField(
        default=10.0,
        validators=[MinValueValidator(1.0), MaxValueValidator(100.0)],
        help_text="Flag a dimension whose score fell by at least this many points (0–100 scale) since the last round.",
    )
    leadership_gap_points = models.FloatField(
        default=20.0,
        validators=[MinValueValidator(1.0), MaxValueValidator(100.0)],
        help_text="Flag a layer whose score is at least this many points below the leadership team's.",
    )
    low_participation = models.FloatField(
        default=0.60,
        validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
        help_text="Flag a scope where fewer than this share of those invited answered (0–1).",
    )
    priority_confusion = models.FloatField(
        default=0.50,
        validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
        help_text="Flag a scope where fewer than this share of respondents name leadership's top priority (0–1).",
    )
    weak_link_mean = models.FloatField(
        default=2.5,
        validators=[MinValueValidator(1.0), MaxValueValidator(5.0)],
        help_text="Flag a dependency whose mean rating (1–5) is at or below this.",
    )
    driver_min_respondents = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(10), MaxValueValidator(10_000)],
        help_text="Show driver correlations only for scopes with at least this many respondents.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedManager()

    class Meta:
        verbose_name_plural = "signal settings"
        constraints = [
            models.CheckConstraint(condition=Q(drop_points__gte=1, drop_points__lte=100), name="signalsettings_drop"),
            models.CheckConstraint(
                condition=Q(leadership_gap_points__gte=1, leadership_gap_points__lte=100), name="signalsettings_gap"
            ),
            models.CheckConstraint(
                condition=Q(low_participation__gte=0.05, low_participation__lte=1), name="signalsettings_participation"
            ),
            models.CheckConstraint(
                condition=Q(priority_confusion__gte=0.05, priority_confusion__lte=1), name="signalsettings_priorities"
            ),
            models.CheckConstraint(
                condition=Q(weak_link_mean__gte=1, weak_link_mean__lte=5), name="signalsettings_weak_link"
            ),
            models.CheckConstraint(
                condition=Q(driver_min_respondents__gte=max(10, MIN_ANONYMITY_THRESHOLD)),
                name="signalsettings_driver_minimum",
            ),
        ]

    def __str__(self) -> str:
        return f"Signal settings of {self.organization}"

    @classmethod
    def for_organization(cls, organization: Organization) -> SignalSettings:
        """The organization's settings, or the defaults (unsaved) when it never changed them."""
        found = cls.objects.filter(organization=organization).first()
        return found or cls(organization=organization)


class Release(models.Model):
    """One batch of an open round's responses made visible together (live results).

    While a round is open, responses become part of the published results only in
    releases (``insights.releases.release_pending``): at least the round's threshold of
    new responses at a time, and at most one release per ``INSIGHTS_RELEASE_INTERVAL``.
    ``published`` records, per variable (``respondents`` or a dimension), the scopes
    whose figures this release refreshed — what a leader could read from then on — so
    later releases and the final results are audited together with everything already
    shown (docs/scoring.md, "Live results"). ``teams`` is the team tree of the first
    release: the whole round is scored on it, so earlier releases stay comparable.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="releases")
    number = models.PositiveSmallIntegerField()
    published = models.JSONField(null=True, blank=True, help_text="Null until the release's results were computed.")
    teams = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["round", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="release_unique_number")]

    def __str__(self) -> str:
        return f"Release {self.number} of round {self.round_id}"


class ReleasedResponse(models.Model):
    """Which release a response became visible in. Written in bulk when a release is cut
    (in response-id order, which carries no submission order); holds no person."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="+")
    release = models.PositiveSmallIntegerField()

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"Response {self.response_id} in release {self.release}"


class ScoreState(models.Model):
    """How many responses a round's stored results were computed from, and when.

    The sweep (``insights.selectors.stale_rounds``, run by beat) compares this with the
    round's responses now: a round whose answers are newer than its scores — because a
    post-commit enqueue failed while the broker was down, a debounce lock was lost, or a
    worker died — is recomputed, so an outage heals by itself. Written in the same
    transaction as the results. Holds no figure that is ever shown.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="score_state")
    responses_scored = models.PositiveIntegerField()
    scored_at = models.DateTimeField()
    # Per result table (model label), a fingerprint of the rows last written for the round
    # (``insights.storage.digest``): a recompute that would write the same rows skips
    # reading and comparing them. Fingerprints of published rows, not figures.
    digests = models.JSONField(default=dict, blank=True)

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"Round {self.round_id} scored on {self.responses_scored} responses"


class ErasedInvitations(models.Model):
    """How many invitations of erased people a round had, per team × layer (no person).

    Erasing a person deletes their invitations, but the round's participation (``invited``
    per scope) was published with them counted; the engine adds these counts back, so a
    recompute after an erasure shows leaders exactly what it showed before.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    layer = models.CharField(max_length=16, choices=Layer.choices, blank=True)
    invitations = models.PositiveIntegerField(default=0)

    objects = OrgScopedManager()

    class Meta:
        verbose_name_plural = "erased invitations"
        indexes = [models.Index(fields=["round"])]

    def __str__(self) -> str:
        return f"{self.invitations} erased invitation(s) in round {self.round_id}"
