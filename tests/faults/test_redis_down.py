"""Redis (cache and broker) stopped during submits: every submit is stored and thanked,
and once Redis is back the sweep brings the scores up to every answer."""

import pytest
from django.test import Client, override_settings

from insights import tasks
from insights.models import ScoreState
from surveys.models import Invitation, Response
from tests.faults.services import PRIVATE_REDIS_PORTS, PrivateRedis, Worker, project_env, wait_for
from tests.surveys.factories import link_for, make_survey, open_now, valid_answers, with_priorities_and_dependencies

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_submits_during_a_redis_outage_are_stored_and_scores_catch_up_after(
    tmp_path, tenant_a, celery_on, test_database_url
):
    with_priorities_and_dependencies(tenant_a)
    round_ = open_now(make_survey(tenant_a))
    invitations = list(Invitation.objects.filter(round=round_).order_by("id"))
    links = [(inv, link_for(inv)) for inv in invitations]
    redis = PrivateRedis(PRIVATE_REDIS_PORTS[2]).start()
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis.url[:-1] + "1"}}
    client = Client(raise_request_exception=False)  # as a real server would answer
    worker = None
    try:
        with override_settings(CACHES=cache):
            celery_on(redis.url)
            inv, link = links[0]
            assert "Thank you" in client.post(link, valid_answers(round_, inv.team_id)).content.decode()
            redis.stop()  # the outage: cache and broker gone
            for inv, link in links[1:]:
                assert client.get(link).status_code == 200
                response = client.post(link, valid_answers(round_, inv.team_id))
                assert response.status_code == 200 and "Thank you" in response.content.decode()
            assert Response.objects.filter(round=round_).count() == len(links)
            assert not ScoreState.objects.filter(round=round_).exists()

            redis.start()  # back, empty: the debounced recompute queued before is gone
            env = project_env(
                DATABASE_URL=test_database_url, CELERY_BROKER_URL=redis.url, CACHE_URL=cache["default"]["LOCATION"]
            )
            worker = Worker(env, tmp_path / "w.log").start()
            tasks.sweep_stale_rounds.delay()  # what beat sends every two minutes
            state = wait_for(
                lambda: ScoreState.objects.filter(round=round_, responses_scored=len(links)).first(),
                40,
                what="the sweep's recompute",
            )
            assert state.responses_scored == len(links)
    finally:
        if worker is not None:
            worker.stop()
        redis.stop()
