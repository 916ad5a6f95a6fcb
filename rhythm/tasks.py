"""Celery tasks of the rhythm app: thin (ids in, a service call), safe to run twice.

``send_meeting_recap`` works for one organization (``peakos.tenancy.tasks.TenantTask``: the
organization id first, the body inside its scope, so a meeting of another organization is
simply not found).
"""

from __future__ import annotations

from celery import shared_task

from peakos.models import Organization
from peakos.tenancy.tasks import TenantTask
from rhythm import services
from rhythm.models import Meeting


@shared_task(base=TenantTask, acks_late=True)
def send_meeting_recap(organization: Organization, meeting_id: int) -> int:
    """E-mail a concluded meeting's recap to its attendees (once: the service claims the meeting)."""
    meeting = Meeting.objects.select_related("organization", "series", "team").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    return services.send_recap(meeting=meeting)
