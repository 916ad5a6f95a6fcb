"""Pulse surveys: the question bank, surveys and their schedule, rounds, invitations,
and the anonymous responses.

Anonymity by construction:

* ``Response`` keeps the respondent's team and layer *as they were* and the day of
  submission, never the person, the invitation or a time finer than the day.
* A submit writes nothing that names a person. ``SubmissionGuard`` (primary key = a keyed
  hash of the invitation, the key outside the database) is the database constraint that
  makes a second submit impossible; ``Invitation.answered`` (a flag, no time) is set
  later, in shuffled batches, by the beat job (surveys/services/guard.py).
* Response and Answer ids are random: they carry no submission order.
* Tokens are never stored: only their SHA-256 (``token_hash``).

Every model is tenant-owned (``organization`` + ``OrgScopedManager``) except
``BankQuestion``, the global built-in bank loaded by migration 0002 and copied into an
organization's ``Question`` rows when used.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from insights import vocabulary
from peakos.models import Layer, Organization, Person, Priority, Team
from peakos.tenancy import OrgScopedManager

COMMENT_MAX_LENGTH = 5000

# Random primary keys (Response, Answer) are drawn from [2**32, 2**63): never a value a
# sequence handed out before (the renumbering migration relies on it), and they fit a
# signed 64-bit integer everywhere (PostgreSQL bigint, SQLite, numpy int64).
RANDOM_ID_MIN = 2**32
RANDOM_ID_MAX = 2**63 - 1


def random_id() -> int:
    """A primary key that says nothing about when its row was written.

    Sequential ids put responses in submission order, which can be matched with anything
    else that follows that order (see docs/privacy.md). A collision (about 1 in 10**5
    over ten million rows) fails that one insert on the primary key; nothing is
    overwritten.
    """
    return RANDOM_ID_MIN + secrets.randbelow(RANDOM_ID_MAX - RANDOM_ID_MIN)


def new_sheet_version() -> int:
    """A fresh ``Round.sheet_version``: random, so a round id used again never meets an old one."""
    return secrets.randbits(62)


class Dimension(models.TextChoices):
    ALIGNMENT = vocabulary.ALIGNMENT, "Alignment"
    TEAM_HEALTH = "team_health", "Team health"
    COMMUNICATION = "communication", "Communication"
    LEADERSHIP = "leadership", "Leadership effectiveness"
    COORDINATION = "coordination", "Cross-functional coordination"
    DECISION_VELOCITY = "decision_velocity", "Decision velocity"
    EXECUTION_CONFIDENCE = "execution_confidence", "Execution confidence"
    RESILIENCE = "resilience", "Resilience"
    ENPS = vocabulary.ENPS, "eNPS"  # the outcomes the engine correlates with
    PRIORITY_PICK = "priority_pick", "Priority pick"
    RATE_TEAM = "rate_team", "Rate a team"
    COMMENT = "comment", "Open comment"


class QuestionKind(models.TextChoices):
    LIKERT5 = "likert5", "Agree / disagree (1–5)"
    SCALE10 = "scale10", "Scale 0–10"
    TEXT = "text", "Free text"
    SINGLE_CHOICE = "single_choice", "Single choice"
    PRIORITY_PICK = "priority_pick", "Priority pick"
    RATE_TEAM = "rate_team", "Rate the teams we depend on (1–5)"


# The value range each kind accepts (None: no numeric value).
KIND_RANGE: dict[str, tuple[int, int] | None] = {
    QuestionKind.LIKERT5: (1, 5),
    QuestionKind.SCALE10: (0, 10),
    QuestionKind.TEXT: None,
    QuestionKind.SINGLE_CHOICE: None,  # 0 .. len(options) - 1
    QuestionKind.PRIORITY_PICK: (1, 3),  # the rank the respondent gave
    QuestionKind.RATE_TEAM: (1, 5),
}


@dataclass(frozen=True)
class Wording:
    """What a respondent reads for a question in one language."""

    text: str
    help_text: str
    options: list[str]
    language: str  # the language it is written in (a fallback when the wanted one is missing)


class Translatable:
    """Per-language wording of a question: ``text``/``help_text``/``options`` are written in
    ``language``; ``translations`` holds the other languages as
    ``{"de": {"text": …, "help_text": …, "options": […]}}`` (each key optional but ``text``).

    The answers of every language are answers to the same question (one row, one key):
    results never see languages.
    """

    def wording(self, language: str, fallback: str | None = None) -> Wording:
        """The wording in ``language``; else in ``fallback`` (the organization's default);
        else as written. Options and hint fall back the same way, item by item."""
        for code in (language, fallback):
            if not code:
                continue
            if code == self.language:
                break
            entry = (self.translations or {}).get(code)
            if entry and entry.get("text"):
                options = entry.get("options") or []
                if len(options) != len(self.options or []):
                    options = list(self.options or [])
                return Wording(entry["text"], entry.get("help_text") or self.help_text_value, options, code)
        return Wording(self.text, self.help_text_value, list(self.options or []), self.language)

    def languages_written(self) -> set[str]:
        """Languages this question has its own wording in."""
        return {self.language} | {code for code, entry in (self.translations or {}).items() if entry.get("text")}

    @property
    def help_text_value(self) -> str:
        return getattr(self, "help_text", "") or ""


class BankQuestion(Translatable, models.Model):
    """A built-in, validated question. Global (not tenant-owned); read-only for organizations.

    Written in English; ``translations`` holds every other shipped language
    (surveys/bank_translations.py, loaded by migration 0005).
    """

    key = models.SlugField(max_length=60, unique=True)
    dimension = models.CharField(max_length=32, choices=Dimension.choices)
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    text = models.CharField(max_length=500)
    required = models.BooleanField(default=True)
    options = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(max_length=12, default="en", help_text="The language of text.")
    translations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.text


class Question(Translatable, models.Model):
    """A question of one organization: copied from the bank or written by the organization.

    ``key`` is stable across versions (trends compare by key). Editing the wording of a
    question that has answers deactivates it and creates ``version + 1`` with the same
    key; rounds keep pointing at the version they asked. That holds for every language:
    rewording one translation of an answered question makes a new version too.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(max_length=60)
    version = models.PositiveSmallIntegerField(default=1)
    dimension = models.CharField(max_length=32, choices=Dimension.choices)
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=True)
    active = models.BooleanField(default=True, help_text="Only the current version of a key is active.")
    options = models.JSONField(default=list, blank=True, help_text="Choices of a single-choice question.")
    from_bank = models.BooleanField(default=False)
    language = models.CharField(
        max_length=12, default="en", help_text="The language text, hint and options are written in."
    )
    translations = models.JSONField(
        default=dict, blank=True, help_text="The other languages: {code: {text, help_text, options}}."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["dimension", "key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="question_org_id_unique"),
            models.UniqueConstraint(fields=["organization", "key", "version"], name="question_unique_key_version"),
            models.UniqueConstraint(
                fields=["organization", "key"], condition=Q(active=True), name="question_one_active_version"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def value_range(self) -> tuple[int, int] | None:
        if self.kind == QuestionKind.SINGLE_CHOICE:
            return (0, max(len(self.options) - 1, 0))
        return KIND_RANGE[self.kind]


class Audience(models.TextChoices):
    ORGANIZATION = "organization", "The whole organization"
    TEAMS = "teams", "Chosen teams and everyone below them"


class Cadence(models.TextChoices):
    ONCE = "once", "Once"
    WEEKLY = "weekly", "Every week"
    BIWEEKLY = "biweekly", "Every two weeks"
    MONTHLY = "monthly", "Every month"
    QUARTERLY = "quarterly", "Every quarter"


# The longest a round may stay open for each cadence, so rounds never overlap.
CADENCE_MAX_OPEN_DAYS = {
    Cadence.ONCE: 60,
    Cadence.WEEKLY: 7,
    Cadence.BIWEEKLY: 14,
    Cadence.MONTHLY: 28,
    Cadence.QUARTERLY: 90,
}


class Survey(models.Model):
    """A pulse: its questions, who gets it, and how often."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="surveys")
    name = models.CharField(max_length=200)
    questions = models.ManyToManyField(Question, through="SurveyQuestion", related_name="surveys")
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.ORGANIZATION)
    audience_teams = models.ManyToManyField(Team, through="SurveyTeam", related_name="+", blank=True)
    cadence = models.CharField(max_length=16, choices=Cadence.choices, default=Cadence.BIWEEKLY)
    open_days = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(90)], help_text="How long a round stays open."
    )
    reminder_days = models.JSONField(
        default=list, blank=True, help_text="Days after opening when those who have not answered get a reminder."
    )
    start_date = models.DateField()
    send_hour = models.PositiveSmallIntegerField(
        default=9, validators=[MaxValueValidator(23)], help_text="Hour of the day (organization time) rounds open."
    )
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="survey_org_id_unique"),
            models.CheckConstraint(condition=Q(open_days__gte=1), name="survey_open_days_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class SurveyQuestion(models.Model):
    """A question of a survey, in order."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="survey_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="survey_questions")
    position = models.PositiveSmallIntegerField(default=0)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "question"], name="surveyquestion_unique"),
        ]


class SurveyTeam(models.Model):
    """A team (with its whole subtree) in a survey's audience."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="survey_teams")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")

    objects = OrgScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "team"], name="surveyteam_unique")]


class RoundStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Round(models.Model):
    """One sending of a survey: the audience is snapshotted as invitations when it opens.

    ``anonymity_threshold`` / ``comment_threshold`` are copied from the organization at
    the first response and never change afterwards (``frozen_at``); until then they
    are null and the organization's current values apply (see ``effective_*``).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="rounds")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveIntegerField()
    questions = models.ManyToManyField(Question, through="RoundQuestion", related_name="rounds")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=RoundStatus.choices, default=RoundStatus.SCHEDULED)
    anonymity_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    comment_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True, help_text="First response: privacy settings frozen.")
    audience = models.CharField(max_length=16, choices=Audience.choices, default=Audience.ORGANIZATION)
    audience_team_ids = models.JSONField(default=list, blank=True)
    reminder_days = models.JSONField(default=list, blank=True, help_text="Copied from the survey when it opened.")
    invited_count = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Set by retention (surveys.services.retention): the raw answers are gone, the stored
    # results are all that is left, so recomputes skip the round instead of wiping them.
    raw_answers_deleted_on = models.DateField(null=True, blank=True)
    marks_applied_at = models.DateTimeField(
        null=True, blank=True, help_text="The mark moment (reminder or close) whose answered marks were applied."
    )
    # Changed (to another random value) whenever a question the round asks is edited: web
    # processes cache the compiled answer sheet under it (surveys.selectors.answer_sheet).
    sheet_version = models.BigIntegerField(default=new_sheet_version, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-opens_at", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="round_org_id_unique"),
            models.UniqueConstraint(fields=["survey", "number"], name="round_unique_number_per_survey"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="round_closes_after_opens"),
        ]
        indexes = [models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return f"{self.survey.name} #{self.number}"

    @property
    def effective_anonymity_threshold(self) -> int:
        return self.anonymity_threshold or self.organization.anonymity_threshold

    @property
    def effective_comment_threshold(self) -> int:
        return self.comment_threshold or self.organization.comment_threshold

    @property
    def is_accepting(self) -> bool:
        return self.status == RoundStatus.OPEN and self.opens_at <= timezone.now() < self.closes_at


class RoundQuestion(models.Model):
    """The questions a round asked, frozen when it opened (later survey edits do not change it)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="round_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="round_questions")
    position = models.PositiveSmallIntegerField(default=0)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "question"], name="roundquestion_unique")]


class Invitation(models.Model):
    """A person invited to a round. Records *that* they answered, never *what*.

    ``team``, ``layer`` and ``manager`` are the person's at the time the round opened (the
    audience snapshot); participation per team counts these, and a manager's direct reports
    are the invitations (and responses) carrying that manager. ``token_hash`` is set when a send
    task claims the first e-mail (the raw token only ever exists in that e-mail);
    reminders carry fresh tokens stored in ``InvitationToken``.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="survey_invitations")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    layer = models.CharField(max_length=16, choices=Layer.choices, blank=True)
    manager = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # When the mail server accepted the first e-mail (set only after SMTP said yes).
    sent_at = models.DateTimeField(null=True, blank=True)
    # A send task's lease on the first e-mail (surveys/services/mail.py): a claim older
    # than CLAIM_LEASE whose e-mail never reached the mail server is taken again.
    send_claimed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    # A flag, no time, and never written by the submit itself: surveys.services.guard sets
    # it at the round's mark moments (reminders, close) in shuffled batches, so neither a
    # timestamp nor the order of row versions follows the order people answered in.
    answered = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="invitation_org_id_unique"),
            models.UniqueConstraint(fields=["round", "person"], name="invitation_unique_person_per_round"),
        ]
        indexes = [models.Index(fields=["round", "sent_at"]), models.Index(fields=["round", "answered"])]

    def __str__(self) -> str:
        return f"Invitation {self.pk} to round {self.round_id}"


class InvitationToken(models.Model):
    """An extra link for an invitation (each reminder carries a new one). Only the hash is stored."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="extra_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()


class SubmissionGuard(models.Model):
    """The database-level guard against a double submit, which names no invitation.

    Its primary key is ``surveys.services.guard.guard_digest(invitation)``: an HMAC under a
    key derived from ``SUBMISSION_GUARD_KEY`` / ``SECRET_KEY`` that the database never
    holds. A second insert for the same invitation fails on the primary key whatever the
    timing. No timestamp, no sequence, no link to the response: rows are written in
    submission order beside the responses, and only the key could say whose they are.
    """

    digest = models.CharField(max_length=64, primary_key=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")

    objects = OrgScopedManager()


class Response(models.Model):
    """One anonymous answer sheet. Never a person, an invitation or a time finer than the day.

    ``manager`` is a group label like ``team`` and ``layer`` (the respondent's manager when
    the round opened, copied from the invitation): it names who the answer is *about* as a
    group of direct reports, never who answered. Figures per manager go through the
    disclosure audit like every other scope (leadership/effectiveness.py).

    The primary key is random (``random_id``), not a sequence: ids carry no submission order.
    """

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="responses")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    layer = models.CharField(max_length=16, choices=Layer.choices, blank=True)
    manager = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_on = models.DateField()

    objects = OrgScopedManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "id"], name="response_org_id_unique")]
        indexes = [models.Index(fields=["round", "team"]), models.Index(fields=["round", "manager"])]

    def __str__(self) -> str:
        return f"Response {self.pk} to round {self.round_id}"


class Answer(models.Model):
    """One answer of a response.

    ``value``: 1–5 (likert5, rate_team), 0–10 (scale10), the chosen option's index
    (single_choice) or the rank given (priority_pick, 1 = top). ``text``: comments.
    rate_team: one Answer per rated team; priority_pick: one Answer per picked priority.

    Random primary key too: sequential answer ids would put responses in submission order.
    """

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    rated_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.ForeignKey(Priority, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = OrgScopedManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0, value__lte=100), name="answer_value_range"
            ),
        ]
        indexes = [models.Index(fields=["question", "response"])]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"
