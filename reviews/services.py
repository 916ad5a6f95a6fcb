"""Writes of the reviews app: cycles, the review workflow, asks and actions.

Each service is one transaction, checks the role rules of peakos/permissions.py,
validates all of its input before writing anything (a bad row changes nothing),
and raises ``ValidationError`` with keys the views map back onto their forms:
``"wins"``, ``"metrics"`` (the whole section) or ``"metrics.2.actual"`` (a row's field).

The workflow: draft → submitted → approved, or → returned → submitted again.
Every submission is frozen as a ReviewVersion; approval writes the review's
next-period priorities into the core priority cascade.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from peakos import permissions
from peakos.models import Membership, Organization, Person, Priority, PriorityLevel, Team
from peakos.services import record_audit
from reviews import packet as review_packet
from reviews.models import (
    EDITABLE_STATUSES,
    TARGET_DIMENSIONS,
    Action,
    ActionStatus,
    Ask,
    AskStatus,
    BusinessReview,
    CycleStatus,
    Decision,
    Metric,
    MetricStatus,
    ReviewCycle,
    ReviewPriority,
    ReviewStatus,
    ReviewVersion,
    Risk,
    Severity,
    parent_periods,
)
from reviews.versions import snapshot_of

# Reminders go out this many days before the due date (one e-mail per threshold crossed).
REMINDER_DAYS_BEFORE = (7, 2)
UNLINKED = "unlinked"
MAX_DIGITS_BEFORE_POINT = 12


def _deny(message: str = "Your role does not allow this.") -> None:
    raise PermissionDenied(message)


# --- Cycles -----------------------------------------------------------------------------------------


@transaction.atomic
def create_cycle(
    *,
    membership: Membership,
    kind: str,
    period: str,
    opens_on: date,
    due_on: date,
    team_ids: list[int],
    today: date | None = None,
) -> ReviewCycle:
    """Create a cycle with one draft review per chosen team; open it now if its opening date has come."""
    if not permissions.can_open_review_cycle(membership):
        _deny()
    org = membership.organization
    cycle = ReviewCycle(
        organization=org, kind=kind, period=(period or "").strip(), opens_on=opens_on, due_on=due_on,
        created_by=membership.user,
    )  # fmt: skip
    errors: dict[str, list[str]] = {}
    try:
        cycle.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "period" not in errors and ReviewCycle.objects.filter(kind=kind, period=cycle.period).exists():
        errors["period"] = [f"There is already a {cycle.short_kind} for {cycle.period}."]
    wanted = set(team_ids or [])
    teams = list(Team.objects.filter(pk__in=wanted, archived=False))
    if not wanted:
        errors["team_ids"] = ["Choose at least one team."]
    elif len(teams) != len(wanted):
        errors["team_ids"] = ["Some of the chosen teams do not exist or are archived."]
    if errors:
        raise ValidationError(errors)
    cycle.save()
    BusinessReview.objects.bulk_create([BusinessReview(organization=org, cycle=cycle, team=t) for t in teams])
    record_audit(
        organization=org,
        actor=membership.user,
        action="reviews.cycle.create",
        obj=cycle,
        summary=f"{cycle} for {len(teams)} teams, due {due_on:%Y-%m-%d}",
    )
    if opens_on <= (today or timezone.localdate()):
        open_cycle(cycle=cycle, actor=membership.user)
    return cycle


@transaction.atomic
def open_cycle(*, cycle: ReviewCycle, actor=None) -> bool:
    """Open a scheduled cycle: prepare each team's packet, then e-mail each team lead (after commit).

    Safe to call twice: an open or closed cycle is left alone.
    """
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != CycleStatus.SCHEDULED:
        return False
    cycle.status = CycleStatus.OPEN
    cycle.opened_at = timezone.now()
    cycle.save(update_fields=["status", "opened_at"])
    review_packet.prepare_packets(cycle)
    record_audit(
        organization=cycle.organization, actor=actor, action="reviews.cycle.open", obj=cycle, summary=str(cycle)
    )
    from reviews.tasks import send_review_invitations

    cycle_id = cycle.pk
    transaction.on_commit(lambda: send_review_invitations.delay(cycle_id))
    return True


@transaction.atomic
def open_cycle_now(*, membership: Membership, cycle: ReviewCycle) -> bool:
    if not permissions.can_open_review_cycle(membership):
        _deny()
    return open_cycle(cycle=cycle, actor=membership.user)


@transaction.atomic
def close_cycle(*, membership: Membership, cycle: ReviewCycle) -> ReviewCycle:
    """Close a cycle: no new invitations or reminders. Late teams may still submit."""
    if not permissions.can_open_review_cycle(membership):
        _deny()
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != CycleStatus.OPEN:
        raise ValidationError("Only an open cycle can be closed.")
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at = timezone.now()
    cycle.save(update_fields=["status", "closed_at"])
    record_audit(organization=cycle.organization, actor=membership.user, action="reviews.cycle.close", obj=cycle)
    return cycle


def _review_url(review: BusinessReview, name: str = "review_edit") -> str:
    return settings.SITE_URL + reverse(name, kwargs={"org_slug": review.organization.slug, "review_id": review.pk})


def _mail(*, template: str, subject: str, to: str, context: dict) -> None:
    send_mail(
        subject=subject,
        message=render_to_string(f"reviews/email/{template}.txt", context),
        from_email=None,
        recipient_list=[to],
        html_message=render_to_string(f"reviews/email/{template}.html", context),
    )


def send_invitations(*, cycle: ReviewCycle) -> int:
    """E-mail each team lead a link to their review, once (stamps ``invited_at`` per review)."""
    if cycle.status == CycleStatus.SCHEDULED:
        return 0
    sent = 0
    reviews = (
        BusinessReview.objects.filter(cycle=cycle, invited_at__isnull=True, team__lead__isnull=False)
        .select_related("team__lead", "cycle", "organization")
        .order_by("pk")
    )
    for review in reviews:
        lead = review.team.lead
        if not lead.email or not lead.active:
            continue
        _mail(
            template="review_open",
            subject=f"{cycle.short_kind} {cycle.period}: your review of {review.team.name} is open",
            to=lead.email,
            context={"review": review, "cycle": cycle, "lead": lead, "url": _review_url(review)},
        )
        # Stamp each one right after its e-mail: a retry after a crash does not send twice.
        BusinessReview.objects.filter(pk=review.pk).update(invited_at=timezone.now())
        sent += 1
    return sent


def reminder_due(review: BusinessReview, today: date) -> bool:
    """True when a reminder threshold (7 or 2 days before due) has passed since the last reminder."""
    if review.status not in EDITABLE_STATUSES or review.cycle.status != CycleStatus.OPEN or today > review.cycle.due_on:
        return False
    crossed = [review.cycle.due_on.toordinal() - d for d in REMINDER_DAYS_BEFORE]
    crossed = [date.fromordinal(o) for o in crossed if o <= today.toordinal()]
    if not crossed:
        return False
    return review.reminded_on is None or review.reminded_on < max(crossed)


def send_reminders(*, organization: Organization, today: date) -> int:
    reviews = (
        BusinessReview.objects.filter(
            cycle__status=CycleStatus.OPEN, status__in=EDITABLE_STATUSES, team__lead__isnull=False
        )
        .select_related("team__lead", "cycle", "organization")
        .order_by("pk")
    )
    sent = 0
    for review in reviews:
        if not reminder_due(review, today) or not review.team.lead.active:
            continue
        days_left = (review.cycle.due_on - today).days
        _mail(
            template="review_reminder",
            subject=f"Reminder: the {review.cycle} review of {review.team.name} is due in {days_left} days",
            to=review.team.lead.email,
            context={"review": review, "cycle": review.cycle, "days_left": days_left, "url": _review_url(review)},
        )
        BusinessReview.objects.filter(pk=review.pk).update(reminded_on=today)
        sent += 1
    return sent


@dataclass
class TickResult:
    opened: int = 0
    reminded: int = 0
    late: int = 0


def tick(*, organization: Organization, today: date | None = None) -> TickResult:
    """The periodic job for one organization: open cycles whose day has come, send reminders, count late reviews.

    Idempotent within a day. Run inside ``org_scope(organization)``.
    """
    today = today or timezone.localdate()
    result = TickResult()
    for cycle in ReviewCycle.objects.filter(status=CycleStatus.SCHEDULED, opens_on__lte=today):
        result.opened += int(open_cycle(cycle=cycle))
    result.reminded = send_reminders(organization=organization, today=today)
    result.late = BusinessReview.objects.filter(
        cycle__status__in=[CycleStatus.OPEN, CycleStatus.CLOSED],
        status__in=EDITABLE_STATUSES,
        cycle__due_on__lt=today,
    ).count()
    return result


# --- The review itself ---------------------------------------------------------------------------


def _lock_editable(membership: Membership, review: BusinessReview) -> BusinessReview:
    review = BusinessReview.objects.select_for_update().select_related("cycle", "team__lead").get(pk=review.pk)
    if not permissions.can_edit_review(membership, review):
        _deny("Only the team's lead edits its review.")
    if review.cycle.status == CycleStatus.SCHEDULED:
        raise ValidationError(f"This cycle opens on {review.cycle.opens_on:%d %b %Y}; the review cannot be edited yet.")
    if review.status not in EDITABLE_STATUSES:
        raise ValidationError(f"This review is {review.get_status_display().lower()} and can no longer be edited.")
    return review


def parse_number(value: Any, *, what: str) -> Decimal | None:
    """A metric figure: empty → None; otherwise a plain decimal number, or a clear error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(
            f"{what} must be a number, e.g. 42 or 97.5 — “{text[:40]}” is not. Put the unit (%, €, days) in Unit."
        )
    if abs(number) >= Decimal(10) ** MAX_DIGITS_BEFORE_POINT:
        raise ValidationError(f"{what} is too large.")
    return number.quantize(Decimal("0.01"))


def _clean_metrics(rows: list[dict], errors: dict) -> list[dict]:
    out = []
    for row in rows:
        i = row.get("row", len(out))
        name = (row.get("name") or "").strip()
        if not name:
            errors[f"metrics.{i}.name"] = ["Give the metric a name."]
        values = {}
        for key, label in (("target", "Target"), ("actual", "Actual")):
            try:
                values[key] = parse_number(row.get(key), what=label)
            except ValidationError as exc:
                errors[f"metrics.{i}.{key}"] = exc.messages
        if "target" in values and values["target"] is None and f"metrics.{i}.target" not in errors:
            errors[f"metrics.{i}.target"] = ["Enter the target as a number."]
        status = row.get("status") or MetricStatus.ON_TRACK
        if status not in MetricStatus.values:
            errors[f"metrics.{i}.status"] = ["Choose on track, at risk or off track."]
        out.append(
            {"row": i, "name": name[:200], "unit": (row.get("unit") or "").strip()[:30], "status": status, **values}
        )
    return out


def _clean_priorities(review: BusinessReview, rows: list[dict], errors: dict) -> list[dict]:
    """Check each link: a company/department priority of this organization, of the period planned for."""
    level = review.priority_level
    allowed_levels = {
        PriorityLevel.COMPANY: set(),
        PriorityLevel.DEPARTMENT: {PriorityLevel.COMPANY},
        PriorityLevel.TEAM: {PriorityLevel.COMPANY, PriorityLevel.DEPARTMENT},
    }[level]
    plans_for = review.cycle.plans_for
    periods = parent_periods(plans_for)
    wanted_ids = set()
    for row in rows:
        link = str(row.get("link") or "").strip()
        if link and link != UNLINKED and link.isdigit():
            wanted_ids.add(int(link))
    # Scoped query: another organization's priority is simply not found.
    parents = {p.pk: p for p in Priority.objects.filter(pk__in=wanted_ids)}
    out = []
    for row in rows:
        i = row.get("row", len(out))
        title = (row.get("title") or "").strip()
        if not title:
            errors[f"priorities.{i}.title"] = ["Give the priority a title."]
        link = str(row.get("link") or "").strip()
        parent, unlinked = None, False
        if level == PriorityLevel.COMPANY:
            pass  # company priorities are the top of the cascade
        elif link == UNLINKED:
            unlinked = True
        elif link:
            parent = parents.get(int(link)) if link.isdigit() else None
            if parent is None:
                errors[f"priorities.{i}.link"] = ["That priority is not one of this organization's priorities."]
            elif parent.period not in periods:
                errors[f"priorities.{i}.link"] = [
                    f"“{parent.title}” is a {parent.period} priority; this review plans {plans_for}. "
                    f"Link to a {' or '.join(periods)} priority or mark it unlinked."
                ]
                parent = None
            elif parent.level not in allowed_levels:
                errors[f"priorities.{i}.link"] = [
                    f"“{parent.title}” is a {parent.get_level_display().lower()} priority; link to a "
                    + " or ".join(sorted(str(lvl) for lvl in allowed_levels))
                    + " priority."
                ]
                parent = None
        out.append(
            {
                "row": i,
                "title": title[:300],
                "description": (row.get("description") or "").strip(),
                "parent": parent,
                "unlinked": unlinked,
            }
        )
    return out


def _clean_risks(rows: list[dict], errors: dict) -> list[dict]:
    owner_ids = {int(r["owner"]) for r in rows if str(r.get("owner") or "").isdigit()}
    owners = {p.pk: p for p in Person.objects.filter(pk__in=owner_ids)}
    out = []
    for row in rows:
        i = row.get("row", len(out))
        description = (row.get("description") or "").strip()
        if not description:
            errors[f"risks.{i}.description"] = ["Describe the risk."]
        severity = row.get("severity") or Severity.MEDIUM
        if severity not in Severity.values:
            errors[f"risks.{i}.severity"] = ["Choose low, medium or high."]
        owner = None
        if row.get("owner"):
            owner = owners.get(int(row["owner"])) if str(row["owner"]).isdigit() else None
            if owner is None:
                errors[f"risks.{i}.owner"] = ["Choose an owner from this organization's people."]
        out.append(
            {
                "row": i,
                "description": description[:500],
                "severity": severity,
                "owner": owner,
                "mitigation": (row.get("mitigation") or "").strip()[:500],
            }
        )
    return out


def _clean_asks(review: BusinessReview, rows: list[dict], errors: dict) -> list[dict]:
    team_ids = {int(r["to_team"]) for r in rows if str(r.get("to_team") or "").isdigit()}
    teams = {t.pk: t for t in Team.objects.filter(pk__in=team_ids)}
    out = []
    for row in rows:
        i = row.get("row", len(out))
        request = (row.get("request") or "").strip()
        if not request:
            errors[f"asks.{i}.request"] = ["Say what you ask of the team."]
        raw = str(row.get("to_team") or "")
        team = teams.get(int(raw)) if raw.isdigit() else None
        if team is None:
            errors[f"asks.{i}.to_team"] = ["Choose a team of this organization."]
        elif team.pk == review.team_id:
            errors[f"asks.{i}.to_team"] = ["Ask another team, not your own."]
        out.append({"row": i, "to_team": team, "request": request[:500]})
    return out


@transaction.atomic
def save_draft(*, membership: Membership, review: BusinessReview, data: dict) -> BusinessReview:
    """Replace the review's content with ``data``: all of it, or (on any error) none of it.

    ``data``: wins, misses, lessons, health, and lists metrics / priorities / risks / asks of
    dicts; each row may carry ``row`` (its index in the form) so errors point at it.
    """
    review = _lock_editable(membership, review)
    errors: dict[str, list[str]] = {}
    health = data.get("health")
    if health in ("", None):
        health = None
    else:
        try:
            health = int(health)
        except (TypeError, ValueError):
            health = 0
        if not 1 <= health <= 5:
            errors["health"] = ["Rate the team's health from 1 to 5."]
    metrics = _clean_metrics(data.get("metrics") or [], errors)
    priorities = _clean_priorities(review, data.get("priorities") or [], errors)
    risks = _clean_risks(data.get("risks") or [], errors)
    asks = _clean_asks(review, data.get("asks") or [], errors)
    if errors:
        raise ValidationError(errors)

    org = review.organization
    review.wins = (data.get("wins") or "").strip()
    review.misses = (data.get("misses") or "").strip()
    review.lessons = (data.get("lessons") or "").strip()
    review.health = health
    review.save(update_fields=["wins", "misses", "lessons", "health", "updated_at"])

    # The rows are replaced wholesale (the form posts them all), except that an ask keeps the
    # answer another team already gave when it comes back unchanged.
    review.metrics.all().delete()
    Metric.objects.bulk_create(
        [
            Metric(organization=org, review=review, position=n, **{k: v for k, v in m.items() if k != "row"})
            for n, m in enumerate(metrics)
        ]
    )
    review.priorities.all().delete()
    ReviewPriority.objects.bulk_create(
        [
            ReviewPriority(organization=org, review=review, position=n, **{k: v for k, v in p.items() if k != "row"})
            for n, p in enumerate(priorities)
        ]
    )
    review.risks.all().delete()
    Risk.objects.bulk_create(
        [
            Risk(organization=org, review=review, position=n, **{k: v for k, v in r.items() if k != "row"})
            for n, r in enumerate(risks)
        ]
    )
    existing = {(a.to_team_id, a.request.lower()): a for a in review.asks.all()}
    keep = []
    for n, a in enumerate(asks):
        old = existing.pop((a["to_team"].pk, a["request"].lower()), None)
        if old is not None:
            old.position = n
            old.save(update_fields=["position"])
            keep.append(old.pk)
        else:
            keep.append(Ask.objects.create(organization=org, review=review, position=n, **{
                k: v for k, v in a.items() if k != "row"
            }).pk)  # fmt: skip
    review.asks.exclude(pk__in=keep).delete()
    return review


def completeness_errors(review: BusinessReview) -> dict[str, list[str]]:
    """What a review needs before it can be submitted (metrics, priorities prefetched or not)."""
    errors: dict[str, list[str]] = {}
    for key, label in (("wins", "wins"), ("misses", "misses"), ("lessons", "lessons")):
        if not getattr(review, key).strip():
            errors[key] = [f"Write the team's {label} before submitting."]
    if review.health is None:
        errors["health"] = ["Rate the team's health before submitting."]
    metrics = list(review.metrics.all())
    if not metrics:
        errors["metrics"] = ["Add at least one metric with its target and actual."]
    for i, m in enumerate(metrics):
        if m.actual is None:
            errors[f"metrics.{i}.actual"] = [f"Enter the actual of “{m.name}” before submitting."]
    priorities = list(review.priorities.all())
    if not priorities:
        errors["priorities"] = [f"Set at least one priority for {review.cycle.plans_for}."]
    if review.priority_level != PriorityLevel.COMPANY:
        for i, p in enumerate(priorities):
            if p.parent_id is None and not p.unlinked:
                errors[f"priorities.{i}.link"] = [
                    f"Link “{p.title}” to a company or department priority, or mark it unlinked."
                ]
    return errors


@transaction.atomic
def submit_review(*, membership: Membership, review: BusinessReview) -> ReviewVersion:
    """Submit for approval: check completeness, freeze the content as a new version."""
    review = _lock_editable(membership, review)
    errors = completeness_errors(review)
    if errors:
        raise ValidationError(errors)
    review = (
        BusinessReview.objects.select_related("team", "cycle")
        .prefetch_related("metrics", "priorities__parent", "risks__owner", "asks__to_team")
        .get(pk=review.pk)
    )
    now = timezone.now()
    review.version += 1
    version = ReviewVersion.objects.create(
        organization=review.organization,
        review=review,
        number=review.version,
        snapshot=snapshot_of(review),
        submitted_at=now,
        submitted_by=membership.user,
    )
    review.status = ReviewStatus.SUBMITTED
    review.submitted_at = now
    review.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    record_audit(
        organization=review.organization,
        actor=membership.user,
        action="reviews.review.submit",
        obj=review,
        summary=f"{review} v{version.number}",
    )
    return version


@transaction.atomic
def decide_review(
    *, membership: Membership, review: BusinessReview, decision: str, comment: str = ""
) -> BusinessReview:
    """Approve a submitted review, or return it to the team with comments (required)."""
    if not permissions.can_approve_review(membership):
        _deny("Only leaders approve or return reviews.")
    review = BusinessReview.objects.select_for_update().select_related("cycle", "team").get(pk=review.pk)
    comment = (comment or "").strip()
    if review.status != ReviewStatus.SUBMITTED:
        raise ValidationError(f"This review is {review.get_status_display().lower()}; only a submitted one is decided.")
    if decision not in Decision.values:
        raise ValidationError({"decision": ["Approve or return."]})
    if decision == Decision.RETURNED and not comment:
        raise ValidationError({"comment": ["Say what the team should change when you return a review."]})
    now = timezone.now()
    ReviewVersion.objects.filter(review=review, number=review.version).update(
        decision=decision, decision_comment=comment, decided_at=now, decided_by=membership.user
    )
    review.status = ReviewStatus.APPROVED if decision == Decision.APPROVED else ReviewStatus.RETURNED
    review.decided_at = now
    review.save(update_fields=["status", "decided_at", "updated_at"])
    created = set_next_period_priorities(review) if decision == Decision.APPROVED else []
    record_audit(
        organization=review.organization,
        actor=membership.user,
        action=f"reviews.review.{decision}",
        obj=review,
        summary=f"{review} v{review.version}" + (f": {comment}" if comment else ""),
        data={"priorities_created": [p.pk for p in created]},
    )
    from reviews.tasks import notify_review_decision

    review_id = review.pk
    transaction.on_commit(lambda: notify_review_decision.delay(review_id))
    return review


def set_next_period_priorities(review: BusinessReview) -> list[Priority]:
    """Write an approved review's priorities into the cascade for the period it plans.

    The leadership team's review sets the company priorities (its ABR: next year's);
    a department's sets department priorities, a team's team priorities. Idempotent:
    a priority with the same title, level, team and period is reused.
    """
    level = review.priority_level
    period = review.cycle.plans_for
    team = None if level == PriorityLevel.COMPANY else review.team
    out = []
    for rank, rp in enumerate(review.priorities.select_related("parent"), start=1):
        priority, created = Priority.objects.get_or_create(
            organization=review.organization,
            title=rp.title,
            period=period,
            level=level,
            team=team,
            defaults={"description": rp.description, "parent": rp.parent, "rank": rank},
        )
        if not created and (priority.parent_id != rp.parent_id or priority.rank != rank):
            priority.parent, priority.rank = rp.parent, rank
            priority.save(update_fields=["parent", "rank"])
        if rp.priority_id != priority.pk:
            rp.priority = priority
            rp.save(update_fields=["priority"])
        out.append(priority)
    return out


def send_decision_email(*, review: BusinessReview) -> bool:
    lead = review.team.lead
    version = review.versions.order_by("-number").first()
    if lead is None or not lead.email or version is None or not version.decision:
        return False
    _mail(
        template="review_decision",
        subject=f"Your {review.cycle} review of {review.team.name} was {version.get_decision_display().lower()}",
        to=lead.email,
        context={"review": review, "version": version, "url": _review_url(review, "review_detail")},
    )
    return True


# --- Asks ----------------------------------------------------------------------------------------


@transaction.atomic
def answer_ask(*, membership: Membership, ask: Ask, status: str, response: str = "") -> Ask:
    ask = Ask.objects.select_for_update().select_related("to_team__lead", "review").get(pk=ask.pk)
    if not permissions.can_answer_ask(membership, ask.to_team):
        _deny("Only the asked team's lead answers its asks.")
    if ask.review.status not in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED):
        raise ValidationError("This ask is still in a draft review.")
    response = (response or "").strip()
    if status not in (AskStatus.ACCEPTED, AskStatus.DECLINED):
        raise ValidationError({"status": ["Accept or decline the ask."]})
    if status == AskStatus.DECLINED and not response:
        raise ValidationError({"response": ["Say why when you decline an ask."]})
    ask.status, ask.response = status, response[:500]
    ask.answered_at, ask.answered_by = timezone.now(), membership.user
    ask.save(update_fields=["status", "response", "answered_at", "answered_by"])
    record_audit(
        organization=ask.organization, actor=membership.user, action="reviews.ask.answer", obj=ask, summary=status
    )
    return ask


# --- Actions -------------------------------------------------------------------------------------


def _clean_action_fields(fields: dict, errors: dict) -> dict:
    out = {}
    title = (fields.get("title") or "").strip()
    if not title:
        errors["title"] = ["Give the action a title."]
    out["title"] = title[:200]
    out["description"] = (fields.get("description") or "").strip()
    if fields.get("dimension") not in {d for d, _ in TARGET_DIMENSIONS}:
        errors["dimension"] = ["Choose the score this action should move."]
    out["dimension"] = fields.get("dimension")
    if not fields.get("due_on"):
        errors["due_on"] = ["Set a due date."]
    out["due_on"] = fields.get("due_on")
    owner_id = fields.get("owner_id")
    out["owner"] = None
    if owner_id:
        out["owner"] = Person.objects.filter(pk=owner_id).first()
        if out["owner"] is None:
            errors["owner_id"] = ["Choose an owner from this organization's people."]
    status = fields.get("status") or ActionStatus.OPEN
    if status not in ActionStatus.values:
        errors["status"] = ["Choose a valid status."]
    out["status"] = status
    return out


@transaction.atomic
def create_action(
    *,
    membership: Membership,
    title: str,
    dimension: str,
    due_on: date,
    scope_team_id: int | None = None,
    owner_id: int | None = None,
    description: str = "",
    source: str = "",
    source_label: str = "",
    review_id: int | None = None,
) -> Action:
    """A leader (any scope) or a manager (their subtree) commits to an action on a signal or a score."""
    scope_team = None
    if scope_team_id:
        scope_team = Team.objects.filter(pk=scope_team_id).first()
        if scope_team is None:
            raise ValidationError({"scope_team_id": ["Choose a team of this organization."]})
    if not permissions.can_create_action(membership, scope_team.pk if scope_team else None):
        _deny("Managers create actions for the teams they lead; leaders for any team or the organization.")
    errors: dict = {}
    fields = _clean_action_fields(
        {"title": title, "dimension": dimension, "due_on": due_on, "owner_id": owner_id, "description": description},
        errors,
    )
    review = BusinessReview.objects.filter(pk=review_id).first() if review_id else None
    if errors:
        raise ValidationError(errors)
    action = Action.objects.create(
        organization=membership.organization,
        scope_team=scope_team,
        source=(source or "")[:64],
        source_label=(source_label or "")[:300],
        review=review,
        created_by=membership.user,
        **fields,
    )
    record_audit(
        organization=membership.organization, actor=membership.user, action="reviews.action.create", obj=action,
        summary=f"{action.title} ({action.get_dimension_display()}, {scope_team or 'organization'})",
    )  # fmt: skip
    return action


@transaction.atomic
def update_action(*, membership: Membership, action: Action, **changes) -> Action:
    """Change an action's status, owner, due date, title or description."""
    action = Action.objects.select_for_update().select_related("owner", "scope_team").get(pk=action.pk)
    if not permissions.can_edit_action(membership, action):
        _deny()
    errors: dict = {}
    current = {
        "title": action.title,
        "description": action.description,
        "dimension": action.dimension,
        "due_on": action.due_on,
        "owner_id": action.owner_id,
        "status": action.status,
    }
    current.update({k: v for k, v in changes.items() if k in current})
    fields = _clean_action_fields(current, errors)
    if errors:
        raise ValidationError(errors)
    was_open = action.is_open
    for key, value in fields.items():
        setattr(action, key, value)
    if was_open and not action.is_open:
        action.completed_at = timezone.now()
    elif action.is_open:
        action.completed_at = None
    action.save()
    record_audit(
        organization=action.organization, actor=membership.user, action="reviews.action.update", obj=action,
        summary=f"{action.title}: {action.get_status_display()}",
    )  # fmt: skip
    return action
