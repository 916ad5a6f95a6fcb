"""Fault-test fixtures: a Celery app pointed at a private broker, the worker's environment."""

import pytest
from django.db import connection
from kombu import pools as kombu_pools

from peakos.celery import app as celery_app


def _reset_connections() -> None:
    # kombu keeps connection and producer pools in process-wide registries keyed by the
    # broker URL: closing only the app's pool left a closed one registered, and a later test
    # in this process publishing to the same URL got "Acquire on closed pool".
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def celery_on(monkeypatch):
    """``celery_on(url)``: from now on this test process publishes to that broker (no eager)."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.broker_url

    def _switch(url: str) -> None:
        _reset_connections()
        # Celery reads CELERY_BROKER_URL from the environment before its own setting.
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        celery_app.conf.task_always_eager = False
        celery_app.conf.broker_url = url

    yield _switch
    _reset_connections()
    celery_app.conf.task_always_eager, celery_app.conf.broker_url = previous


@pytest.fixture
def test_database_url():
    """The URL of the database this test writes to, for a worker in another process."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): the worker process must share the test database")
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
