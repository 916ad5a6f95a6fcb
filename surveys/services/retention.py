"""Retention (GDPR Art. 5(1)(e)): raw answers and comments are kept only as long as the
organization says; the stored results are kept.

An organization's ``retention_months`` (blank: keep forever) applies to rounds *closed*
more than that many months ago (the organization's calendar). For each such round, in one
transaction with the round row locked: the round is marked ``raw_answers_deleted_on``,
then its Answer rows (numbers and free-text comments) and Response rows are deleted.
Snapshots, participation, releases, priority alignment and coordination cells stay, and
the mark makes every recompute path of the insights engine skip the round (a recompute
over an empty round would otherwise wipe its scores): recompute_round and the backfill
lock the round before writing and look at the mark under the lock.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from peakos.audit import record_audit
from peakos.models import Organization
from peakos.tenancy import org_scope
from surveys.models import Answer, Response, Round, RoundStatus
from surveys.services.setup import _add_months, org_today


@dataclass
class RetentionReport:
    organization: str
    cutoff: date | None
    rounds: list[str] = field(default_factory=list)
    responses: int = 0
    answers: int = 0
    comments: int = 0
    dry_run: bool = False

    def __str__(self) -> str:
        if self.cutoff is None:
            return f"{self.organization}: no retention period (answers are kept)"
        verb = "would delete" if self.dry_run else "deleted"
        return (
            f"{self.organization}: {verb} {self.responses} responses, {self.answers} answers "
            f"({self.comments} comments) of {len(self.rounds)} round(s) closed before {self.cutoff}"
        )


def retention_cutoff(organization: Organization, now: datetime | None = None) -> date | None:
    """Rounds closed before this day (organization time) lose their raw answers; None: keep forever."""
    if not organization.retention_months:
        return None
    return _add_months(org_today(organization, now), -organization.retention_months)


def rounds_due(organization: Organization, now: datetime | None = None):
    """Closed rounds past the retention period whose raw answers are still stored."""
    cutoff = retention_cutoff(organization, now)
    if cutoff is None:
        return Round.objects.none()
    start = timezone.make_aware(datetime.combine(cutoff, time.min), _zone(organization))
    return (
        Round.objects.filter(
            organization=organization,
            status=RoundStatus.CLOSED,
            closed_at__lt=start,
            raw_answers_deleted_on__isnull=True,
        )
        .select_related("survey")
        .order_by("closed_at", "pk")
    )


def _zone(organization: Organization) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(organization.timezone)


def apply_retention(
    *, organization: Organization, now: datetime | None = None, dry_run: bool = False
) -> RetentionReport:
    """Delete the raw answers of the organization's rounds past retention (see the module
    docstring). Idempotent; ``dry_run`` counts what would go and changes nothing."""
    now = now or timezone.now()
    report = RetentionReport(organization.slug, retention_cutoff(organization, now), dry_run=dry_run)
    for round_ in rounds_due(organization, now):
        answers = Answer.objects.filter(organization=organization, response__round=round_)
        with transaction.atomic():
            locked = Round.objects.select_for_update().filter(pk=round_.pk, raw_answers_deleted_on__isnull=True)
            if not locked.exists():
                continue  # another run got there first
            counts = (
                Response.objects.filter(round=round_).count(),
                answers.count(),
                answers.exclude(text="").count(),
            )
            if not dry_run:
                Round.objects.filter(pk=round_.pk).update(raw_answers_deleted_on=org_today(organization, now))
                answers.delete()
                Response.objects.filter(round=round_).delete()
                record_audit(
                    organization=organization,
                    actor=None,
                    action="round.retention",
                    obj=round_,
                    summary=f"{round_.survey.name} #{round_.number}: raw answers deleted "
                    f"({counts[0]} responses, {counts[2]} comments); results kept",
                    data={"responses": counts[0], "answers": counts[1], "comments": counts[2]},
                )
        report.rounds.append(f"{round_.survey.name} #{round_.number}")
        report.responses += counts[0]
        report.answers += counts[1]
        report.comments += counts[2]
    return report


def apply_retention_everywhere(*, now: datetime | None = None, slug: str | None = None, dry_run: bool = False):
    """Run retention for every organization with a retention period (or the one named)."""
    organizations = Organization.objects.filter(retention_months__isnull=False).order_by("slug")
    if slug is not None:
        organizations = Organization.objects.filter(slug=slug)
    reports = []
    for organization in organizations:
        with org_scope(organization):
            reports.append(apply_retention(organization=organization, now=now, dry_run=dry_run))
    return reports
