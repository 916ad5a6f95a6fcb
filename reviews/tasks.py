"""Celery tasks of the reviews app: thin (ids in, a service call), safe to run twice.

The mail tasks work for one organization (``peakos.tenancy.tasks.TenantTask``: the
organization id first, the body inside its scope, so a cycle or review of another
organization is simply not found); ``tick`` is beat's, across organizations.
"""

from __future__ import annotations

import logging
from smtplib import SMTPException

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.apps import apps

from peakos.models import Organization
from peakos.tenancy import org_scope, scopes_disabled
from peakos.tenancy.tasks import TenantTask
from reviews import services
from reviews.models import BusinessReview, ReviewCycle

log = logging.getLogger(__name__)

# A mail server that refuses, resets or never answers (EMAIL_TIMEOUT, the soft time limit):
# retry with backoff. Safe: invitations are stamped one by one right after each e-mail, so
# a retry sends only the ones not sent; a decision e-mail that failed was not sent.
RETRY = {
    "autoretry_for": (SMTPException, OSError, SoftTimeLimitExceeded),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


class ReviewMailTask(TenantTask):
    """A tenant task that also runs messages queued by older code with the object id alone
    (before tenant tasks took (organization_id, object_id)): the organization is the
    object's (``legacy_model``); a message whose object is gone is dropped with a log line."""

    legacy_model = ""

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and not kwargs and not isinstance(args[0], Organization):
            (object_id,) = args
            with scopes_disabled():
                organization_id = (
                    apps.get_model(self.legacy_model)
                    .objects.filter(pk=object_id)
                    .values_list("organization_id", flat=True)
                    .first()
                )
            if organization_id is None:
                log.warning(
                    "%s: dropped a message of the old format: %s %s not found", self.name, self.legacy_model, object_id
                )
                return None
            log.info("%s: ran a message of the old format (%s %s)", self.name, self.legacy_model, object_id)
            return super().__call__(organization_id, object_id)
        return super().__call__(*args, **kwargs)


@shared_task(base=ReviewMailTask, legacy_model="reviews.ReviewCycle", acks_late=True, **RETRY)
def send_review_invitations(organization: Organization, cycle_id: int) -> int:
    """E-mail each team lead of an opened cycle the link to their review (each lead once)."""
    cycle = ReviewCycle.objects.select_related("organization").filter(pk=cycle_id).first()
    if cycle is None:
        return 0
    return services.send_invitations(cycle=cycle)


@shared_task(base=ReviewMailTask, legacy_model="reviews.BusinessReview", acks_late=True, **RETRY)
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
