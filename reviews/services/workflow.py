"""The review workflow after the draft: submit (a frozen version), approve or return, answer asks.

draft → submitted → approved, or → returned → submitted again. Approval writes the
review's next-period priorities into the core priority cascade.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from peakos.audit import record_audit
from peakos.models import Membership, Priority, PriorityLevel
from reviews import access
from reviews.models import (
    Ask,
    AskStatus,
    BusinessReview,
    Decision,
    ReviewStatus,
    ReviewVersion,
)

# Reminders go out this many days before the due date (one e-mail per threshold crossed).
from reviews.services.drafts import lock_editable
from reviews.services.mail import deny, mail, review_url
from reviews.versions import snapshot_of


def completeness_errors(review: BusinessReview) -> dict[str, list[str]]:
    """What a review needs before it can be submitted (metrics, priorities prefetched or not)."""
    errors: dict[str, list[str]] = {}
    missing = {
        "wins": gettext("Write the team's wins before submitting."),
        "misses": gettext("Write the team's misses before submitting."),
        "lessons": gettext("Write the team's lessons before submitting."),
    }
    for key, message in missing.items():
        if not getattr(review, key).strip():
            errors[key] = [message]
    if review.health is None:
        errors["health"] = [gettext("Rate the team's health before submitting.")]
    metrics = list(review.metrics.all())
    if not metrics:
        errors["metrics"] = [gettext("Add at least one metric with its target and actual.")]
    for i, m in enumerate(metrics):
        if m.actual is None:
            errors[f"metrics.{i}.actual"] = [
                gettext("Enter the actual of “%(metric)s” before submitting.") % {"metric": m.name}
            ]
    priorities = list(review.priorities.all())
    if not priorities:
        errors["priorities"] = [
            gettext("Set at least one priority for %(period)s.") % {"period": review.cycle.plans_for}
        ]
    if review.priority_level != PriorityLevel.COMPANY:
        for i, p in enumerate(priorities):
            if p.parent_id is None and not p.unlinked:
                errors[f"priorities.{i}.link"] = [
                    gettext("Link “%(title)s” to a company or department priority, or mark it unlinked.")
                    % {"title": p.title}
                ]
    return errors


@transaction.atomic
def submit_review(*, membership: Membership, review: BusinessReview) -> ReviewVersion:
    """Submit for approval: check completeness, freeze the content as a new version."""
    review = lock_editable(membership, review)
    errors = completeness_errors(review)
    if errors:
        raise ValidationError(errors)
    review = (
        BusinessReview.objects.select_related("team", "cycle")
        .prefetch_related("metrics", "priorities__parent", "risks__owner", "asks__to_team")
        .get(pk=review.pk)
    )
    now = timezone.now()
    review.version += 1
    version = ReviewVersion.objects.create(
        organization=review.organization,
        review=review,
        number=review.version,
        snapshot=snapshot_of(review),
        submitted_at=now,
        submitted_by=membership.user,
    )
    review.status = ReviewStatus.SUBMITTED
    review.submitted_at = now
    review.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    record_audit(
        organization=review.organization,
        actor=membership.user,
        action="reviews.review.submit",
        obj=review,
        summary=f"{review} v{version.number}",
    )
    return version


@transaction.atomic
def decide_review(
    *, membership: Membership, review: BusinessReview, decision: str, comment: str = ""
) -> BusinessReview:
    """Approve a submitted review, or return it to the team with comments (required)."""
    if not access.can_approve_review(membership):
        deny(gettext("Only leaders approve or return reviews."))
    review = BusinessReview.objects.select_for_update(of=("self",)).select_related("cycle", "team").get(pk=review.pk)
    comment = (comment or "").strip()
    if review.status != ReviewStatus.SUBMITTED:
        raise ValidationError(
            gettext("This review is %(status)s; only a submitted one is decided.")
            % {"status": review.get_status_display().lower()}
        )
    if decision not in Decision.values:
        raise ValidationError({"decision": [gettext("Approve or return.")]})
    if decision == Decision.RETURNED and not comment:
        raise ValidationError({"comment": [gettext("Say what the team should change when you return a review.")]})
    now = timezone.now()
    ReviewVersion.objects.filter(review=review, number=review.version).update(
        decision=decision, decision_comment=comment, decided_at=now, decided_by=membership.user
    )
    review.status = ReviewStatus.APPROVED if decision == Decision.APPROVED else ReviewStatus.RETURNED
    review.decided_at = now
    review.save(update_fields=["status", "decided_at", "updated_at"])
    created = set_next_period_priorities(review) if decision == Decision.APPROVED else []
    record_audit(
        organization=review.organization,
        actor=membership.user,
        action=f"reviews.review.{decision}",
        obj=review,
        summary=f"{review} v{review.version}" + (f": {comment}" if comment else ""),
        data={"priorities_created": [p.pk for p in created]},
    )
    from reviews.tasks import notify_review_decision  # tasks import the services: import on use

    notify_review_decision.delay_on_commit(review.organization, review.pk)
    return review


def set_next_period_priorities(review: BusinessReview) -> list[Priority]:
    """Write an approved review's priorities into the cascade for the period it plans.

    The leadership team's review sets the company priorities (its ABR: next year's);
    a department's sets department priorities, a team's team priorities. Idempotent:
    a priority with the same title, level, team and period is reused.
    """
    level = review.priority_level
    period = review.cycle.plans_for
    team = None if level == PriorityLevel.COMPANY else review.team
    out = []
    for rank, rp in enumerate(review.priorities.select_related("parent"), start=1):
        priority, created = Priority.objects.get_or_create(
            organization=review.organization,
            title=rp.title,
            period=period,
            level=level,
            team=team,
            defaults={"description": rp.description, "parent": rp.parent, "rank": rank},
        )
        if not created and (priority.parent_id != rp.parent_id or priority.rank != rank):
            priority.parent, priority.rank = rp.parent, rank
            priority.save(update_fields=["parent", "rank"])
        if rp.priority_id != priority.pk:
            rp.priority = priority
            rp.save(update_fields=["priority"])
        out.append(priority)
    return out


def send_decision_email(*, review: BusinessReview) -> bool:
    lead = review.team.lead
    version = review.versions.order_by("-number").first()
    if lead is None or not lead.email or version is None or not version.decision:
        return False
    mail(
        template="review_decision",
        subject=f"Your {review.cycle} review of {review.team.name} was {version.get_decision_display().lower()}",
        to=lead.email,
        context={"review": review, "version": version, "url": review_url(review, "review_detail")},
    )
    return True


# --- Asks ----------------------------------------------------------------------------------------


@transaction.atomic
def answer_ask(*, membership: Membership, ask: Ask, status: str, response: str = "") -> Ask:
    ask = Ask.objects.select_for_update(of=("self",)).select_related("to_team__lead", "review").get(pk=ask.pk)
    if not access.can_answer_ask(membership, ask.to_team):
        deny(gettext("Only the asked team's lead answers its asks."))
    if ask.review.status not in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED):
        raise ValidationError(gettext("This ask is still in a draft review."))
    response = (response or "").strip()
    if status not in (AskStatus.ACCEPTED, AskStatus.DECLINED):
        raise ValidationError({"status": [gettext("Accept or decline the ask.")]})
    if status == AskStatus.DECLINED and not response:
        raise ValidationError({"response": [gettext("Say why when you decline an ask.")]})
    ask.status, ask.response = status, response[:500]
    ask.answered_at, ask.answered_by = timezone.now(), membership.user
    ask.save(update_fields=["status", "response", "answered_at", "answered_by"])
    record_audit(
        organization=ask.organization, actor=membership.user, action="reviews.ask.answer", obj=ask, summary=status
    )
    return ask
