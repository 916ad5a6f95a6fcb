"""seed_demo gives Northwind a few weeks of meetings, and running it again changes nothing."""

import pytest
from django.core.management import call_command

from peakos.models import Organization
from peakos.tenancy import org_scope
from rhythm import demo
from rhythm.models import Decision, Issue, Measurable, MeasurableEntry, Meeting, MeetingSeries, Todo

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (MeetingSeries, Meeting, Measurable, MeasurableEntry, Issue, Decision, Todo)]


def test_northwind_gets_weeks_of_meetings_idempotently():
    from peakos import demo as core_demo

    core_demo.seed()
    demo.seed()
    first = counts()
    org = Organization.objects.get(slug="northwind")
    with org_scope(org):
        assert MeetingSeries.objects.count() == 4
        assert Meeting.objects.filter(ended_at__isnull=False).count() >= 16
        assert Issue.objects.filter(raised_to__name="Leadership Team", status="open").exists()
        assert Decision.objects.count() == 6 and Measurable.objects.count() == 12
    demo.seed()
    assert counts() == first


def test_seed_demo_command_loads_the_rhythm(capsys):
    call_command("seed_demo")
    assert MeetingSeries.objects.count() == 4
