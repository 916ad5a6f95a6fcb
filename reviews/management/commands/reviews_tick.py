from datetime import date

from django.core.management.base import BaseCommand, CommandError

from peakos.models import Organization
from peakos.tenancy import org_scope
from reviews import services


class Command(BaseCommand):
    help = (
        "Open review cycles whose opening date has come, e-mail reminders before due dates and report late "
        "reviews. Idempotent within a day; Celery beat runs the same work hourly (reviews.tasks.tick)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="only this organization (slug)")
        parser.add_argument("--today", help="pretend today is this date (YYYY-MM-DD), for catching up or testing")

    def handle(self, *args, org=None, today=None, **options):
        try:
            day = date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError("--today must look like 2026-11-30")
        orgs = Organization.objects.order_by("slug")
        if org:
            orgs = orgs.filter(slug=org)
            if not orgs.exists():
                raise CommandError(f"No organization with slug {org!r}")
        for organization in orgs:
            with org_scope(organization):
                result = services.tick(organization=organization, today=day)
            self.stdout.write(
                f"{organization.slug}: {result.opened} cycles opened, {result.reminded} reminders sent, "
                f"{result.late} reviews late"
            )
