"""The Celery tasks: ids in, the organization's scope around exactly the task's work, debounce."""

import os
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django_scopes import get_scope

from insights import tasks
from insights.models import Participation, Snapshot

pytestmark = pytest.mark.django_db


def _round(tenant, build_round, **kwargs):
    return build_round(**kwargs).respond(tenant.team, times=6).respond(tenant.other_team, times=6).save()


def test_recompute_round_task_stores_the_rounds_snapshots(tenant_a, build_round):
    round_ = _round(tenant_a, build_round)
    result = tasks.recompute_round.delay(round_.organization_id, round_.id).get()
    assert result["round"] == round_.id
    assert Snapshot.objects.filter(round=round_, scope_kind="organization").exists()


def test_a_task_given_another_organizations_round_does_nothing(tenant_a, tenant_b, build_round):
    round_ = _round(tenant_a, build_round)
    assert tasks.recompute_round.delay(tenant_b.org.id, round_.id).get() is None
    assert not Snapshot.objects.filter(round=round_).exists()


def test_tasks_leave_no_tenant_scope_behind(tenant_a, tenant_b, build_round, pulse):
    from tests.insights.factories import RoundBuilder, survey

    a = _round(tenant_a, build_round)
    b = RoundBuilder(org=tenant_b.org, survey=survey(tenant_b.org)).respond(tenant_b.team, times=5).save()
    before = dict(get_scope())
    tasks.recompute_round.delay(a.organization_id, a.id).get()
    assert dict(get_scope()) == before
    tasks.recompute_round.delay(b.organization_id, b.id).get()
    # Each round's rows belong to its own organization only.
    assert set(Snapshot.objects.filter(round=a).values_list("organization_id", flat=True)) == {tenant_a.org.id}
    assert set(Snapshot.objects.filter(round=b).values_list("organization_id", flat=True)) == {tenant_b.org.id}
    team_ids_a = set(
        Snapshot.objects.filter(round=a, team__isnull=False).values_list("team__organization_id", flat=True)
    )
    assert team_ids_a == {tenant_a.org.id}


def test_recompute_org_task_backfills_every_round(tenant_a, build_round):
    first = _round(tenant_a, build_round, number=1)
    second = _round(tenant_a, build_round, number=2)
    assert tasks.recompute_org.delay(tenant_a.org.id).get() == 2
    assert Participation.objects.filter(round__in=[first, second], scope_kind="organization").count() == 2


def test_a_missing_round_or_organization_is_not_an_error(tenant_a):
    assert tasks.recompute_round.delay(tenant_a.org.id, 987654).get() is None
    assert tasks.recompute_round.delay(987654, 987654).get() is None
    assert tasks.recompute_org.delay(987654).get() is None


def test_schedule_recompute_runs_at_most_once_a_minute_per_round(
    tenant_a, build_round, django_capture_on_commit_callbacks
):
    round_ = _round(tenant_a, build_round, status="open")
    cache.delete(tasks.debounce_key(round_.id))
    with mock.patch.object(tasks.recompute_round, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            tasks.schedule_recompute(round_.organization_id, round_.id)
            tasks.schedule_recompute(round_.organization_id, round_.id)
        with django_capture_on_commit_callbacks(execute=True):
            tasks.schedule_recompute(round_.organization_id, round_.id)
        assert apply_async.call_count == 1
        assert apply_async.call_args.kwargs["countdown"] == tasks.DEBOUNCE_SECONDS
        cache.delete(tasks.debounce_key(round_.id))  # a minute later
        with django_capture_on_commit_callbacks(execute=True):
            tasks.schedule_recompute(round_.organization_id, round_.id)
        assert apply_async.call_count == 2


def test_schedule_recompute_waits_for_the_commit(tenant_a, build_round, django_capture_on_commit_callbacks):
    round_ = _round(tenant_a, build_round, status="open")
    cache.delete(tasks.debounce_key(round_.id))
    with mock.patch.object(tasks.recompute_round, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            tasks.schedule_recompute(round_.organization_id, round_.id)
        assert apply_async.call_count == 0 and len(callbacks) == 1


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not os.environ.get("CELERY_BROKER_URL"), reason="needs a Redis broker: set CELERY_BROKER_URL")
def test_a_real_worker_on_redis_recomputes_a_round(tenant_a, build_round):
    from celery.contrib.testing.worker import start_worker

    from peakos.celery import app

    round_ = _round(tenant_a, build_round)
    previous = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["CELERY_BROKER_URL"]
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10):
            tasks.recompute_round.delay(round_.organization_id, round_.id)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not Snapshot.objects.filter(round=round_).exists():
                time.sleep(0.2)
    finally:
        app.conf.task_always_eager, app.conf.broker_url = previous
    assert Snapshot.objects.filter(round=round_, scope_kind="organization", suppressed=False).exists()
