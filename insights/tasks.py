"""Celery tasks of the insights engine (thin: ids in, a service call, can run twice).

The surveys app calls these two names (see notes/CONTRACT_SURVEYS):
``recompute_round.delay_on_commit(round_id)`` when a round closes and
``schedule_recompute(round_id)`` after each submit while a round is open.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def recompute_round(round_id: int) -> None:
    """Recompute every snapshot and signal of one round (idempotent)."""
    # Filled in by the insights engine (issue 5); a no-op until then.
    return None


def schedule_recompute(round_id: int) -> None:
    """Debounced recompute while a round is open: at most once a minute per round."""
    # Filled in by the insights engine (issue 5); a no-op until then.
    return None
