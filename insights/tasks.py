"""Celery tasks of the insights engine: thin, ids in, a service call, safe to run twice.

The round and backfill tasks work for one organization (``peakos.tenancy.tasks.TenantTask``:
the organization id first, the body inside its scope, so a round of another organization is
simply not found and no tenant state survives from one task to the next in a worker).

Surveys do not call them: insights subscribes to the surveys' events in its
``AppConfig.ready`` (``surveys/events.py``; the receivers are at the end of this module):

* a closed round (``round_closed``) queues ``recompute_round`` after the close commits;
* a submitted response (``response_submitted``) asks for ``schedule_recompute``: at most
  one recompute per minute per round while it is open.

``sweep_stale_rounds`` (beat) works across organizations.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from insights import recompute
from peakos.models import Organization
from peakos.tenancy.tasks import TenantTask
from surveys.models import Round

logger = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 60


@shared_task(base=TenantTask, acks_late=True)
def recompute_round(organization: Organization, round_id: int) -> dict | None:
    """Recompute every snapshot and signal of one round of ``organization`` (idempotent)."""
    round_ = Round.objects.filter(pk=round_id).select_related("organization").first()
    if round_ is None:
        logger.info("recompute_round: round %s not found in organization %s", round_id, organization.pk)
        return None
    report = recompute.recompute_round(round_=round_)
    if report is None:
        return None
    return {"round": report.round_id, "scopes": report.scopes, "rows": report.rows, "signals": report.signals}


@shared_task(base=TenantTask, acks_late=True)
def recompute_org(organization: Organization) -> int:
    """Recompute every round of an organization (backfill). Returns how many rounds were recomputed."""
    return len(recompute.recompute_org(organization=organization))


def debounce_key(round_id: int) -> str:
    return f"insights:recompute-scheduled:{round_id}"


def _take_lock(round_id: int) -> bool | None:
    """Take the round's debounce lock: True if taken, False if held, None if the cache is down."""
    try:
        return bool(cache.add(debounce_key(round_id), True, timeout=DEBOUNCE_SECONDS))
    except Exception:
        logger.warning(
            "recompute of round %s not scheduled: cache unavailable (the sweep will)", round_id, exc_info=True
        )
        return None


def _release_lock(round_id: int) -> None:
    try:
        cache.delete(debounce_key(round_id))
    except Exception:
        logger.warning("debounce lock of round %s not released: cache unavailable", round_id, exc_info=True)


def enqueue_recompute(organization_id: int, round_id: int, *, countdown: int = 0) -> bool:
    """Hand ``recompute_round`` to the broker; on failure log, free the lock, return False.

    Never raises: callers run after a user's answer was committed, and a broker outage
    must not turn that stored answer into an error. The round stays stale and the
    sweep (``sweep_stale_rounds``) recomputes it once the broker is back. The lock is
    released so the next submit tries again instead of waiting out a lock that
    guards nothing.
    """
    try:
        recompute_round.apply_async(args=[organization_id, round_id], countdown=countdown)
    except Exception:
        logger.warning("recompute of round %s not enqueued (left for the sweep)", round_id, exc_info=True)
        _release_lock(round_id)
        return False
    return True


def schedule_recompute(organization_id: int, round_id: int) -> None:
    """Debounced recompute while a round is open: at most once a minute per round.

    After the caller's transaction commits, the first call of a minute takes a
    cache lock for ``DEBOUNCE_SECONDS`` and schedules ``recompute_round`` that far
    ahead; calls while the lock is held do nothing, since that recompute will
    read their answers too. (Answers landing in the last instant can wait for the
    next submit, the sweep or the recompute at close.) Eager mode ignores the countdown.

    Neither the cache nor the broker can make it fail: with the cache down nothing is
    enqueued (without the lock every submit would queue a recompute), with the broker
    down the lock is freed again; either way the sweep catches the round up.
    """

    def enqueue() -> None:
        if _take_lock(round_id):
            enqueue_recompute(organization_id, round_id, countdown=DEBOUNCE_SECONDS)

    transaction.on_commit(enqueue, robust=True)


@shared_task(acks_late=True)
def sweep_stale_rounds() -> int:
    """Beat, every few minutes: recompute every round whose answers are newer than its
    scores (``insights.selectors.stale_rounds``), so a broker, cache or worker outage
    heals by itself. A round whose debounced recompute is already pending (lock held)
    is left to it. Returns how many recomputes were queued."""
    from insights.selectors import stale_rounds

    queued = 0
    for round_id, organization_id in stale_rounds(timezone.now()):
        if _take_lock(round_id) is False:
            continue  # a debounced recompute is on its way
        if enqueue_recompute(organization_id, round_id):
            queued += 1
    if queued:
        logger.info("sweep: %s stale round(s) queued for recompute", queued)
    return queued


# --- Receivers of the surveys' events (connected in insights/apps.py) -------------------------


def on_round_closed(sender: object, round: Round, **kwargs: object) -> None:
    """The final scores of a closed round, after the close commits; the round is closed
    whatever the broker does (the sweep computes a round closed after its last scoring)."""
    recompute_round.delay_on_commit(round.organization_id, round.id)


def on_response_submitted(sender: object, organization_id: int, round_id: int, **kwargs: object) -> None:
    """Fresh scores while the round is open: debounced, after the answer commits, never an
    error for the employee (a broker or cache outage is left to the sweep)."""
    schedule_recompute(organization_id, round_id)
