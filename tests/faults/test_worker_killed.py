"""A Celery pool process SIGKILLed mid-recompute (the OOM killer) loses nothing: the task
is rejected, redelivered at once and rerun by the next pool process."""

import os
import signal

import pytest
from django.db import connection, transaction

from insights import tasks
from insights.models import ScoreState
from surveys.models import Round
from tests.faults.services import PRIVATE_REDIS_PORTS, PrivateRedis, Worker, project_env, wait_for
from tests.insights.factories import RoundBuilder, survey

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _waiting_on_the_round_lock() -> bool:
    with connection.cursor() as cursor:
        # Inside a transaction the statistics views are a snapshot: refresh it each time.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def test_a_pool_process_killed_mid_recompute_reruns_the_task_within_a_minute(
    tmp_path, tenant_a, celery_on, test_database_url
):
    round_ = (
        RoundBuilder(org=tenant_a.org, survey=survey(tenant_a.org), status="open")
        .respond(tenant_a.team, times=6)
        .respond(tenant_a.other_team, times=6)
        .save()
    )
    redis = PrivateRedis(PRIVATE_REDIS_PORTS[0]).start()
    worker = Worker(project_env(DATABASE_URL=test_database_url, CELERY_BROKER_URL=redis.url), tmp_path / "w.log")
    try:
        worker.start()
        celery_on(redis.url)
        with transaction.atomic():
            # Hold the round's row lock: the recompute loads and scores, then waits on the
            # lock right before writing — "mid-recompute", deterministically.
            Round.objects.select_for_update().get(pk=round_.pk)
            tasks.recompute_round.delay(round_.organization_id, round_.id)
            wait_for(_waiting_on_the_round_lock, 30, what="the recompute to reach its write")
            (victim,) = worker.pool_pids()
            os.kill(victim, signal.SIGKILL)  # what the OOM killer does
            wait_for(lambda: worker.pool_pids() and worker.pool_pids() != [victim], 20, what="a new pool process")
        # Redelivered and rerun by the new pool process, well within a minute.
        wait_for(lambda: ScoreState.objects.filter(round=round_).exists(), 40, what="the rerun recompute")
        assert ScoreState.objects.get(round=round_).responses_scored == 12
        assert "WorkerLostError" in worker.output() or "signal 9" in worker.output()
    finally:
        worker.stop()
        redis.stop()
