"""A mail server that accepts the connection and never answers: the send task gives up
after EMAIL_TIMEOUT, releases its claims and retries later, and the worker goes on with
the recompute queued behind it (issue 12: before, it blocked the worker forever)."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from insights import tasks as insights_tasks
from insights.models import ScoreState
from surveys import tasks as survey_tasks
from surveys.models import Invitation
from tests.faults.services import (
    PRIVATE_REDIS_PORTS,
    HungSMTPServer,
    PrivateRedis,
    Worker,
    project_env,
    wait_for,
)
from tests.insights.factories import RoundBuilder, survey
from tests.surveys.factories import make_survey, open_now

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_hung_mail_server_times_the_task_out_and_it_retries_while_other_tasks_run(
    tmp_path, tenant_a, celery_on, test_database_url
):
    # Opening the round sends eagerly in this process (test mail backend); then forget that.
    pulse = open_now(make_survey(tenant_a))
    Invitation.objects.filter(round=pulse).update(sent_at=None, send_claimed_at=None, token_hash=None)
    ids = list(Invitation.objects.filter(round=pulse).values_list("id", flat=True))
    scored = RoundBuilder(org=tenant_a.org, survey=survey(tenant_a.org), status="open").respond(tenant_a.team, times=5)
    scored = scored.save()

    smtp = HungSMTPServer().start()
    redis = PrivateRedis(PRIVATE_REDIS_PORTS[1]).start()
    env = project_env(
        DATABASE_URL=test_database_url,
        CELERY_BROKER_URL=redis.url,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        EMAIL_TIMEOUT="2",
    )
    worker = Worker(env, tmp_path / "w.log")
    try:
        worker.start()
        celery_on(redis.url)
        started = time.monotonic()
        survey_tasks.send_invitations.delay(tenant_a.org.id, ids)  # first in the queue: hangs
        insights_tasks.recompute_round.delay(scored.organization_id, scored.id)  # queued behind it, one pool process
        wait_for(lambda: ScoreState.objects.filter(round=scored).exists(), 30, what="the recompute behind the mail")
        assert time.monotonic() - started < 30
        assert smtp.connections, "the worker did connect to the hung server"
        wait_for(lambda: "Retry in" in worker.output(), 10, what="the mail task's retry")
        # Nothing was recorded as sent and no claim is held: the retry (or the tick) sends them.
        assert not Invitation.objects.filter(pk__in=ids, sent_at__isnull=False).exists()
        assert not Invitation.objects.filter(
            pk__in=ids, send_claimed_at__gte=timezone.now() - timedelta(minutes=3)
        ).exists()
    finally:
        worker.stop()
        redis.stop()
        smtp.stop()
