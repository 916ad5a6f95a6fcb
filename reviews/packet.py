"""The review packet: the evidence a team's review meeting starts from.

Prepared for every review of a cycle when the cycle opens, and stored as JSON
on the review, so the meeting sees the evidence as it stood that day:

* ``survey_changes``: the team's score changes since the last cycle (insights snapshots);
* ``signals``: the team's open signals (insights) and review-based signals (reviews/detectors.py);
* ``open_actions``: the team's actions not yet done;
* ``weak_links``: the weakest coordination ratings given to or by the team (insights);
* ``off_track_metrics``: off-track metrics of the team's previous review;
* ``decision_velocity``: decision velocity measured by the team's weekly meetings in each quarter
  of the cycle's period (rhythm), beside the survey's decision-velocity change;
* ``quarters`` (annual cycles only): the year's quarterly reviews of the team, rolled up.

Set-based: one pass of queries per cycle, not per team. Insights data may be
absent (no rounds yet, or the engine not installed): the packet then says so
instead of failing (``survey_available`` is false).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils import timezone

from reviews import detectors as review_signals
from reviews import evidence
from reviews.models import (
    OPEN_ACTION_STATUSES,
    Action,
    BusinessReview,
    CycleKind,
    Metric,
    MetricStatus,
    ReviewCycle,
    ReviewStatus,
)


def _num(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def previous_cycle(cycle: ReviewCycle) -> ReviewCycle | None:
    """The most recent cycle opened before this one (any kind): "since the last cycle" starts there."""
    qs = ReviewCycle.objects.exclude(pk=cycle.pk).filter(opened_at__isnull=False)
    if cycle.opened_at:
        qs = qs.filter(opened_at__lt=cycle.opened_at)
    return qs.order_by("-opened_at").first()


def quarterly_rollup(team_ids: set[int], year: str) -> dict[int, list[dict[str, Any]]]:
    """team id → the year's submitted/approved quarterly reviews, summarised (for annual reviews)."""
    reviews = list(
        BusinessReview.objects.filter(
            team_id__in=team_ids,
            cycle__kind=CycleKind.QUARTERLY,
            cycle__period__startswith=f"{year}-Q",
            status__in=[ReviewStatus.SUBMITTED, ReviewStatus.APPROVED],
        )
        .select_related("cycle")
        .prefetch_related("metrics", "priorities")
        .order_by("team_id", "cycle__period")
    )
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in reviews:
        metrics = list(r.metrics.all())
        counts = {s: sum(1 for m in metrics if m.status == s) for s in MetricStatus.values}
        out[r.team_id].append(
            {
                "review_id": r.pk,
                "period": r.cycle.period,
                "status": r.status,
                "health": r.health,
                "metric_counts": counts,
                "off_track": [m.name for m in metrics if m.status == MetricStatus.OFF_TRACK],
                "wins": r.wins,
                "misses": r.misses,
                "priorities": [p.title for p in r.priorities.all()],
            }
        )
    return dict(out)


def build_packets(cycle: ReviewCycle, reviews: list[BusinessReview]) -> dict[int, dict[str, Any]]:
    """review id → packet JSON for the given reviews of ``cycle``."""
    team_ids = {r.team_id for r in reviews}
    since_cycle = previous_cycle(cycle)
    since = since_cycle.opened_at if since_cycle else None

    survey = evidence.survey_changes(team_ids, since=since)
    insight_signals = evidence.team_signals(team_ids)
    weak = evidence.weak_links(cycle.organization, team_ids)
    velocity = evidence.decision_velocity(cycle.organization, team_ids, cycle.period)

    found = review_signals.unlinked_priorities(cycle.period, team_ids) + review_signals.off_track_metrics(team_ids)
    found += review_signals.unanswered_asks(team_ids=team_ids)
    # Late reviews of earlier cycles matter; this cycle's own review has only just opened.
    found += [s for s in review_signals.overdue_reviews(team_ids=team_ids) if s.evidence.get("review_id") not in {
        r.pk for r in reviews
    }]  # fmt: skip
    signals_by_team: dict[int, list[dict]] = defaultdict(list)
    for s in found:
        signals_by_team[s.team_id].append(
            {"source": "reviews", "kind": s.kind, "severity": s.severity, "title": s.title}
        )

    actions_by_team: dict[int, list[dict]] = defaultdict(list)
    for a in (
        Action.objects.filter(scope_team_id__in=team_ids, status__in=OPEN_ACTION_STATUSES)
        .select_related("owner")
        .order_by("due_on")
    ):
        actions_by_team[a.scope_team_id].append(
            {
                "id": a.pk,
                "title": a.title,
                "owner": a.owner.name if a.owner_id else "",
                "due_on": a.due_on.isoformat(),
                "status": a.get_status_display(),
                "dimension": a.get_dimension_display(),
            }
        )

    previous = review_signals.latest_submitted_review_ids(team_ids, before_cycle=cycle)
    off_by_team: dict[int, list[dict]] = defaultdict(list)
    for m in Metric.objects.filter(review_id__in=previous.values(), status=MetricStatus.OFF_TRACK).select_related(
        "review__cycle"
    ):
        off_by_team[m.review.team_id].append(
            {
                "name": m.name,
                "target": _num(m.target),
                "actual": _num(m.actual),
                "unit": m.unit,
                "period": m.review.cycle.period,
            }
        )

    quarters = quarterly_rollup(team_ids, cycle.period[:4]) if cycle.kind == CycleKind.ANNUAL else {}
    prepared = timezone.now().isoformat()
    packets = {}
    for r in reviews:
        packets[r.pk] = {
            "prepared_at": prepared,
            "since_cycle": str(since_cycle) if since_cycle else None,
            "survey_available": survey is not None,
            "survey_changes": (survey or {}).get(r.team_id, []),
            "signals": (insight_signals or {}).get(r.team_id, []) + signals_by_team.get(r.team_id, []),
            "open_actions": actions_by_team.get(r.team_id, []),
            "weak_links": (weak or {}).get(r.team_id, []),
            "off_track_metrics": off_by_team.get(r.team_id, []),
            "decision_velocity": velocity.get(r.team_id, []),
        }
        if cycle.kind == CycleKind.ANNUAL:
            packets[r.pk]["quarters"] = quarters.get(r.team_id, [])
    return packets


def prepare_packets(cycle: ReviewCycle, review_ids: list[int] | None = None) -> int:
    """Build and store the packet of every review of the cycle (or of some). Returns how many."""
    qs = BusinessReview.objects.filter(cycle=cycle).select_related("team")
    if review_ids is not None:
        qs = qs.filter(pk__in=review_ids)
    reviews = list(qs)
    packets = build_packets(cycle, reviews)
    now = timezone.now()
    for r in reviews:
        r.packet, r.packet_prepared_at = packets[r.pk], now
    BusinessReview.objects.bulk_update(reviews, ["packet", "packet_prepared_at"])
    return len(reviews)
