"""Leadership development: 360° feedback for leaders, manager effectiveness, development plans.

360° feedback is anonymous the way pulses are (surveys/models.py):

* ``Rater`` records *that* someone was asked (and when the e-mail went out), never what
  they answered; its link is stored only as a SHA-256 (``token_hash``).
* ``FeedbackResponse`` keeps the feedback, the rater's *relationship* (self, manager,
  peer, direct report) and the day, never the rater; its id and its answers' ids are
  random, so neither row order nor ids follow the order people answered in.
* ``FeedbackGuard`` makes a second submit impossible: its primary key is a keyed hash of
  the rater (the key outside the database), so a dump cannot say whose guard it is.

Every model is tenant-owned (``organization`` + ``OrgScopedManager``).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from peakos.models import Organization, Person
from peakos.tenancy import OrgScopedManager
from surveys.models import random_id


class Relationship(models.TextChoices):
    SELF = "self", "Self"
    MANAGER = "manager", "Manager"
    PEER = "peer", "Peer"
    REPORT = "report", "Direct report"


# Relationships whose answers may be shown on their own (not pooled), if the leader says so.
INDIVIDUAL_RELATIONSHIPS = (Relationship.SELF, Relationship.MANAGER)


class FeedbackStatus(models.TextChoices):
    OPEN = "open", "Collecting answers"
    CLOSED = "closed", "Closed"


class Feedback(models.Model):
    """One 360° feedback about a leader: who is asked, until when, and what is shown how.

    ``anonymity_threshold`` / ``comment_threshold`` are the organization's when it started
    and never change. ``show_self`` / ``show_manager``: the leader chose to show those
    answers on their own; the raters of that relationship are told so on the page before
    they answer (and the choice cannot change once anyone answered).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    leader = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="feedbacks")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN)
    closes_at = models.DateTimeField()
    anonymity_threshold = models.PositiveSmallIntegerField()
    comment_threshold = models.PositiveSmallIntegerField()
    show_self = models.BooleanField(default=False, help_text="Show the leader's own ratings beside the others'.")
    show_manager = models.BooleanField(default=False, help_text="Show the manager's ratings on their own.")
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="feedback_org_id_unique"),
            models.CheckConstraint(condition=Q(anonymity_threshold__gte=3), name="feedback_threshold_at_least_3"),
        ]

    def __str__(self) -> str:
        return f"360° feedback for {self.leader}"

    @property
    def is_accepting(self) -> bool:
        return self.status == FeedbackStatus.OPEN and timezone.now() < self.closes_at

    def shown_individually(self, relationship: str) -> bool:
        return (relationship == Relationship.SELF and self.show_self) or (
            relationship == Relationship.MANAGER and self.show_manager
        )


class Rater(models.Model):
    """Someone asked to give feedback. Records that they were asked and e-mailed, never what they said."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="raters")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="feedback_requests")
    relationship = models.CharField(max_length=8, choices=Relationship.choices)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        ordering = ["relationship", "id"]
        constraints = [
            models.UniqueConstraint(fields=["feedback", "person"], name="rater_once_per_feedback"),
        ]

    def __str__(self) -> str:
        return f"{self.get_relationship_display()} of {self.feedback_id}"


class FeedbackGuard(models.Model):
    """The double-submit guard: primary key = keyed hash of the rater (leadership.services.guard_digest)."""

    digest = models.CharField(max_length=64, primary_key=True)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="+")

    objects = OrgScopedManager()


class FeedbackResponse(models.Model):
    """One anonymous answer sheet: the relationship and the day, never the rater."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="responses")
    relationship = models.CharField(max_length=8, choices=Relationship.choices)
    submitted_on = models.DateField(default=date.today)

    objects = OrgScopedManager()


class FeedbackAnswer(models.Model):
    """One answer: ``value`` 1–5 for a rated item, ``text`` for a comment (random id too)."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.SlugField(max_length=60)
    value = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True, max_length=5000)

    objects = OrgScopedManager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=5), name="feedbackanswer_value_range"
            ),
        ]
