"""``manage.py import_people <org-slug> <file.csv>``: the browser's CSV import, from a shell.

Exits 1 listing every error by row and column (nothing is written), 0 with a
summary of what was created, updated and deactivated.
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from peakos.models import Organization
from peakos.orgadmin import importer
from peakos.orgadmin.peoplecsv import UploadError, read_upload
from peakos.tenancy import org_scope


class Command(BaseCommand):
    help = "Import people and teams from a CSV file (all or nothing). See README, “CSV import”."

    def add_arguments(self, parser):
        parser.add_argument("org_slug")
        parser.add_argument("file", help="CSV file, or - for standard input")
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Full sync: deactivate active people who are not in the file.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and show the changes; write nothing."
        )

    def handle(self, *args, org_slug, file, deactivate_missing, dry_run, verbosity, **options):
        organization = Organization.objects.filter(slug=org_slug).first()
        if organization is None:
            raise CommandError(f"No organization with the slug {org_slug!r}.")
        try:
            raw = sys.stdin.buffer.read() if file == "-" else open(file, "rb").read()  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.")
        try:
            upload = read_upload(raw)
        except UploadError as exc:
            raise CommandError(f"{file}: {' '.join(exc.messages)} Nothing was imported.", returncode=1)
        if upload.note:
            self.stderr.write(upload.note.replace("preview", "changes listed below"))
        text = upload.text
        started = time.monotonic()

        def progress(message: str) -> None:
            if verbosity >= 1:
                self.stderr.write(f"  … {message} ({time.monotonic() - started:.1f} s)")

        with org_scope(organization):
            try:
                if dry_run:
                    plan = importer.preview_import(
                        organization, text, deactivate_missing=deactivate_missing, progress=progress
                    )
                    if plan.errors:
                        raise importer.CsvImportError(plan.errors)
                else:
                    plan = importer.import_people(
                        organization=organization,
                        text=text,
                        filename=file,
                        deactivate_missing=deactivate_missing,
                        progress=progress,
                    )
            except importer.CsvImportError as exc:
                for error in exc.row_errors:
                    self.stderr.write(str(error))
                raise CommandError(f"{len(exc.row_errors)} errors in {file}; nothing was imported.", returncode=1)
        limit = None if verbosity >= 2 else 50
        lines = plan.change_lines()
        for line in lines[:limit] if limit else lines:
            self.stdout.write(f"  {line}")
        if limit and len(lines) > limit:
            self.stdout.write(f"  … and {len(lines) - limit} more changes (-v 2 lists them all)")
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {plan.rows} rows into {organization.slug}: {plan.summary_line()} "
                f"({time.monotonic() - started:.1f} s)."
            )
        )
