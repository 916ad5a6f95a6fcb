"""Reads of the reviews app. Set-based: a fixed number of queries per page, none in loops or templates.

Every list that shows reviews filters with ``access.readable_reviews_filter``
so a person only ever sees the reviews the role rules let them read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext

from peakos import permissions
from peakos.models import Membership, Person, Priority, PriorityLevel, Team
from reviews import access, evidence
from reviews.models import (
    EDITABLE_STATUSES,
    OPEN_ACTION_STATUSES,
    Action,
    Ask,
    AskStatus,
    BusinessReview,
    CycleKind,
    CycleStatus,
    MetricStatus,
    ReviewCycle,
    ReviewStatus,
    ReviewVersion,
    parent_periods,
)
from reviews.packet import quarterly_rollup
from reviews.versions import SnapshotDiff, diff_snapshots


def readable_reviews(membership: Membership) -> QuerySet[BusinessReview]:
    return BusinessReview.objects.filter(access.readable_reviews_filter(membership))


def with_metric_counts(qs: QuerySet[BusinessReview]) -> QuerySet[BusinessReview]:
    return qs.annotate(
        metric_count=Count("metrics", distinct=True),
        off_track_count=Count("metrics", filter=Q(metrics__status=MetricStatus.OFF_TRACK), distinct=True),
    )


@dataclass
class Home:
    cycles: list[ReviewCycle]
    to_file: list[BusinessReview]
    to_approve: list[BusinessReview]
    late_count: int
    today: date


def reviews_home(membership: Membership, today: date) -> Home:
    """The reviews landing page: cycles, the reviews this person must file, those waiting for their decision."""
    cycles = list(
        ReviewCycle.objects.annotate(
            review_count=Count("reviews"),
            done_count=Count("reviews", filter=Q(reviews__status=ReviewStatus.APPROVED)),
            submitted_count=Count("reviews", filter=Q(reviews__status=ReviewStatus.SUBMITTED)),
        ).order_by("-opens_on", "-pk")
    )
    to_file = list(
        BusinessReview.objects.filter(team__lead__user_id=membership.user_id, status__in=EDITABLE_STATUSES)
        .exclude(cycle__status=CycleStatus.SCHEDULED)
        .select_related("team", "cycle")
        .order_by("cycle__due_on")
    )
    to_approve = []
    if access.can_approve_review(membership):
        to_approve = list(
            BusinessReview.objects.filter(status=ReviewStatus.SUBMITTED)
            .select_related("team", "cycle")
            .order_by("submitted_at")
        )
    late = readable_reviews(membership).filter(
        cycle__status__in=[CycleStatus.OPEN, CycleStatus.CLOSED], status__in=EDITABLE_STATUSES, cycle__due_on__lt=today
    )
    return Home(cycles=cycles, to_file=to_file, to_approve=to_approve, late_count=late.count(), today=today)


@dataclass
class CycleOverview:
    cycle: ReviewCycle
    reviews: list[BusinessReview]
    counts: dict[str, int]
    late: int
    hidden: int  # reviews of the cycle this person may not read


def cycle_overview(membership: Membership, cycle: ReviewCycle, today: date) -> CycleOverview:
    all_count = BusinessReview.objects.filter(cycle=cycle).count()
    reviews = list(
        with_metric_counts(readable_reviews(membership).filter(cycle=cycle))
        .select_related("team__lead", "team__parent")
        .order_by("team__name")
    )
    for r in reviews:
        r.cycle = cycle
        r.late = r.is_late(today)
    counts = {s: sum(1 for r in reviews if r.status == s) for s in ReviewStatus.values}
    return CycleOverview(
        cycle=cycle,
        reviews=reviews,
        counts=counts,
        late=sum(1 for r in reviews if r.late),
        hidden=all_count - len(reviews),
    )


def review_with_sections(review_id: int) -> BusinessReview:
    """A review with every section, in a fixed number of queries."""
    return (
        BusinessReview.objects.select_related("team__lead", "team__parent", "cycle", "organization")
        .prefetch_related(
            "metrics",
            Prefetch("priorities", queryset=_priorities_qs()),
            "risks__owner",
            "asks__to_team",
            Prefetch("versions", queryset=ReviewVersion.objects.select_related("submitted_by", "decided_by")),
        )
        .get(pk=review_id)
    )


def _priorities_qs():
    from reviews.models import ReviewPriority

    return ReviewPriority.objects.select_related("parent__team", "priority")


def parent_priority_choices(review: BusinessReview) -> list[tuple[str, list[tuple[int, str]]]]:
    """Priorities a review's priorities may link to, grouped for a <select> with optgroups."""
    level = review.priority_level
    if level == PriorityLevel.COMPANY:
        return []
    levels = (
        [PriorityLevel.COMPANY]
        if level == PriorityLevel.DEPARTMENT
        else [PriorityLevel.COMPANY, PriorityLevel.DEPARTMENT]
    )
    periods = parent_periods(review.cycle.plans_for)
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for p in (
        Priority.objects.filter(level__in=levels, period__in=periods)
        .select_related("team")
        .order_by("level", "-period", "team__name", "rank", "title")
    ):
        label = f"{p.team.name}: {p.title}" if p.team_id else p.title
        groups[f"{p.get_level_display()} priorities · {p.period}"].append((p.pk, label))
    return list(groups.items())


def open_actions_for_team(team_id: int) -> list[Action]:
    return list(
        Action.objects.filter(scope_team_id=team_id, status__in=OPEN_ACTION_STATUSES)
        .select_related("owner")
        .order_by("due_on")
    )


def people_choices() -> list[tuple[int, str]]:
    return list(Person.objects.filter(active=True).order_by("name").values_list("pk", "name"))


def team_choices(exclude_id: int | None = None) -> list[tuple[int, str]]:
    qs = Team.objects.filter(archived=False).order_by("name")
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.values_list("pk", "name"))


def leads_without_login(team_ids: list[int] | None = None) -> list[Person]:
    """Active team leads (of ``team_ids``, or every active team) who cannot log in to this organization:
    no linked login and no membership with their e-mail. Runs inside the organization's scope."""
    teams = Team.objects.filter(archived=False, lead__isnull=False, lead__active=True, lead__user__isnull=True)
    if team_ids is not None:
        teams = teams.filter(pk__in=team_ids)
    members = Membership.objects.values("user__email")
    return list(Person.objects.filter(pk__in=teams.values("lead_id")).exclude(email__in=members).order_by("name"))


def annual_rollup(review: BusinessReview) -> list[dict]:
    """For an annual review: the year's quarterly reviews of the team, as of now."""
    if review.cycle.kind != CycleKind.ANNUAL:
        return []
    return quarterly_rollup({review.team_id}, review.cycle.period[:4]).get(review.team_id, [])


def version_pair(
    review: BusinessReview, a: int | None, b: int | None
) -> tuple[ReviewVersion, ReviewVersion, SnapshotDiff] | None:
    """Two submitted versions (default: the last two) and their diff; None with fewer than two."""
    versions = {v.number: v for v in review.versions.all()}
    if len(versions) < 2:
        return None
    numbers = sorted(versions)
    b = b if b in versions else numbers[-1]
    a = a if a in versions and a != b else max((n for n in numbers if n < b), default=numbers[0])
    if a == b:
        a = numbers[0] if b != numbers[0] else numbers[1]
    old, new = versions[a], versions[b]
    return old, new, diff_snapshots(old.snapshot, new.snapshot)


@dataclass
class TeamPage:
    team: Team
    reviews: list[BusinessReview]
    latest: BusinessReview | None
    asks_received: list[Ask]
    asks_made: list[Ask]
    actions: list[Action]
    scores: list[dict] | None
    can_see_scores: bool
    contrast: str | None = None


HIGH_CONFIDENCE = 70
LOW_CONFIDENCE = 50


def confidence_vs_results(scores: list[dict] | None, review: BusinessReview | None) -> str | None:
    """Say so when the team's execution confidence and its reported metrics disagree."""
    confidence = next(
        (s for s in scores or [] if s["dimension"] == "execution_confidence" and not s["suppressed"]), None
    )
    if confidence is None or review is None:
        return None
    metrics = list(review.metrics.all())
    off = sum(1 for m in metrics if m.status == MetricStatus.OFF_TRACK)
    if not metrics:
        return None
    if confidence["score"] >= HIGH_CONFIDENCE and off:
        return gettext(
            "Execution confidence is %(score)s while %(off)s of %(total)s metrics are off track in the %(cycle)s review."
        ) % {"score": f"{confidence['score']:g}", "off": off, "total": len(metrics), "cycle": review.cycle}
    if confidence["score"] < LOW_CONFIDENCE and not off:
        return gettext(
            "Execution confidence is only %(score)s although no metric is off track in the %(cycle)s review."
        ) % {"score": f"{confidence['score']:g}", "cycle": review.cycle}
    return None


def team_page(membership: Membership, team: Team) -> TeamPage:
    reviews = list(
        with_metric_counts(readable_reviews(membership).filter(team=team))
        .select_related("cycle")
        .order_by("-cycle__opens_on", "-pk")
    )
    latest = next((r for r in reviews if r.status in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)), None)
    if latest is not None:
        latest = review_with_sections(latest.pk)
    # Asks become visible to the asked team once the asking review is submitted.
    asks_received = list(
        Ask.objects.filter(to_team=team, review__status__in=[ReviewStatus.SUBMITTED, ReviewStatus.APPROVED])
        .select_related("review__team", "review__cycle", "answered_by")
        .order_by("-review__submitted_at", "position")
    )
    asks_received.sort(key=lambda a: a.status != AskStatus.OPEN)  # open asks first (stable: newest first within)
    readable_ids = [r.pk for r in reviews]
    asks_made = list(
        Ask.objects.filter(review_id__in=readable_ids).select_related("to_team", "review__cycle").order_by("-review_id")
    )
    actions = list(
        Action.objects.filter(scope_team=team).select_related("owner__team", "scope_team").order_by("status", "due_on")
    )
    can_scores = permissions.can_see_team(membership, team.pk)
    figures = evidence.before_after(actions) if can_scores else {}
    for a in actions:
        a.figures = figures.get(a.pk)
    scores = evidence.team_scores(team.pk) if can_scores else None
    return TeamPage(
        team=team,
        reviews=reviews,
        latest=latest,
        asks_received=asks_received,
        asks_made=asks_made,
        actions=actions,
        scores=scores,
        can_see_scores=can_scores,
        contrast=confidence_vs_results(scores, latest),
    )


def visible_actions(membership: Membership) -> QuerySet[Action]:
    """Organization-wide actions for everyone; team actions for whoever may see the team."""
    qs = Action.objects.select_related("owner", "scope_team", "created_by")
    if permissions.can_see_all_results(membership):
        return qs
    visible = permissions.visible_team_ids(membership) or set()
    teams = visible | permissions.own_team_ids(membership)
    return qs.filter(
        Q(scope_team__isnull=True)
        | Q(scope_team_id__in=teams)
        | Q(owner__user_id=membership.user_id)
        | Q(scope_team__lead__user_id=membership.user_id)
    )


def actions_with_figures(membership: Membership) -> list[Action]:
    """Visible actions, each with ``figures`` (before/after) where the role may see its scope's scores."""
    actions = list(visible_actions(membership).order_by("status", "due_on"))
    visible = permissions.visible_team_ids(membership)
    shown = [a for a in actions if visible is None or a.scope_team_id is None or a.scope_team_id in visible]
    figures = evidence.before_after(shown)
    shown_ids = {a.pk for a in shown}
    for a in actions:
        a.figures = figures.get(a.pk)
        a.figures_hidden = a.pk not in shown_ids
    return actions


def cycle_for_print(membership: Membership, cycle: ReviewCycle) -> list[BusinessReview]:
    """Every readable review of a cycle with all sections, for the print view."""
    ids = list(readable_reviews(membership).filter(cycle=cycle).values_list("pk", flat=True))
    return list(
        BusinessReview.objects.filter(pk__in=ids)
        .select_related("team__lead", "cycle")
        .prefetch_related("metrics", Prefetch("priorities", queryset=_priorities_qs()), "risks__owner", "asks__to_team")
        .order_by("team__name")
    )
