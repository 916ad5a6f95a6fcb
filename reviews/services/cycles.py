"""Review cycles: create, open (packets and e-mails to team leads), close; reminders and the periodic tick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from insights import signal_sync
from peakos.audit import record_audit
from peakos.memberships import create_invitation, invitation_url
from peakos.models import Membership, Organization, Role, Team
from reviews import access
from reviews import packet as review_packet
from reviews.models import (
    EDITABLE_STATUSES,
    BusinessReview,
    CycleStatus,
    ReviewCycle,
)
from reviews.selectors import leads_without_login
from reviews.services.mail import deny, mail, review_url

# Reminders go out this many days before the due date (one e-mail per threshold crossed).

# Reminders go out this many days before the due date (one e-mail per threshold crossed).
REMINDER_DAYS_BEFORE = (7, 2)


@transaction.atomic
def create_cycle(
    *,
    membership: Membership,
    kind: str,
    period: str,
    opens_on: date,
    due_on: date,
    team_ids: list[int],
    invite_leads: bool = False,
    today: date | None = None,
) -> ReviewCycle:
    """Create a cycle with one draft review per chosen team; open it now if its opening date has come."""
    if not access.can_open_review_cycle(membership):
        deny()
    org = membership.organization
    cycle = ReviewCycle(
        organization=org, kind=kind, period=(period or "").strip(), opens_on=opens_on, due_on=due_on,
        created_by=membership.user, invite_leads=invite_leads,
    )  # fmt: skip
    errors: dict[str, list[str]] = {}
    try:
        cycle.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "period" not in errors and ReviewCycle.objects.filter(kind=kind, period=cycle.period).exists():
        errors["period"] = [
            gettext("There is already a %(kind)s for %(period)s.") % {"kind": cycle.short_kind, "period": cycle.period}
        ]
    wanted = set(team_ids or [])
    teams = list(Team.objects.filter(pk__in=wanted, archived=False))
    if not wanted:
        errors["team_ids"] = [gettext("Choose at least one team.")]
    elif len(teams) != len(wanted):
        errors["team_ids"] = [gettext("Some of the chosen teams do not exist or are archived.")]
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
    from reviews.tasks import send_review_invitations  # tasks import the services: import on use

    send_review_invitations.delay_on_commit(cycle.organization, cycle.pk)
    return True


@transaction.atomic
def open_cycle_now(*, membership: Membership, cycle: ReviewCycle) -> bool:
    if not access.can_open_review_cycle(membership):
        deny()
    return open_cycle(cycle=cycle, actor=membership.user)


@transaction.atomic
def close_cycle(*, membership: Membership, cycle: ReviewCycle) -> ReviewCycle:
    """Close a cycle: no new invitations or reminders. Late teams may still submit."""
    if not access.can_open_review_cycle(membership):
        deny()
    cycle = ReviewCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != CycleStatus.OPEN:
        raise ValidationError(gettext("Only an open cycle can be closed."))
    cycle.status = CycleStatus.CLOSED
    cycle.closed_at = timezone.now()
    cycle.save(update_fields=["status", "closed_at"])
    record_audit(organization=cycle.organization, actor=membership.user, action="reviews.cycle.close", obj=cycle)
    return cycle


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
    uninvited = {p.pk for p in leads_without_login()} if cycle.invite_leads else set()
    invite_urls: dict[int, str] = {}  # a lead of two teams gets one invitation, in both e-mails
    for review in reviews:
        lead = review.team.lead
        if not lead.email or not lead.active:
            continue
        if lead.pk in uninvited and lead.pk not in invite_urls:
            # No login yet: "log in" would lead nowhere. The invitation (role manager) sets a
            # password and, on accepting, links the login to this person (their team's review).
            _, raw = create_invitation(
                organization=cycle.organization, email=lead.email, role=Role.MANAGER, invited_by=cycle.created_by
            )
            invite_urls[lead.pk] = invitation_url(raw)
        mail(
            template="review_open",
            subject=f"{cycle.short_kind} {cycle.period}: your review of {review.team.name} is open",
            to=lead.email,
            context={
                "review": review,
                "cycle": cycle,
                "lead": lead,
                "url": review_url(review),
                "invite_url": invite_urls.get(lead.pk, ""),
            },
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
        mail(
            template="review_reminder",
            subject=f"Reminder: the {review.cycle} review of {review.team.name} is due in {days_left} days",
            to=review.team.lead.email,
            context={"review": review, "cycle": review.cycle, "days_left": days_left, "url": review_url(review)},
        )
        BusinessReview.objects.filter(pk=review.pk).update(reminded_on=today)
        sent += 1
    return sent


@dataclass
class TickResult:
    opened: int = 0
    reminded: int = 0
    late: int = 0
    signals: int = 0


def tick(*, organization: Organization, today: date | None = None) -> TickResult:
    """The periodic job for one organization: open cycles whose day has come, send reminders, count late
    reviews, and refresh the review-based signals stored by insights (they change without any survey round).

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
    result.signals = refresh_review_signals(organization)
    return result


def refresh_review_signals(organization: Organization) -> int:
    """Have insights re-run its organization detectors (ours among them: reviews/detectors.py)."""
    return signal_sync.run_organization_detectors(organization)
