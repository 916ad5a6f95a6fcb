"""Writes of insights that people make: the signal thresholds of an organization.

The engine's own writes live by job: ``insights.recompute`` (score and store a round or a
backfill), ``insights.releases`` (live releases), ``insights.signal_sync`` (signals),
``insights.storage`` (the loaders and the COPY writer).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from insights.models import SignalSettings
from peakos import permissions
from peakos.audit import record_audit

SETTINGS_FIELDS = (
    "drop_points",
    "leadership_gap_points",
    "low_participation",
    "priority_confusion",
    "weak_link_mean",
    "driver_min_respondents",
)


@transaction.atomic
def update_signal_settings(*, membership, actor, **fields) -> SignalSettings:
    """Change an organization's signal thresholds (admins and owners). They apply from the next recompute."""
    if not permissions.can_manage(membership):
        raise PermissionDenied("Your role does not allow this.")
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown settings: {', '.join(sorted(unknown))}")
    organization = membership.organization
    settings, _ = SignalSettings.objects.select_for_update().get_or_create(organization=organization)
    before = {k: getattr(settings, k) for k in fields}
    for key, value in fields.items():
        setattr(settings, key, value)
    settings.full_clean()
    settings.save()
    changed = {k: v for k, v in fields.items() if before[k] != v}
    if changed:
        record_audit(
            organization=organization,
            actor=actor,
            action="insights.signal_settings",
            obj=settings,
            summary=", ".join(f"{k}: {before[k]} → {v}" for k, v in changed.items()),
            data={"before": {k: before[k] for k in changed}, "after": changed},
        )
    return settings
