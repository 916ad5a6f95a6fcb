"""The Celery app. Without CELERY_BROKER_URL, settings make tasks run eagerly."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peakos.settings")

app = Celery("peakos")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
