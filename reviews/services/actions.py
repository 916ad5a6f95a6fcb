"""Action plans: created by leaders (any scope) or managers (their subtree) from a signal or a score."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from peakos import permissions
from peakos.audit import record_audit
from peakos.models import Membership, Person, Team
from reviews import access
from reviews.models import (
    TARGET_DIMENSIONS,
    Action,
    ActionStatus,
    BusinessReview,
)
from reviews.services.mail import deny

# Reminders go out this many days before the due date (one e-mail per threshold crossed).


def _clean_action_fields(fields: dict, errors: dict) -> dict:
    out = {}
    title = (fields.get("title") or "").strip()
    if not title:
        errors["title"] = [gettext("Give the action a title.")]
    out["title"] = title[:200]
    out["description"] = (fields.get("description") or "").strip()
    if fields.get("dimension") not in {d for d, _ in TARGET_DIMENSIONS}:
        errors["dimension"] = [gettext("Choose the score this action should move.")]
    out["dimension"] = fields.get("dimension")
    if not fields.get("due_on"):
        errors["due_on"] = [gettext("Set a due date.")]
    out["due_on"] = fields.get("due_on")
    owner_id = fields.get("owner_id")
    out["owner"] = None
    if owner_id:
        out["owner"] = Person.objects.filter(pk=owner_id).first()
        if out["owner"] is None:
            errors["owner_id"] = [gettext("Choose an owner from this organization's people.")]
    status = fields.get("status") or ActionStatus.OPEN
    if status not in ActionStatus.values:
        errors["status"] = [gettext("Choose a valid status.")]
    out["status"] = status
    return out


@transaction.atomic
def create_action(
    *,
    membership: Membership,
    title: str,
    dimension: str,
    due_on: date,
    scope_team_id: int | None = None,
    owner_id: int | None = None,
    description: str = "",
    source: str = "",
    source_label: str = "",
    review_id: int | None = None,
) -> Action:
    """A leader (any scope) or a manager (their subtree) commits to an action on a signal or a score."""
    scope_team = None
    if scope_team_id:
        scope_team = Team.objects.filter(pk=scope_team_id).first()
        if scope_team is None:
            raise ValidationError({"scope_team_id": [gettext("Choose a team of this organization.")]})
    if not access.can_create_action(membership, scope_team.pk if scope_team else None):
        deny(permissions.denial(access.can_create_action))
    errors: dict = {}
    fields = _clean_action_fields(
        {"title": title, "dimension": dimension, "due_on": due_on, "owner_id": owner_id, "description": description},
        errors,
    )
    review = BusinessReview.objects.filter(pk=review_id).first() if review_id else None
    if errors:
        raise ValidationError(errors)
    action = Action.objects.create(
        organization=membership.organization,
        scope_team=scope_team,
        source=(source or "")[:64],
        source_label=(source_label or "")[:300],
        review=review,
        created_by=membership.user,
        **fields,
    )
    record_audit(
        organization=membership.organization, actor=membership.user, action="reviews.action.create", obj=action,
        summary=f"{action.title} ({action.get_dimension_display()}, {scope_team or 'organization'})",
    )  # fmt: skip
    return action


@transaction.atomic
def update_action(*, membership: Membership, action: Action, **changes) -> Action:
    """Change an action's status, owner, due date, title or description."""
    action = Action.objects.select_for_update(of=("self",)).select_related("owner", "scope_team").get(pk=action.pk)
    if not access.can_edit_action(membership, action):
        deny()
    errors: dict = {}
    current = {
        "title": action.title,
        "description": action.description,
        "dimension": action.dimension,
        "due_on": action.due_on,
        "owner_id": action.owner_id,
        "status": action.status,
    }
    current.update({k: v for k, v in changes.items() if k in current})
    fields = _clean_action_fields(current, errors)
    if errors:
        raise ValidationError(errors)
    was_open = action.is_open
    for key, value in fields.items():
        setattr(action, key, value)
    if was_open and not action.is_open:
        action.completed_at = timezone.now()
    elif action.is_open:
        action.completed_at = None
    action.save()
    record_audit(
        organization=action.organization, actor=membership.user, action="reviews.action.update", obj=action,
        summary=f"{action.title}: {action.get_status_display()}",
    )  # fmt: skip
    return action
