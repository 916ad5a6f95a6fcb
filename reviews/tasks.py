"""Celery tasks of the reviews app: thin (ids in, a service call), safe to run twice.

The mail tasks work for one organization (``peakos.tenancy.tasks.TenantTask``: the
organization id first, the body inside its scope, so a cycle or review of another
organization is simply not found); ``tick`` is beat's, across organizations.
"""

from __future__ import annotations

from celery import shared_task

from peakos.models import Organization
from peakos.tenancy import org_scope
from peakos.tenancy.tasks import TenantTask
from reviews import services
from reviews.models import BusinessReview, ReviewCycle


@shared_task(base=TenantTask, acks_late=True)
def send_review_invitations(organization: Organization, cycle_id: int) -> int:
    """E-mail each team lead of an opened cycle the link to their review (each lead once)."""
    cycle = ReviewCycle.objects.select_related("organization").filter(pk=cycle_id).first()
    if cycle is None:
        return 0
    return services.send_invitations(cycle=cycle)


@shared_task(base=TenantTask, acks_late=True)
def notify_review_decision(organization: Organization, review_id: int) -> bool:
    """Tell the team lead their review was approved or returned."""
    review = BusinessReview.objects.select_related("team__lead", "cycle", "organization").filter(pk=review_id).first()
    if review is None:
        return False
    return services.send_decision_email(review=review)


@shared_task(acks_late=True)
def tick(organization_id: int | None = None) -> dict:
    """Beat entry (hourly): open cycles whose day has come, send reminders, count late reviews."""
    orgs = Organization.objects.all() if organization_id is None else Organization.objects.filter(pk=organization_id)
    totals = {"opened": 0, "reminded": 0, "late": 0}
    for org in orgs.order_by("pk"):
        with org_scope(org):
            result = services.tick(organization=org)
        for key in totals:
            totals[key] += getattr(result, key)
    return totals
