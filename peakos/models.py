"""The tenancy core: organizations, users and memberships, teams, people,
dependencies between teams, and the priority cascade.

Every tenant-owned model carries an ``organization`` foreign key and declares
``objects = OrgScopedManager()``: a query outside an active tenant scope raises
``ScopeError`` instead of silently mixing organizations (see peakos/tenancy/).
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import timedelta
from typing import Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from peakos.tenancy import OrgScopedManager

TIMEZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz or tz == "UTC")

MIN_ANONYMITY_THRESHOLD = 3
# A language code of settings.LANGUAGES ("pt-br"), or blank where that means "the default".
# No ``choices`` on these fields on purpose: shipping a language needs no migration; services
# and forms check codes against settings.LANGUAGES (peakos/i18n.py).
LANGUAGE_MAX_LENGTH = 12


def all_languages() -> list[str]:
    """Every shipped language: what a new organization offers (a callable default for migrations)."""
    return [code for code, _ in settings.LANGUAGES]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A login. People log in with their e-mail address; there is no username."""

    username = None
    email = models.EmailField("e-mail address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    language = models.CharField(
        max_length=LANGUAGE_MAX_LENGTH,
        blank=True,
        help_text="The language of the app for this user; blank: the browser's.",
    )
    # Part of the session hash (get_session_auth_hash): raising it logs this user out of every
    # session, as a password change does. Raised when they lose a role (peakos.memberships.end_sessions).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.name or self.email

    def _get_session_auth_hash(self, secret=None) -> str:
        """Django checks this against the hash stored in each session on every request (and with
        each SECRET_KEY_FALLBACKS secret); a session made before the epoch was raised no longer
        matches, so it is logged out."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "peakos.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class Organization(models.Model):
    """A tenant. Its thresholds protect respondents' anonymity."""

    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9][a-z0-9-]*$", "Use lowercase letters, digits and dashes.")],
    )
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, default="UTC")
    anonymity_threshold = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(MIN_ANONYMITY_THRESHOLD)],
        help_text="No score is shown for a group with fewer respondents than this (never below 3).",
    )
    comment_threshold = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(MIN_ANONYMITY_THRESHOLD)],
        help_text="Comments are shown only for groups with at least this many respondents.",
    )
    default_language = models.CharField(
        max_length=LANGUAGE_MAX_LENGTH,
        default="en",
        help_text="Surveys and e-mails go out in it to people without a language of their own.",
    )
    languages = models.JSONField(
        default=all_languages,
        blank=True,
        help_text="The languages people may have and switch the survey page to (codes of settings.LANGUAGES).",
    )
    require_mfa = models.BooleanField(
        "Require two-factor authentication for owners and admins",
        default=False,
        help_text=(
            "Owners and admins without an authenticator app are sent to set one up before any page of "
            "this organization (peakos/mfa.py)."
        ),
    )
    retention_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=(
            "Raw answers and comments of rounds closed more than this many months ago are deleted; "
            "the stored results stay. Blank: keep them."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymity_threshold__gte=MIN_ANONYMITY_THRESHOLD),
                name="org_anonymity_threshold_min_3",
            ),
            models.CheckConstraint(
                condition=Q(comment_threshold__gte=F("anonymity_threshold")),
                name="org_comment_threshold_gte_score_threshold",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.anonymity_threshold is not None
            and self.comment_threshold is not None
            and self.comment_threshold < self.anonymity_threshold
        ):
            raise ValidationError({"comment_threshold": "The comment threshold cannot be below the score threshold."})
        shipped = all_languages()
        unknown = [code for code in self.languages or [] if code not in shipped]
        if unknown:
            raise ValidationError({"languages": f"Unknown language(s): {', '.join(unknown)}."})
        if self.default_language not in shipped:
            raise ValidationError({"default_language": f"Unknown language: {self.default_language}."})
        if self.default_language not in (self.languages or []):
            raise ValidationError({"default_language": "The default language must be one of the enabled languages."})


class Role(models.TextChoices):
    OWNER = "owner", pgettext_lazy("role", "Owner")
    ADMIN = "admin", pgettext_lazy("role", "Admin")
    LEADER = "leader", pgettext_lazy("role", "Leader")
    MANAGER = "manager", pgettext_lazy("role", "Manager")
    MEMBER = "member", pgettext_lazy("role", "Member")


class Membership(models.Model):
    """A user's role in one organization. A user may belong to several."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"


class TeamKind(models.TextChoices):
    LEADERSHIP = "leadership", "Leadership team"
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"


class Team(models.Model):
    """A node of the organization's team tree."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=TeamKind.choices, default=TeamKind.TEAM)
    # Same-organization is enforced in PostgreSQL by a composite foreign key
    # (organization_id, parent_id) -> (organization_id, id); see migration 0002.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    lead = models.ForeignKey("Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams")
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="team_unique_name_per_org"),
            models.UniqueConstraint(fields=["organization", "id"], name="team_org_id_unique"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="team_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.organization_id != self.organization_id:
            raise ValidationError({"parent": "The parent team belongs to another organization."})


class Layer(models.TextChoices):
    """Management layers, top to bottom. ``LAYER_ORDER`` gives their depth."""

    EXECUTIVE = "executive", "Executive"
    DIRECTOR = "director", "Director"
    MANAGER = "manager", "Manager"
    LEAD = "lead", "Team lead"
    INDIVIDUAL = "individual", "Individual contributor"


LAYER_ORDER = {value: index for index, value in enumerate(Layer.values)}


class Person(models.Model):
    """An employee record. Surveys go to people; most people never log in."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="people")
    email = models.EmailField()
    name = models.CharField(max_length=200)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    manager = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports")
    layer = models.CharField(max_length=16, choices=Layer.choices, default=Layer.INDIVIDUAL)
    # Their surveys and e-mails are in it; blank: the organization's default language.
    language = models.CharField(max_length=LANGUAGE_MAX_LENGTH, blank=True)
    active = models.BooleanField(default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(Lower("email"), "organization", name="person_unique_email_per_org"),
            models.UniqueConstraint(fields=["organization", "id"], name="person_org_id_unique"),
            models.CheckConstraint(condition=~Q(manager=F("id")), name="person_not_own_manager"),
        ]
        indexes = [models.Index(fields=["organization", "team"]), models.Index(fields=["organization", "name"])]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        super().save(*args, **kwargs)


class TeamDependency(models.Model):
    """``from_team`` depends on ``to_team`` (e.g. Sales depends on Marketing for leads)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="dependencies")
    from_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="depends_on")
    to_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="depended_on_by")
    note = models.CharField(max_length=300, blank=True)

    objects = OrgScopedManager()

    class Meta:
        verbose_name_plural = "team dependencies"
        constraints = [
            models.UniqueConstraint(fields=["from_team", "to_team"], name="dependency_unique_pair"),
            models.CheckConstraint(condition=~Q(from_team=F("to_team")), name="dependency_not_on_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.from_team} → {self.to_team}"


PERIOD_RE = re.compile(r"^\d{4}(-Q[1-4])?$")


def validate_period(value: str) -> None:
    if not PERIOD_RE.match(value or ""):
        raise ValidationError("A period is a year (2026) or a quarter (2026-Q4).")


def current_period(now=None) -> str:
    now = now or timezone.now()
    return f"{now.year}-Q{(now.month - 1) // 3 + 1}"


class PriorityLevel(models.TextChoices):
    COMPANY = "company", "Company"
    DEPARTMENT = "department", "Department"
    TEAM = "team", "Team"


class Priority(models.Model):
    """A priority of the cascade: company → department → team, per period."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    level = models.CharField(max_length=16, choices=PriorityLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="priorities")
    period = models.CharField(max_length=7, validators=[validate_period])
    rank = models.PositiveSmallIntegerField(default=1, help_text="1 is the most important.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["period", "level", "rank", "title"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="priority_org_id_unique"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="priority_not_own_parent"),
            models.CheckConstraint(
                condition=Q(level="company", team__isnull=True) | (~Q(level="company") & Q(team__isnull=False)),
                name="priority_team_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"


class MemberInvitation(models.Model):
    """An invitation for someone to join an organization with a role.

    Only the SHA-256 of the token is stored; the raw token travels in the e-mail.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="member_invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization} ({self.role})"

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class AuditEvent(models.Model):
    """Who did what to which object in which organization, and when."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.summary}"


class BearerToken(models.Model):
    """A secret bearer token of one organization (REST API, SCIM): shown once when minted, only
    its SHA-256 stored. ``prefix`` (the first characters) lets admins tell tokens apart without
    revealing them. Subclasses add the organization (with their own related name) and ``RAW_PREFIX``,
    which lets secret scanners and people recognise the token's kind."""

    RAW_PREFIX = ""
    # At most one write of ``last_used_at`` per token per this interval.
    LAST_USED_GRANULARITY = timedelta(minutes=1)

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def mint(cls, *, organization: Organization, name: str, created_by=None, **fields) -> tuple[Self, str]:
        """A new token and its raw value (to show once; only the hash is kept)."""
        from peakos.tokens import hash_token, new_token

        raw = cls.RAW_PREFIX + new_token()[0]
        token = cls._default_manager.with_scope(organization=organization).create(  # type: ignore[attr-defined]
            organization=organization, name=name, prefix=raw[:10], token_hash=hash_token(raw),
            created_by=created_by, **fields,
        )  # fmt: skip
        return token, raw

    @classmethod
    def unrevoked(cls, raw: str) -> Self | None:
        """The unrevoked token ``raw`` names, with its organization (unscoped on purpose: the
        token names the organization)."""
        from peakos.tokens import hash_token

        manager = cls._default_manager.with_scopes_disabled()  # type: ignore[attr-defined]
        return (
            manager.select_related("organization").filter(token_hash=hash_token(raw), revoked_at__isnull=True).first()
        )

    def mark_used(self) -> None:
        """Record the use, at most once per ``LAST_USED_GRANULARITY``."""
        now = timezone.now()
        if self.last_used_at is None or now - self.last_used_at > self.LAST_USED_GRANULARITY:
            type(self)._default_manager.with_scopes_disabled().filter(pk=self.pk).update(last_used_at=now)  # type: ignore[attr-defined]
            self.last_used_at = now


class ApiToken(BearerToken):
    """A REST API token: belongs to one organization and carries a role."""

    RAW_PREFIX = "pk_"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_tokens")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.LEADER)
    # Optional end of life: the API refuses the token from this instant on.
    expires_at = models.DateTimeField(null=True, blank=True)
    # Set when the creator lost the role that lets one manage tokens (demoted or removed):
    # the page flags the token and the owners are told (peakos.memberships._role_lost).
    creator_lost_role_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_flagged(self) -> bool:
        return self.revoked_at is None and self.creator_lost_role_at is not None


class PeopleImport(models.Model):
    """An uploaded people CSV between its preview and its confirmation.

    The browser import is two requests (upload → preview, then confirm); the file
    waits here in between. Confirming re-plans from ``content`` inside the write
    transaction and checks the plan still matches the preview (``fingerprint``).
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", "Previewed"
        APPLIED = "applied", "Applied"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="people_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    content = models.TextField()
    deactivate_missing = models.BooleanField(default=False)
    fingerprint = models.CharField(max_length=64)
    summary = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEW)
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename or 'people.csv'} ({self.get_status_display()})"


class OrganizationDeletion(models.Model):
    """Operator-level record that an organization was deleted (not tenant-owned on purpose).

    The organization's own audit log goes with it, so this row is what is left: only the
    slug, who did it and when; nothing about the organization's people or results.
    """

    slug = models.CharField(max_length=60)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_by_email = models.EmailField(blank=True)
    deleted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return f"{self.slug} deleted {self.deleted_at:%Y-%m-%d} by {self.deleted_by_email or 'an operator'}"


class Heartbeat(models.Model):
    """The last time a background loop ran (not tenant data: one row per loop name).

    The survey scheduler's tick writes ``surveys-tick`` each time beat has it run on a worker,
    so pages that promise "the first round opens at …" can say when nothing would open it.
    """

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
