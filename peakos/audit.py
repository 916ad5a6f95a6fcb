"""The audit log: every service records what it changed, in the same transaction."""

from __future__ import annotations

from peakos.models import AuditEvent, Organization


def record_audit(
    *,
    organization: Organization,
    actor,
    action: str,
    obj=None,
    summary: str = "",
    data: dict | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the transaction of the change it records."""
    return AuditEvent.objects.with_scope(organization=organization).create(
        organization=organization,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:500],
        data=data or {},
    )
