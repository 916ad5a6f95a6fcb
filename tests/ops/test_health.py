"""/healthz answers without touching anything; /readyz checks database, migrations, broker and
cache, and names what failed with a 503."""

import json

import pytest
from django.core.management import call_command

from peakos.celery import app as celery_app


def test_healthz_needs_no_database(client):
    response = client.get("/healthz")  # no django_db mark: any query would raise
    assert response.status_code == 200 and response.content == b"ok"


@pytest.mark.django_db
def test_readyz_is_ok_when_everything_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "migrations": "ok", "broker": "ok", "cache": "ok"},
        "failed": [],
    }


@pytest.fixture
def unreachable_broker(settings):
    """A configured broker nobody listens on (port 1), with tasks no longer eager."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = previous


@pytest.mark.django_db
def test_readyz_names_an_unreachable_broker(client, unreachable_broker):
    response = client.get("/readyz")
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["status"] == "unavailable" and body["failed"] == ["broker"]
    assert body["checks"]["broker"].startswith("broker unreachable")


@pytest.mark.django_db
def test_readyz_names_an_unreachable_cache(client, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content)["failed"] == ["cache"]


@pytest.mark.django_db(transaction=True)
def test_readyz_names_unapplied_migrations(client):
    call_command("migrate", "peakos", "0006", verbosity=0)
    try:
        response = client.get("/readyz")
        body = json.loads(response.content)
        assert response.status_code == 503 and body["failed"] == ["migrations"]
        assert "peakos.0007_heartbeat" in body["checks"]["migrations"]
    finally:
        call_command("migrate", verbosity=0)
    assert client.get("/readyz").status_code == 200
