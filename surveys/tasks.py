"""Celery tasks of the surveys app: thin (ids in, a service call) and safe to run twice.

``tick`` is what Celery beat runs every minute (``CELERY_BEAT_SCHEDULE`` in
peakos/settings.py) and what ``manage.py pulses_tick`` runs once.

The send tasks work for one organization (``peakos.tenancy.tasks.TenantTask``: the
organization id first, the body inside its scope); the beat tasks work across
organizations and enter each one's scope in the services they call.
"""

from __future__ import annotations

from datetime import datetime
from smtplib import SMTPException

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from peakos.health import record_heartbeat
from peakos.models import Organization
from peakos.tenancy.tasks import TenantTask
from surveys.services import guard, mail, retention, schedule

# Mail-server hiccups — refused, reset, a server that never answers (EMAIL_TIMEOUT, or
# the soft time limit in CELERY_TASK_ANNOTATIONS): retry with backoff, the claim of the
# message in flight released. Sending is idempotent (see services/mail.py).
RETRY = {
    "autoretry_for": (SMTPException, OSError, SoftTimeLimitExceeded),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "max_retries": 8,
}


SCHEDULER_HEARTBEAT = "surveys-tick"


@shared_task(bind=True, acks_late=True)
def tick(self) -> str:
    """Open due rounds, close ended ones, queue reminders and lost invitations.

    Run through Celery (beat's schedule, on a worker) it also records the scheduler's
    heartbeat, which the survey pages read to say whether rounds will open by themselves;
    ``manage.py pulses_tick`` calls it directly and records none.
    """
    report = schedule.tick()
    if not self.request.called_directly:
        record_heartbeat(name=SCHEDULER_HEARTBEAT)
    return str(report)


@shared_task(base=TenantTask, acks_late=True, **RETRY)
def send_invitations(organization: Organization, invitation_ids: list[int]) -> int:
    """E-mail the survey links of these invitations (ids of another organization are not found)."""
    return mail.send_invitations(invitation_ids=invitation_ids)


@shared_task(base=TenantTask, acks_late=True, **RETRY)
def send_reminders(organization: Organization, invitation_ids: list[int], due: str) -> int:
    """Remind those of these invitations who have not answered since ``due``."""
    return mail.send_reminders(invitation_ids=invitation_ids, due=datetime.fromisoformat(due))


@shared_task(acks_late=True)
def apply_retention() -> list[str]:
    """Delete raw answers and comments past each organization's retention period (beat, every 6 hours)."""
    return [str(report) for report in retention.apply_retention_everywhere()]


@shared_task(acks_late=True)
def apply_answered_marks() -> int:
    """Set the "answered" flag of rounds whose mark moment passed (shuffled batches)."""
    return guard.apply_due_marks()
