"""Demo data of the surveys app: Northwind's biweekly "Alignment pulse".

Idempotent: looked up by name. No answers here; the insights demo adds past rounds.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction

from peakos.models import Organization
from peakos.tenancy import org_scope
from surveys.bank import TEMPLATES
from surveys.models import Survey
from surveys.services.setup import create_survey, org_today

DEMO_SURVEY = "Alignment pulse"


def seed() -> Survey | None:
    org = Organization.objects.filter(slug="northwind").first()
    if org is None:
        return None
    with org_scope(org), transaction.atomic():
        survey = Survey.objects.filter(organization=org, name=DEMO_SURVEY).first()
        if survey is not None:
            return survey
        today = org_today(org)
        next_monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
        return create_survey(
            organization=org,
            actor=None,
            name=DEMO_SURVEY,
            question_keys=list(TEMPLATES["alignment-pulse"][1]),
            cadence="biweekly",
            open_days=5,
            reminder_days=[2, 4],
            start_date=next_monday,
            send_hour=9,
        )
