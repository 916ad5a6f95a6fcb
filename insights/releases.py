"""Live releases: an open round's responses are published in batches.

``release_pending`` cuts a release of the waiting responses once there are enough of them
(at least the round's threshold, and ``INSIGHTS_RELEASE_SHARE`` of the invited), and
``release_plan`` tells the engine, from a round's releases, which batch each response
belongs to and what earlier releases published (the audit never takes those back). See
``insights.models.Release`` and ``insights.engine.publish``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from insights import storage
from insights.models import Release, ReleasedResponse
from insights.vocabulary import ScopeKey
from peakos.models import Team
from surveys.models import Response, Round, RoundStatus


@dataclass
class ReleasePlan:
    """How a round's responses are published (see ``insights.models.Release``).

    A round that was never released live is scored on all its responses in one batch.
    Otherwise each response belongs to the batch of its release; the rows earlier
    releases published are the ``history``; ``level`` is the number of batches to
    publish now (None: replay, nothing new); ``deciding`` is the release whose
    published set this computation decides and stores.
    """

    batch: np.ndarray | None  # per response kept: its 1-based batch
    keep: np.ndarray | None  # which loaded responses take part (open rounds: released ones)
    batches: int = 1
    level: int | None = 1
    final: bool = True
    history: dict[str, list[tuple[ScopeKey, int]]] = field(default_factory=dict)
    deciding: Release | None = None
    teams: list[tuple[int, int | None, str]] | None = None


def release_plan(round_: Round, releases: Sequence[Release], release_of: np.ndarray) -> ReleasePlan:
    """The plan for a round given its releases and each loaded response's release (0: none)."""
    decided = [r for r in releases if r.published is not None]
    teams = [tuple(t) for t in releases[0].teams] if releases and releases[0].teams else None
    history: dict[str, list[tuple[ScopeKey, int]]] = {}
    for r in decided:
        for variable, keys in r.published.items():
            history.setdefault(variable, []).extend((ScopeKey(*key), r.number) for key in keys)
    if round_.status == RoundStatus.OPEN:
        undecided = [r for r in releases if r.published is None]
        keep = release_of > 0
        if not releases:
            return ReleasePlan(batch=None, keep=keep, level=None, final=False, teams=teams)
        last = releases[-1].number
        return ReleasePlan(
            batch=release_of[keep],
            keep=keep,
            batches=last,
            level=undecided[-1].number if undecided else None,
            final=False,
            history=history,
            deciding=undecided[-1] if undecided else None,
            teams=teams,
        )
    if not decided:
        return ReleasePlan(batch=None, keep=None, teams=teams)
    done = {r.number for r in decided}
    final = len(decided) + 1
    batch = np.array([v if v in done else final for v in release_of.tolist()], dtype=np.int64)
    return ReleasePlan(batch=batch, keep=None, batches=final, level=final, history=history, teams=teams)


def release_pending(round_: Round, *, now=None) -> int | None:
    """Cut a release of an open round's waiting responses, when there are enough of them.

    A release takes every response not yet released, once at least
    ``max(threshold, INSIGHTS_RELEASE_SHARE × invited)`` are waiting and the last
    release is ``INSIGHTS_RELEASE_INTERVAL`` seconds old. Batching answers this way is
    what lets a leader refresh the live dashboard without reading one person's answer
    from the change (the audit then decides which scopes each release may refresh).
    Returns the new release's number, or None.
    """
    now = now or timezone.now()
    released = ReleasedResponse.objects.filter(round=round_)
    waiting = Response.objects.filter(round=round_).exclude(pk__in=released.values("response_id"))
    invited = int(storage.load_invitations(round_)[:, 2].sum())
    minimum = max(round_.effective_anonymity_threshold, math.ceil(settings.INSIGHTS_RELEASE_SHARE * invited))
    last = Release.objects.filter(round=round_).order_by("-number").first()
    if last is not None and (now - last.created_at).total_seconds() < settings.INSIGHTS_RELEASE_INTERVAL:
        return None
    if waiting.count() < minimum:
        return None
    with transaction.atomic():
        Round.objects.select_for_update().filter(pk=round_.pk).values_list("pk", flat=True).first()
        number = (Release.objects.filter(round=round_).aggregate(n=Max("number"))["n"] or 0) + 1
        teams = list(Team.objects.filter(organization_id=round_.organization_id).values_list("id", "parent_id", "kind"))
        Release.objects.create(
            organization_id=round_.organization_id,
            round=round_,
            number=number,
            teams=[list(t) for t in teams] if number == 1 else [],
            created_at=now,
        )
        ReleasedResponse.objects.bulk_create(
            ReleasedResponse(organization_id=round_.organization_id, round=round_, response_id=pk, release=number)
            for pk in waiting.order_by("pk").values_list("pk", flat=True)
        )
    return number


def published_keys(released: dict[str, list[ScopeKey]]) -> dict[str, list[list]]:
    """What a release stores as published (``Release.published``): per variable, the scope keys as lists."""
    return {variable: [list(key) for key in keys] for variable, keys in released.items()}
