"""Celery tasks of the rhythm app: thin (ids in, a service call), safe to run twice."""

from __future__ import annotations

from celery import shared_task

from peakos.tenancy import org_scope, scopes_disabled


@shared_task(acks_late=True)
def send_meeting_recap(meeting_id: int) -> int:
    """E-mail a concluded meeting's recap to its attendees (once: the service claims the meeting)."""
    from rhythm import services
    from rhythm.models import Meeting

    # The meeting id names its organization; the work runs inside that organization's scope.
    with scopes_disabled():
        meeting = Meeting.objects.select_related("organization").filter(pk=meeting_id).first()
    if meeting is None:
        return 0
    with org_scope(meeting.organization):
        meeting = Meeting.objects.select_related("organization", "series", "team").get(pk=meeting_id)
        return services.send_recap(meeting=meeting)
