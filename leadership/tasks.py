"""Celery tasks of the leadership app: thin (ids in, a service call) and safe to run twice."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from leadership import services
from leadership.models import Feedback
from peakos.tenancy import org_scope


@shared_task(
    acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=30, retry_backoff_max=600, max_retries=8
)
def send_feedback_invitations(feedback_id: int) -> int:
    feedback = Feedback.objects.with_scopes_disabled().select_related("organization").filter(pk=feedback_id).first()
    if feedback is None:
        return 0
    with org_scope(feedback.organization):
        return services.send_invitations(feedback_id)
