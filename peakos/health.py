"""Readiness checks for ``/readyz``: can this process serve requests that need the database,
the broker and the cache, on a fully migrated schema?

Each check returns an error message, or None when it passed. ``/healthz`` (liveness) runs none
of them: a load balancer restarting web processes because the database is down would only
make an outage worse.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from peakos.models import Heartbeat

BROKER_TIMEOUT_SECONDS = 2.0


def check_database() -> str | None:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any driver error means "not ready"
        return f"database unreachable: {type(exc).__name__}: {exc}"
    return None


def check_migrations() -> str | None:
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        return f"migrations unknown: {type(exc).__name__}: {exc}"
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in plan[:5])
        return f"{len(plan)} migration(s) not applied: {names}" + (" …" if len(plan) > 5 else "")
    return None


def check_broker() -> str | None:
    """Connect to the Celery broker (tasks run in-process when none is configured)."""
    from peakos.celery import app

    if app.conf.task_always_eager or not settings.CELERY_BROKER_URL:
        return None
    try:
        with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as exc:
        return f"broker unreachable: {type(exc).__name__}: {exc}"
    return None


def check_cache() -> str | None:
    try:
        cache.set("readyz", "ok", 10)
        if cache.get("readyz") != "ok":
            return "cache does not keep what it was given"
    except Exception as exc:
        return f"cache unreachable: {type(exc).__name__}: {exc}"
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "migrations": check_migrations,
    "broker": check_broker,
    "cache": check_cache,
}


def readiness() -> dict[str, str | None]:
    """Every check's result by name (the migration check only when the database answers)."""
    results: dict[str, str | None] = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results.get("database"):
            results[name] = "not checked: the database is unreachable"
            continue
        results[name] = check()
    return results


def record_heartbeat(*, name: str) -> None:
    """Note that the background loop ``name`` ran just now (one row per loop, overwritten);
    ``peakos.selectors`` reads it to say whether the scheduler runs."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})
