from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from insights import demo as insights_demo
from peakos import demo
from reviews import demo as reviews_demo
from rhythm import demo as rhythm_demo
from surveys import demo as surveys_demo


class Command(BaseCommand):
    help = "Load the demo organizations (idempotent: a second run changes nothing) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo even when DJANGO_ENV=production (its logins share a public password).",
        )

    def handle(self, *args, **options):
        # The demo logins' password is printed in the README: in production they would be
        # open doors, so a production installation gets them only when asked in so many words.
        if settings.PRODUCTION and not options["force"]:
            raise CommandError(
                "Refusing to load demo data with DJANGO_ENV=production: the demo logins use a public password. "
                "Pass --force if you really want them."
            )
        # One seeding at a time (two `make run`s, or compose's one-shot service and a person):
        # the second waits, then finds everything there and changes nothing.
        with demo.seed_lock():
            logins = demo.seed()
            surveys_demo.seed()
            insights_demo.seed()
            reviews_demo.seed()
            rhythm_demo.seed()
            # The organization-level signals read the reviews, which exist only now: without this a
            # first run would lack the review signals a second run adds.
            insights_demo.refresh_organization_signals()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/ with:"))
        for login in logins:
            self.stdout.write(f"  {login.organization:<22} {login.role:<8} {login.email:<32} {login.password}")
