"""What the reviews app reads from the insights engine: scores, signals, coordination.

The only module of this app that touches insights. It reads the stored results
of *closed* survey rounds in the current organization's scope: snapshots through
``insights.selectors.snapshots``, coordination cells and signals from their models,
and tolerates them being absent (no closed round yet, or the engine not installed):
functions then return ``None`` ("not available") so packets and pages say so.
Callers decide who may see team figures (``permissions.can_see_team``).

Anonymity: a suppressed row stores no figures, and nothing here turns one into
a number; it travels as ``suppressed=True`` with ``None`` values. The only new
figures are differences between two published figures of the same scope.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models.functions import Coalesce

from reviews.models import TARGET_DIMENSIONS

DIMENSIONS = dict(TARGET_DIMENSIONS)
RECENT_ROUNDS = 24  # packets compare recent rounds only; older ones do not change "since the last cycle"
WEAK_LINKS_PER_TEAM = 3
REVIEW_SIGNAL_KINDS = ("unlinked_priorities", "overdue_review", "off_track_metrics", "unanswered_asks")


def _insights():
    """The insights models, or None when the engine is not installed."""
    try:
        from insights import models
        from surveys.models import Round, RoundStatus
    except ImportError:  # pragma: no cover - the reviews app also runs without insights
        return None
    return models, Round, RoundStatus


def closed_rounds(limit: int | None = RECENT_ROUNDS) -> list[dict[str, Any]]:
    """Closed rounds of the organization in scope, oldest first: [{id, ended, label}]."""
    found = _insights()
    if found is None:
        return []
    _, Round, RoundStatus = found  # noqa: N806 - model classes
    qs = (
        Round.objects.filter(status=RoundStatus.CLOSED)
        .annotate(ended=Coalesce("closed_at", "closes_at"))
        .select_related("survey")
        .order_by("-ended", "-pk")
    )
    rows = [{"id": r.pk, "ended": r.ended, "label": str(r)} for r in (qs[:limit] if limit else qs)]
    return list(reversed(rows))


def _snapshots(round_ids: list[int], *, team_ids=None, organization: bool = False, dimensions=DIMENSIONS) -> list:
    """Stored snapshots (``insights.selectors.SnapshotRow``) of the teams' scopes, or of the organization."""
    from insights import selectors
    from insights.models import TEAM_SCOPE_KINDS, ScopeKind

    kinds = [ScopeKind.ORGANIZATION] if organization else list(TEAM_SCOPE_KINDS)
    rows = selectors.snapshots(
        round_ids, visible=selectors.ALL, kinds=kinds, team_ids=team_ids, dimensions=list(dimensions)
    )
    return list(rows.values())


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def survey_changes(team_ids: set[int], *, since: datetime | None) -> dict[int, list[dict[str, Any]]] | None:
    """team id → [{dimension, label, before, after, delta, suppressed}], biggest moves first.

    ``after`` is the team's latest closed round; ``before`` the last round that closed
    before ``since`` (the previous cycle's opening), or the round before ``after``.
    """
    rounds = closed_rounds()
    if not rounds or not team_ids:
        return None
    order = {r["id"]: i for i, r in enumerate(rounds)}
    cutoff = max((order[r["id"]] for r in rounds if since and r["ended"] <= since), default=None)
    series: dict[tuple[int, str], list] = defaultdict(list)
    for s in _snapshots(list(order), team_ids=team_ids):
        series[(s.scope.team, s.dimension)].append(s)
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for (team_id, dimension), items in series.items():
        items.sort(key=lambda s: order[s.round_id])
        after = items[-1]
        earlier = [s for s in items[:-1] if cutoff is None or order[s.round_id] <= cutoff]
        before = earlier[-1] if earlier else None
        suppressed = after.suppressed or (before is not None and before.suppressed)
        delta = None
        if not suppressed and before is not None:
            delta = _r(after.score - before.score)
        out[team_id].append(
            {
                "dimension": dimension,
                "label": DIMENSIONS[dimension],
                "before": None if suppressed or before is None else _r(before.score),
                "after": None if suppressed else _r(after.score),
                "delta": delta,
                "suppressed": suppressed,
            }
        )
    for items in out.values():
        items.sort(key=lambda c: (c["delta"] is None, -abs(c["delta"] or 0), c["label"]))
    return dict(out)


def team_signals(team_ids: set[int]) -> dict[int, list[dict[str, Any]]] | None:
    """team id → the open insights signals about that team (review-based ones come from reviews/detectors.py)."""
    found = _insights()
    if found is None:
        return None
    models, _, _ = found
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for s in (
        models.Signal.objects.filter(team_id__in=team_ids, status=models.SignalStatus.OPEN)
        .exclude(kind__in=REVIEW_SIGNAL_KINDS)
        .order_by("-detected_at")
    ):
        out[s.team_id].append(
            {"source": "insights", "id": s.pk, "kind": s.kind, "severity": s.severity, "title": s.title,
             "dimension": s.dimension}
        )  # fmt: skip
    return dict(out)


def weak_links(organization, team_ids: set[int]) -> dict[int, list[dict[str, Any]]] | None:
    """team id → the weakest coordination ratings it gave or received in the latest round with ratings."""
    found = _insights()
    if found is None or not team_ids:
        return None
    models, _, _ = found
    round_ids = [r["id"] for r in closed_rounds()]
    latest = (
        models.CoordinationCell.objects.filter(round_id__in=round_ids)
        .order_by()
        .values_list("round_id", flat=True)
        .distinct()
    )
    latest_ids = set(latest)
    chosen = next((rid for rid in reversed(round_ids) if rid in latest_ids), None)
    if chosen is None:
        return None
    threshold = models.SignalSettings.for_organization(organization).weak_link_mean
    cells = (
        models.CoordinationCell.objects.filter(round_id=chosen, rater_team__isnull=False, suppressed=False)
        .filter(mean__lte=threshold)
        .select_related("rater_team", "rated_team")
        .order_by("mean")
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for c in cells:
        for team_id, direction in ((c.rater_team_id, "given"), (c.rated_team_id, "received")):
            if team_id in team_ids and len(out[team_id]) < WEAK_LINKS_PER_TEAM:
                out[team_id].append(
                    {
                        "from_team": c.rater_team.name,
                        "to_team": c.rated_team.name,
                        "score": _r(c.mean),
                        "direction": direction,
                    }
                )
    return dict(out)


def team_scores(team_id: int) -> list[dict[str, Any]] | None:
    """The team's scores in its latest closed round: [{dimension, label, score, delta, suppressed, round}]."""
    rounds = closed_rounds()
    if not rounds:
        return None
    labels = {r["id"]: r["label"] for r in rounds}
    order = {r["id"]: i for i, r in enumerate(rounds)}
    snapshots = _snapshots(list(order), team_ids={team_id})
    if not snapshots:
        return None
    latest = max(order[s.round_id] for s in snapshots)
    out = [
        {
            "dimension": s.dimension,
            "label": DIMENSIONS[s.dimension],
            "score": None if s.suppressed else _r(s.score),
            "delta": None if s.suppressed else _r(s.delta),
            "suppressed": s.suppressed,
            "round": labels[s.round_id],
        }
        for s in snapshots
        if order[s.round_id] == latest
    ]
    return sorted(out, key=lambda d: list(DIMENSIONS).index(d["dimension"]))


def before_after(actions: list) -> dict[int, dict[str, Any]]:
    """action id → the target dimension before and after it, beside the organization's change.

    *Before*: the scope's last closed round ending before the action was created.
    *After*: its latest closed round ending after that. The organization's figures
    are read from the same two rounds, so a change everyone saw is told apart from
    the action's effect (``relative`` = scope change − organization change).
    Actions without a round closed after them are left out.
    """
    if not actions:
        return {}
    rounds = closed_rounds(limit=None)
    if _insights() is None or not rounds:
        return {}
    order = {r["id"]: i for i, r in enumerate(rounds)}
    ended = {r["id"]: r["ended"] for r in rounds}
    labels = {r["id"]: r["label"] for r in rounds}
    dims = {a.dimension for a in actions}
    team_ids = {a.scope_team_id for a in actions if a.scope_team_id}
    rows = _snapshots(list(order), organization=True, dimensions=dims)
    if team_ids:
        rows += _snapshots(list(order), team_ids=team_ids, dimensions=dims)
    series: dict[tuple[int | None, str], dict[int, Any]] = defaultdict(dict)
    for s in rows:  # the organization row has no team: it is keyed (None, dimension)
        series[(s.scope.team, s.dimension)][s.round_id] = s

    out: dict[int, dict[str, Any]] = {}
    for a in actions:
        own = series.get((a.scope_team_id, a.dimension), {})
        org = series.get((None, a.dimension), {})
        before_ids = [rid for rid in own if ended[rid] <= a.created_at]
        after_ids = [rid for rid in own if ended[rid] > a.created_at]
        if not after_ids:
            continue
        after_id = max(after_ids, key=order.get)
        before_id = max(before_ids, key=order.get) if before_ids else None
        before, after = own.get(before_id), own[after_id]
        suppressed = after.suppressed or (before is not None and before.suppressed)
        org_before, org_after = org.get(before_id), org.get(after_id)

        def value(s):
            return None if s is None or s.suppressed else _r(s.score)

        b, f = (None, None) if suppressed else (value(before), value(after))
        ob, oa = value(org_before), value(org_after)
        change = _r(f - b) if b is not None and f is not None else None
        org_change = _r(oa - ob) if ob is not None and oa is not None else None
        out[a.pk] = {
            "dimension_label": DIMENSIONS.get(a.dimension, a.dimension),
            "scope_label": a.scope_team.name if a.scope_team_id else "Organization",
            "before_round": labels[before_id] if before_id else None,
            "after_round": labels[after_id],
            "before": b,
            "after": f,
            "change": change,
            "org_before": ob,
            "org_after": oa,
            "org_change": org_change,
            "relative": _r(change - org_change) if change is not None and org_change is not None else None,
            "suppressed": suppressed,
        }
    return out
