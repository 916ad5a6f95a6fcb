"""Review-based signals: what the operating rhythm tells leaders before projects stall.

Four detectors, each a function of one organization's data (run inside its
scope) returning ``ReviewSignal`` records; each says what triggered it and
where. They read, never write, so insights can call them while recomputing
and the review packet can embed them.

* ``unlinked_priorities``: team and department priorities of a period linked to
  no parent priority (competing priorities);
* ``overdue_reviews``: reviews of an opened cycle still not submitted after the due date;
* ``off_track_metrics``: the latest submitted review of a team reports metrics off track;
* ``unanswered_asks``: asks of other teams still waiting for an answer after a while.

The grouping and severity rules are pure functions over plain rows
(``_group_*``), so they are tested without a database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from peakos.models import Priority, PriorityLevel, current_period
from reviews.models import (
    EDITABLE_STATUSES,
    Ask,
    AskStatus,
    BusinessReview,
    CycleStatus,
    MetricStatus,
    ReviewStatus,
)

ASK_ANSWER_DAYS = 14
VERY_LATE_DAYS = 7


@dataclass(frozen=True)
class ReviewSignal:
    kind: str  # unlinked_priorities | overdue_review | off_track_metrics | unanswered_asks
    severity: str  # low | medium | high
    team_id: int | None
    team_name: str
    title: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def key(self) -> str:
        """Stable name of the finding, so re-detecting it updates the same stored signal."""
        if self.kind == "overdue_review":
            return f"overdue_review:review:{self.evidence['review_id']}"
        if self.kind == "unlinked_priorities":
            return f"unlinked_priorities:team:{self.team_id}:{self.evidence['period']}"
        return f"{self.kind}:team:{self.team_id}"


# --- pure grouping rules -------------------------------------------------------------------------


def _group_unlinked(rows: Iterable[dict], period: str) -> list[ReviewSignal]:
    """rows: {team_id, team_name, title, linked: bool} for every team/department priority of the period."""
    by_team: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_team[row["team_id"]].append(row)
    out = []
    for team_id, items in by_team.items():
        unlinked = [r["title"] for r in items if not r["linked"]]
        if not unlinked:
            continue
        share = len(unlinked) / len(items)
        out.append(
            ReviewSignal(
                kind="unlinked_priorities",
                severity="high" if share > 0.5 else "medium" if share >= 0.25 else "low",
                team_id=team_id,
                team_name=items[0]["team_name"],
                title=f"{len(unlinked)} of {len(items)} {period} priorities linked to no company priority",
                evidence={"period": period, "unlinked": unlinked, "total": len(items)},
            )
        )
    return sorted(out, key=lambda s: (s.team_name, s.kind))


def _group_overdue(rows: Iterable[dict], today: date) -> list[ReviewSignal]:
    """rows: {review_id, team_id, team_name, cycle, due_on, status}."""
    out = []
    for row in rows:
        days = (today - row["due_on"]).days
        if days <= 0:
            continue
        out.append(
            ReviewSignal(
                kind="overdue_review",
                severity="high" if days > VERY_LATE_DAYS else "medium",
                team_id=row["team_id"],
                team_name=row["team_name"],
                title=f"{row['cycle']} review {days} day{'s' if days != 1 else ''} late",
                evidence={
                    "review_id": row["review_id"],
                    "due_on": row["due_on"].isoformat(),
                    "days_late": days,
                    "status": row["status"],
                },
            )
        )
    return sorted(out, key=lambda s: (-s.evidence["days_late"], s.team_name))


def _group_off_track(rows: Iterable[dict]) -> list[ReviewSignal]:
    """rows: {review_id, team_id, team_name, cycle, name, status, target, actual, unit} of each team's latest review."""
    by_review: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        by_review[row["review_id"]].append(row)
    out = []
    for review_id, items in by_review.items():
        off = [r for r in items if r["status"] == MetricStatus.OFF_TRACK]
        if not off:
            continue
        out.append(
            ReviewSignal(
                kind="off_track_metrics",
                severity="high" if len(off) * 2 >= len(items) else "medium",
                team_id=items[0]["team_id"],
                team_name=items[0]["team_name"],
                title=f"{len(off)} of {len(items)} metrics off track in the {items[0]['cycle']} review",
                evidence={
                    "review_id": review_id,
                    "metrics": [
                        {"name": r["name"], "target": _str(r["target"]), "actual": _str(r["actual"]), "unit": r["unit"]}
                        for r in off
                    ],
                },
            )
        )
    return sorted(out, key=lambda s: s.team_name)


def _group_asks(rows: Iterable[dict], today: date, after_days: int = ASK_ANSWER_DAYS) -> list[ReviewSignal]:
    """rows: {ask_id, to_team_id, to_team_name, from_team_name, request, asked_on} of open asks."""
    by_team: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        if (today - row["asked_on"]).days >= after_days:
            by_team[row["to_team_id"]].append(row)
    out = []
    for team_id, items in by_team.items():
        oldest = max((today - r["asked_on"]).days for r in items)
        out.append(
            ReviewSignal(
                kind="unanswered_asks",
                severity="high" if len(items) >= 3 or oldest > 2 * after_days else "medium",
                team_id=team_id,
                team_name=items[0]["to_team_name"],
                title=f"{len(items)} ask{'s' if len(items) != 1 else ''} from other teams unanswered for {after_days}+ days",
                evidence={
                    "asks": [
                        {"id": r["ask_id"], "from": r["from_team_name"], "request": r["request"]}
                        for r in sorted(items, key=lambda r: r["asked_on"])
                    ],
                    "oldest_days": oldest,
                },
            )
        )
    return sorted(out, key=lambda s: s.team_name)


def _str(value) -> str | None:
    return None if value is None else format(value.normalize(), "f")


# --- detectors (one organization, inside its scope) ----------------------------------------------


def unlinked_priorities(period: str | None = None, team_ids: set[int] | None = None) -> list[ReviewSignal]:
    period = period or current_period()
    qs = Priority.objects.filter(period=period, level__in=[PriorityLevel.DEPARTMENT, PriorityLevel.TEAM])
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    rows = [
        {"team_id": team_id, "team_name": team_name, "title": title, "linked": parent_id is not None}
        for team_id, team_name, title, parent_id in qs.values_list("team_id", "team__name", "title", "parent_id")
    ]
    return _group_unlinked(rows, period)


def overdue_reviews(today: date | None = None, team_ids: set[int] | None = None) -> list[ReviewSignal]:
    today = today or timezone.localdate()
    qs = BusinessReview.objects.filter(
        cycle__status__in=[CycleStatus.OPEN, CycleStatus.CLOSED],
        status__in=EDITABLE_STATUSES,
        cycle__due_on__lt=today,
    ).select_related("team", "cycle")
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    rows = [
        {
            "review_id": r.pk,
            "team_id": r.team_id,
            "team_name": r.team.name,
            "cycle": str(r.cycle),
            "due_on": r.cycle.due_on,
            "status": r.status,
        }
        for r in qs
    ]
    return _group_overdue(rows, today)


def latest_submitted_review_ids(team_ids: set[int] | None = None, before_cycle=None) -> dict[int, int]:
    """team id → id of its most recent submitted or approved review (optionally from cycles before one)."""
    qs = BusinessReview.objects.filter(status__in=[ReviewStatus.SUBMITTED, ReviewStatus.APPROVED])
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    if before_cycle is not None:
        qs = qs.exclude(cycle=before_cycle).filter(
            Q(cycle__opens_on__lt=before_cycle.opens_on) | Q(cycle__period__lt=before_cycle.period)
        )
    latest: dict[int, int] = {}
    for team_id, review_id in qs.order_by("team_id", "-cycle__opens_on", "-submitted_at").values_list("team_id", "id"):
        latest.setdefault(team_id, review_id)
    return latest


def off_track_metrics(team_ids: set[int] | None = None) -> list[ReviewSignal]:
    from reviews.models import Metric

    review_ids = list(latest_submitted_review_ids(team_ids).values())
    rows = [
        {
            "review_id": m.review_id,
            "team_id": m.review.team_id,
            "team_name": m.review.team.name,
            "cycle": str(m.review.cycle),
            "name": m.name,
            "status": m.status,
            "target": m.target,
            "actual": m.actual,
            "unit": m.unit,
        }
        for m in Metric.objects.filter(review_id__in=review_ids).select_related("review__team", "review__cycle")
    ]
    return _group_off_track(rows)


def unanswered_asks(
    today: date | None = None, team_ids: set[int] | None = None, after_days: int = ASK_ANSWER_DAYS
) -> list[ReviewSignal]:
    today = today or timezone.localdate()
    qs = Ask.objects.filter(
        status=AskStatus.OPEN,
        review__status__in=[ReviewStatus.SUBMITTED, ReviewStatus.APPROVED],
        review__submitted_at__isnull=False,
    ).select_related("to_team", "review__team")
    if team_ids is not None:
        qs = qs.filter(to_team_id__in=team_ids)
    rows = [
        {
            "ask_id": a.pk,
            "to_team_id": a.to_team_id,
            "to_team_name": a.to_team.name,
            "from_team_name": a.review.team.name,
            "request": a.request,
            "asked_on": timezone.localdate(a.review.submitted_at),
        }
        for a in qs
    ]
    return _group_asks(rows, today, after_days)


def detect_all(
    *, today: date | None = None, period: str | None = None, team_ids: set[int] | None = None
) -> list[ReviewSignal]:
    """Every review-based signal of the organization in scope (optionally limited to some teams)."""
    today = today or timezone.localdate()
    return (
        unlinked_priorities(period, team_ids)
        + overdue_reviews(today, team_ids)
        + off_track_metrics(team_ids)
        + unanswered_asks(today, team_ids)
    )


def detect_for_insights(organization) -> list:
    """The insights engine's organization detector (``insights.detectors.organization_detector``).

    Registered from ReviewsConfig.ready() when the engine provides the registry: it
    runs the detectors above in the organization's scope and hands the findings over
    as ``insights.detectors.Detected``, keyed so that recomputing updates them.
    """
    from insights.detectors import Detected
    from insights.vocabulary import ScopeKey
    from peakos.models import Team
    from peakos.tenancy import org_scope

    with org_scope(organization):
        found = detect_all()
        kinds = dict(Team.objects.filter(pk__in={s.team_id for s in found}).values_list("id", "kind"))
    return [
        Detected(
            kind=s.kind,
            key=s.key,
            scope=ScopeKey(kind=kinds[s.team_id], team=s.team_id),
            severity=s.severity,
            title=f"{s.team_name}: {s.title}",
            figures=s.evidence,
        )
        for s in found
        if s.team_id in kinds
    ]
