"""The survey page's "The first opens …" is true only while beat runs: the tick records a
heartbeat when Celery runs it, and without a recent one the page says nothing will open."""

from datetime import timedelta

from django.utils import timezone

from peakos.models import Heartbeat
from surveys import tasks
from tests.surveys.factories import make_survey


def _page(as_role, tenant, survey) -> str:
    return as_role("admin").get(f"/o/{tenant.org.slug}/surveys/{survey.id}/").content.decode()


def test_without_beat_the_page_says_no_round_opens_by_itself(as_role, tenant_a):
    survey = make_survey(tenant_a)
    page = _page(as_role, tenant_a, survey)
    assert "The first opens" in page and "The scheduler is not running" in page


def test_a_tick_run_by_celery_records_the_heartbeat_and_the_warning_goes(as_role, tenant_a):
    survey = make_survey(tenant_a)
    tasks.tick.delay()  # what beat does (eager in the test suite: same task request, not a direct call)
    assert Heartbeat.objects.get(name=tasks.SCHEDULER_HEARTBEAT).at > timezone.now() - timedelta(seconds=5)
    page = _page(as_role, tenant_a, survey)
    assert "The first opens" in page and "The scheduler is not running" not in page


def test_a_manual_pulses_tick_is_not_a_running_scheduler(db):
    tasks.tick()  # manage.py pulses_tick calls the task body directly
    assert not Heartbeat.objects.exists()


def test_a_stale_heartbeat_warns_again(as_role, tenant_a):
    survey = make_survey(tenant_a)
    Heartbeat.objects.create(name=tasks.SCHEDULER_HEARTBEAT, at=timezone.now() - timedelta(minutes=10))
    assert "The scheduler is not running" in _page(as_role, tenant_a, survey)
