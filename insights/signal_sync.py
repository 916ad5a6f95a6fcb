"""Signals kept in step with the detectors: what a recompute found becomes stored ``Signal`` rows.

``detect_round_signals`` runs the round detectors on a scored round; ``sync_signals`` makes
the stored signals match (a resolved signal stays resolved, a signal no longer found while
open is taken back); ``run_organization_detectors`` does the same for the signals not tied
to a round (reviews registers those detectors).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from insights import detectors, engine
from insights.models import Signal, SignalStatus
from peakos.models import Layer, Organization, Priority
from surveys.models import Dimension, Round, RoundStatus

if TYPE_CHECKING:
    from insights.recompute import OrgData


SIGNAL_FIELDS = ("kind", "scope_kind", "team_id", "layer", "depth", "dimension", "severity", "title", "figures")


def _signal_values(found: detectors.Detected) -> dict:
    return {
        "kind": found.kind,
        "scope_kind": found.scope.kind,
        "team_id": found.scope.team,
        "layer": found.scope.layer,
        "depth": found.scope.depth,
        "dimension": found.dimension,
        "severity": found.severity,
        "title": found.title[:300],
        "figures": found.figures,
    }


def sync_signals(*, organization: Organization, round_: Round | None, found: Iterable[detectors.Detected]) -> int:
    """Make the stored signals of a round (or, with ``round_=None``, the organization's
    round-less signals) match what was just detected.

    Matched by ``key``: a finding seen again updates its row (keeping its status, so a
    signal someone resolved stays resolved); a new finding opens a signal; an *open*
    signal no longer found is deleted (a recompute took it back). Returns the number
    of signals found.
    """
    latest = {f.key: f for f in found}  # one per key
    qs = Signal.objects.filter(organization=organization)
    qs = qs.filter(round=round_) if round_ is not None else qs.filter(round__isnull=True)
    existing = {s.key: s for s in qs}
    changed, created = [], []
    for key, f in latest.items():
        values = _signal_values(f)
        signal = existing.get(key)
        if signal is None:
            created.append(Signal(organization=organization, round=round_, key=key, **values))
        elif any(getattr(signal, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(signal, name, value)
            changed.append(signal)
    stale = [s.pk for key, s in existing.items() if key not in latest and s.status == SignalStatus.OPEN]
    if stale:
        Signal.objects.filter(pk__in=stale).delete()
    if changed:
        now = timezone.now()
        for signal in changed:
            signal.updated_at = now
        Signal.objects.bulk_update(changed, [*SIGNAL_FIELDS, "updated_at"])
    if created:
        Signal.objects.bulk_create(created)
    return len(latest)


def detect_round_signals(round_: Round, org: OrgData, result: engine.RoundResult) -> list[detectors.Detected]:
    titles = {}
    if result.priorities is not None and result.priorities.top_priority is not None:
        titles = dict(Priority.objects.filter(pk=result.priorities.top_priority).values_list("id", "title"))
    context = detectors.RoundContext(
        round_closed=round_.status == RoundStatus.CLOSED,
        settings=org.settings,
        threshold=round_.effective_anonymity_threshold,
        team_names=org.team_names,
        dependencies=org.dependencies,
        dimension_labels=dict(Dimension.choices),
        layer_labels=dict(Layer.choices),
        priority_titles=titles,
    )
    return [found for detect in detectors.ROUND_DETECTORS for found in detect(result, context)]


def run_organization_detectors(organization: Organization) -> int:
    """Signals not tied to a round (e.g. from reviews), stored with ``round = None``."""
    if not detectors.ORGANIZATION_DETECTORS:
        return 0
    found = [f for detect in detectors.ORGANIZATION_DETECTORS for f in detect(organization)]
    with transaction.atomic():
        return sync_signals(organization=organization, round_=None, found=found)
