"""``manage.py recompute_scores <org-slug>``: recompute every round of one organization."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from insights import recompute
from peakos.models import Organization
from peakos.tenancy import org_scope

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Recompute the snapshots and signals of every open or closed round of an organization (a backfill)."

    def add_arguments(self, parser):
        parser.add_argument("org_slug", help="the organization's slug")

    def handle(self, *args, org_slug: str, **options):
        organization = Organization.objects.filter(slug=org_slug).first()
        if organization is None:
            raise CommandError(f"No organization with slug {org_slug!r}.")
        started = time.perf_counter()

        def progress(done: int, total: int, round_) -> None:
            filled = BAR_WIDTH * done // max(total, 1)
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            self.stdout.write(f"\r[{bar}] {done}/{total} {round_}", ending="")
            self.stdout.flush()

        with org_scope(organization):
            reports = recompute.recompute_org(organization=organization, progress=progress)
        if reports:
            self.stdout.write("")
        rows = sum(r.rows for r in reports)
        signals = sum(r.signals for r in reports)
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {len(reports)} round(s) of {organization.name}: {rows} rows, {signals} signals "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )
