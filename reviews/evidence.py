"""What the reviews app reads from the insights engine: scores, signals, coordination.

The only module of this app that touches insights, and only through its read layer
(``insights.selectors``: snapshots, open signals, the weakest coordination cells), and the
weekly rhythm's measured decision velocity (``rhythm.selectors``). It
reads the stored results of *closed* survey rounds in the current organization's scope,
and tolerates them being absent (no closed round yet): functions then return ``None``
("not available") so packets and pages say so. Callers decide who may see team figures
(``permissions.can_see_team``), so the reads use ``Viewer.everything()``.

Anonymity: a suppressed row stores no figures, and nothing here turns one into
a number; it travels as ``suppressed=True`` with ``None`` values. The only new
figures are differences between two published figures of the same scope.
"""

from __future__ import annotations

import zoneinfo
from collections import defaultdict
from dataclasses import asdict
from datetime import datetime
from typing import Any

from django.db.models.functions import Coalesce
from django.utils.translation import gettext, override

from insights import selectors
from peakos.selectors import team_tree
from reviews.models import TARGET_DIMENSIONS
from rhythm.selectors import pooled_team_ids, quarterly_velocity
from rhythm.velocity import quarters_of_period
from surveys.models import Round, RoundStatus

DIMENSIONS = dict(TARGET_DIMENSIONS)
RECENT_ROUNDS = 24  # packets compare recent rounds only; older ones do not change "since the last cycle"
WEAK_LINKS_PER_TEAM = 3
REVIEW_SIGNAL_KINDS = ("unlinked_priorities", "overdue_review", "off_track_metrics", "unanswered_asks")


def closed_rounds(limit: int | None = RECENT_ROUNDS) -> list[dict[str, Any]]:
    """Closed rounds of the organization in scope, oldest first: [{id, ended, label}]."""
    qs = (
        Round.objects.filter(status=RoundStatus.CLOSED)
        .annotate(ended=Coalesce("closed_at", "closes_at"))
        .select_related("survey")
        .order_by("-ended", "-pk")
    )
    rows = [{"id": r.pk, "ended": r.ended, "label": str(r)} for r in (qs[:limit] if limit else qs)]
    return list(reversed(rows))


def _snapshots(
    round_ids: list[int], *, team_ids=None, organization: bool = False, dimensions=DIMENSIONS
) -> list[selectors.SnapshotRow]:
    """Stored snapshots of the teams' scopes, or of the organization."""
    selection = (
        selectors.Selection(organization=True) if organization else selectors.Selection(team_ids=frozenset(team_ids))
    )
    rows = selectors.snapshots(round_ids, selection, selectors.Viewer.everything(), dimensions=list(dimensions))
    return list(rows.values())


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _stored_label(dimension: str) -> str:
    """A label stored in JSON (the packet) is English, the msgid, translated when shown."""
    with override("en"):
        return str(DIMENSIONS[dimension])


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
                "label": _stored_label(dimension),
                "before": None if suppressed or before is None else _r(before.score),
                "after": None if suppressed else _r(after.score),
                "delta": delta,
                "suppressed": suppressed,
            }
        )
    for items in out.values():
        items.sort(key=lambda c: (c["delta"] is None, -abs(c["delta"] or 0), c["label"]))
    return dict(out)


def team_signals(team_ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    """team id → the open insights signals about that team (review-based ones come from reviews/detectors.py)."""
    found = selectors.team_signals(team_ids, exclude_kinds=REVIEW_SIGNAL_KINDS)
    return {
        team_id: [
            {
                "source": "insights",
                "id": s.id,
                "kind": s.kind,
                "severity": s.severity,
                "title": s.title,
                "dimension": s.dimension,
            }
            for s in signals
        ]  # fmt: skip
        for team_id, signals in found.items()
    }


def weak_links(organization, team_ids: set[int]) -> dict[int, list[dict[str, Any]]] | None:
    """team id → the weakest coordination ratings it gave or received in the latest round with ratings."""
    if not team_ids:
        return None
    links = selectors.weakest_links(organization, [r["id"] for r in closed_rounds()])
    if links is None:
        return None
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for link in links:
        for team_id, direction in ((link.rater_team_id, "given"), (link.rated_team_id, "received")):
            if team_id in team_ids and len(out[team_id]) < WEAK_LINKS_PER_TEAM:
                out[team_id].append(
                    {"from_team": link.rater_team, "to_team": link.rated_team, "score": _r(link.mean),
                     "direction": direction}
                )  # fmt: skip
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
    if not rounds:
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
            "scope_label": a.scope_team.name if a.scope_team_id else gettext("Organization"),
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


def decision_velocity(organization, team_ids: set[int], period: str) -> dict[int, list[dict[str, Any]]]:
    """team id → decision velocity measured by its weekly meetings in each quarter of ``period``
    (a QBR's quarter, an ABR's four), the team pooled as its survey scope (a department with its
    subtree): [{quarter, complete, decisions, median_days_to_decision, waiting_at_end, …}].

    Figures about teams, never people (rhythm/velocity.py ``by_quarter``; docs/scoring.md). The
    survey's decision-velocity score is in ``survey_changes`` beside it."""
    if not team_ids:
        return {}
    tz = zoneinfo.ZoneInfo(organization.timezone or "UTC")
    tree = team_tree(organization)
    groups = {t: pooled_team_ids(tree, t) for t in team_ids if t in tree.teams}
    found = quarterly_velocity(organization, groups, quarters=quarters_of_period(period, tz))
    return {
        t: [{k: (round(v, 2) if isinstance(v, float) else v) for k, v in asdict(q).items()} for q in rows]
        for t, rows in found.items()
    }
