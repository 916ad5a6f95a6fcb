from django.core.management.base import BaseCommand

from insights import demo as insights_demo
from peakos import demo
from reviews import demo as reviews_demo
from surveys import demo as surveys_demo


class Command(BaseCommand):
    help = "Load the demo organizations (idempotent: a second run changes nothing) and print the demo logins."

    def handle(self, *args, **options):
        logins = demo.seed()
        surveys_demo.seed()
        insights_demo.seed()
        reviews_demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in at http://127.0.0.1:8000/ with:"))
        for login in logins:
            self.stdout.write(f"  {login.organization:<22} {login.role:<8} {login.email:<32} {login.password}")
