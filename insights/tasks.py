"""Celery tasks of the insights engine: thin, ids in, a service call, safe to run twice.

The surveys app calls two of them (see the surveys/insights contract):

* ``recompute_round.delay(round_id)`` after commit when a round closes;
* ``schedule_recompute(round_id)`` after each submit while a round is open:
  at most one recompute per minute per round.

Every task loads its organization and runs inside ``org_scope`` for exactly its
own work, so no tenant state survives from one task to the next in a worker.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.db import transaction

from insights import services
from peakos.models import Organization
from peakos.tenancy import org_scope
from surveys.models import Round

logger = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 60


def _round_organization_id(round_id: int) -> int | None:
    # Escape hatch: the contract names a round by id only, so look up which
    # organization owns it before entering that organization's scope.
    return Round.objects.with_scopes_disabled().filter(pk=round_id).values_list("organization_id", flat=True).first()


@shared_task(acks_late=True)
def recompute_round(round_id: int, organization_id: int | None = None) -> dict | None:
    """Recompute every snapshot and signal of one round (idempotent).

    ``organization_id`` is optional for the contract's one-argument call; when
    given, a round of another organization is simply not found.
    """
    if organization_id is None:
        organization_id = _round_organization_id(round_id)
    organization = Organization.objects.filter(pk=organization_id).first() if organization_id else None
    if organization is None:
        logger.info("recompute_round: round %s not found", round_id)
        return None
    with org_scope(organization):
        round_ = Round.objects.filter(pk=round_id, organization=organization).select_related("organization").first()
        if round_ is None:
            logger.info("recompute_round: round %s not found in organization %s", round_id, organization_id)
            return None
        report = services.recompute_round(round_=round_)
    if report is None:
        return None
    return {"round": report.round_id, "scopes": report.scopes, "rows": report.rows, "signals": report.signals}


@shared_task(acks_late=True)
def recompute_org(organization_id: int) -> int:
    """Recompute every round of an organization (backfill). Returns how many rounds were recomputed."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    with org_scope(organization):
        return len(services.recompute_org(organization=organization))


def debounce_key(round_id: int) -> str:
    return f"insights:recompute-scheduled:{round_id}"


def schedule_recompute(round_id: int, organization_id: int | None = None) -> None:
    """Debounced recompute while a round is open: at most once a minute per round.

    After the caller's transaction commits, the first call of a minute takes a
    cache lock for ``DEBOUNCE_SECONDS`` and schedules ``recompute_round`` that far
    ahead; calls while the lock is held do nothing, since that recompute will
    read their answers too. (Answers landing in the last instant can wait for the
    next submit or the recompute at close.) Eager mode ignores the countdown.
    """

    def enqueue() -> None:
        if cache.add(debounce_key(round_id), True, timeout=DEBOUNCE_SECONDS):
            recompute_round.apply_async(args=[round_id, organization_id], countdown=DEBOUNCE_SECONDS)

    transaction.on_commit(enqueue)
