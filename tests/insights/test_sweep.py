"""The sweep: rounds whose answers are newer than their scores are recomputed by beat, so
a broker, cache or worker outage heals by itself; post-commit enqueues never fail a submit."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from insights import selectors, tasks
from insights.models import ScoreState, Snapshot
from surveys.models import Response, Round
from tests.surveys.factories import link_for, make_survey, open_now, valid_answers, with_priorities_and_dependencies

pytestmark = pytest.mark.django_db


def _open_round(tenant, build_round, times=6):
    return build_round(status="open").respond(tenant.team, times=times).respond(tenant.other_team, times=times).save()


def _add_responses(round_, tenant, n):
    Response.objects.bulk_create(
        Response(
            organization=tenant.org, round=round_, team=tenant.team, layer="individual", submitted_on=timezone.now()
        )
        for _ in range(n)
    )


def test_a_round_with_answers_and_no_scores_is_stale_until_the_sweep_recomputes_it(tenant_a, build_round):
    round_ = _open_round(tenant_a, build_round)
    assert (round_.id, tenant_a.org.id) in selectors.stale_rounds(timezone.now())
    cache.delete(tasks.debounce_key(round_.id))
    assert tasks.sweep_stale_rounds.delay().get() == 1
    assert Snapshot.objects.filter(round=round_, scope_kind="organization").exists()
    assert ScoreState.objects.get(round=round_).responses_scored == 12
    assert selectors.stale_rounds(timezone.now()) == []


def test_answers_newer_than_the_scores_make_the_round_stale_again(tenant_a, build_round):
    round_ = _open_round(tenant_a, build_round)
    tasks.recompute_round.delay(round_.organization_id, round_.id).get()
    assert selectors.stale_rounds(timezone.now()) == []
    _add_responses(round_, tenant_a, 3)
    assert [r for r, _ in selectors.stale_rounds(timezone.now())] == [round_.id]


def test_a_round_closed_after_its_last_scoring_is_stale(tenant_a, build_round):
    round_ = _open_round(tenant_a, build_round)
    tasks.recompute_round.delay(round_.organization_id, round_.id).get()
    Round.objects.filter(pk=round_.pk).update(status="closed", closed_at=timezone.now() + timedelta(seconds=1))
    assert [r for r, _ in selectors.stale_rounds(timezone.now())] == [round_.id]


def test_rounds_closed_long_ago_and_empty_open_rounds_are_left_alone(tenant_a, build_round):
    old = build_round(number=1).respond(tenant_a.team, times=5).save()
    Round.objects.filter(pk=old.pk).update(closed_at=timezone.now() - selectors.SWEEP_CLOSED_WINDOW - timedelta(days=1))
    build_round(number=2, status="open").save()
    assert selectors.stale_rounds(timezone.now()) == []


def test_the_sweep_leaves_a_round_whose_debounced_recompute_is_pending(tenant_a, build_round):
    round_ = _open_round(tenant_a, build_round)
    cache.add(tasks.debounce_key(round_.id), True, timeout=60)
    try:
        assert tasks.sweep_stale_rounds.delay().get() == 0
    finally:
        cache.delete(tasks.debounce_key(round_.id))


def test_the_sweep_runs_on_beat():
    from django.conf import settings

    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "insights.tasks.sweep_stale_rounds"]
    assert entries and entries[0]["schedule"] <= 300


def test_a_failed_enqueue_keeps_the_answer_frees_the_lock_and_the_sweep_heals_it(
    client, tenant_a, django_capture_on_commit_callbacks
):
    with_priorities_and_dependencies(tenant_a)
    round_ = open_now(make_survey(tenant_a))
    invitations = list(round_.invitations.order_by("id")[:6])
    cache.delete(tasks.debounce_key(round_.id))
    broker_down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with mock.patch.object(tasks.recompute_round, "apply_async", side_effect=broker_down):
        for inv in invitations:
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(link_for(inv), valid_answers(round_, inv.team_id))
            assert response.status_code == 200 and "Thank you" in response.content.decode()
            # The lock guards nothing, so it is not held: the next submit tries again.
            assert cache.get(tasks.debounce_key(round_.id)) is None
    assert Response.objects.filter(round=round_).count() == 6
    assert not Snapshot.objects.filter(round=round_).exists()
    # The broker is back: the sweep recomputes the round on its own.
    assert tasks.sweep_stale_rounds.delay().get() == 1
    assert ScoreState.objects.get(round=round_).responses_scored == 6
    cache.delete(tasks.debounce_key(round_.id))


def test_with_the_cache_down_scheduling_a_recompute_raises_nothing_and_enqueues_nothing(
    tenant_a, build_round, django_capture_on_commit_callbacks
):
    round_ = _open_round(tenant_a, build_round)
    down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    with (
        override_settings(CACHES=down),
        mock.patch.object(tasks.recompute_round, "apply_async") as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        tasks.schedule_recompute(round_.organization_id, round_.id)
    assert apply_async.call_count == 0
    assert (round_.id, tenant_a.org.id) in selectors.stale_rounds(timezone.now())  # the sweep's job now
