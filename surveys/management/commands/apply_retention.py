from django.core.management.base import BaseCommand, CommandError

from peakos.models import Organization
from surveys.services import retention


class Command(BaseCommand):
    help = (
        "Delete raw answers and free-text comments of rounds closed longer ago than each organization's "
        "retention period (stored results stay), as the daily beat task does."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="SLUG", help="Only this organization (its own setting still applies).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; change nothing.")

    def handle(self, *args, org=None, dry_run=False, **options):
        if org is not None and not Organization.objects.filter(slug=org).exists():
            raise CommandError(f"No organization with the slug “{org}”.")
        for report in retention.apply_retention_everywhere(slug=org, dry_run=dry_run):
            self.stdout.write(str(report))
