from django.core.management.base import BaseCommand

from surveys import tasks


class Command(BaseCommand):
    help = (
        "Run the survey scheduler once, exactly as Celery beat does: close ended rounds, open due ones, "
        "queue invitations and reminders."
    )

    def handle(self, *args, **options):
        # The task body itself, run in this process; the sends it queues go to the
        # workers (or run right here when no broker is configured).
        self.stdout.write(tasks.tick())
