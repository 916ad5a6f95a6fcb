"""``manage.py export_people <org-slug> <file.csv>``: active people and the team tree, in the import format."""

import sys

from django.core.management.base import BaseCommand, CommandError

from peakos.audit import record_audit
from peakos.models import Organization
from peakos.orgadmin.peoplecsv import export_people_csv
from peakos.tenancy import org_scope


class Command(BaseCommand):
    help = "Export people and teams to a CSV file that import_people reads back unchanged."

    def add_arguments(self, parser):
        parser.add_argument("org_slug")
        parser.add_argument("file", help="CSV file to write, or - for standard output")

    def handle(self, *args, org_slug, file, **options):
        organization = Organization.objects.filter(slug=org_slug).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {org_slug!r}.")
        with org_scope(organization):
            if file == "-":
                count = export_people_csv(organization, sys.stdout)
            else:
                try:
                    with open(file, "w", encoding="utf-8", newline="") as stream:
                        count = export_people_csv(organization, stream)
                except OSError as exc:
                    raise CommandError(f"Cannot write {file}: {exc.strerror}.")
            record_audit(
                organization=organization, actor=None, action="people.export", summary=f"{count} people to {file}"
            )
        if file != "-":
            self.stdout.write(self.style.SUCCESS(f"Exported {count} people of {organization.slug} to {file}."))
