"""What the surveys app announces to the apps that build on it (Django signals).

Surveys know nothing of the apps that listen: the insights engine subscribes in its
``AppConfig.ready`` (``insights/apps.py``) and scores rounds; surveys never import
insights' tasks. Both events are sent inside the transaction of the change they
announce, so a receiver that queues work does it with ``on_commit`` (``TenantTask
.delay_on_commit``): nothing is queued for a change that rolls back.

* ``round_closed(round)`` — a round was closed (on time or early).
* ``response_submitted(organization_id, round_id)`` — one more response was stored in an
  open round. It names the round only: never the invitation, the person or the
  answers (a response is anonymous; no listener can link it to anyone).

A failing receiver is logged and never fails the sender: the round is closed and the
answer stored whatever a listener does (insights' stale-round sweep catches up).
"""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import Signal

__all__ = ["response_submitted", "round_closed", "send"]

log = logging.getLogger(__name__)

round_closed = Signal()
response_submitted = Signal()


def send(event: Signal, **kwargs: Any) -> None:
    """Send ``event`` to every receiver; a receiver's error is logged, not raised."""
    for receiver, result in event.send_robust(sender=None, **kwargs):
        if isinstance(result, Exception):
            log.error("surveys event receiver %r failed", receiver, exc_info=result)
