"""Gunicorn settings: ``gunicorn -c python:peakos.gunicorn_conf peakos.wsgi:application``.

Environment:

* ``WEB_CONCURRENCY`` — worker processes (default 2 × CPUs + 1, sync workers);
* ``GUNICORN_BIND`` — address (default ``0.0.0.0:8000``; ``PORT`` alone also works);
* ``GUNICORN_THREADS`` — threads per worker (default 1: sync workers). Above 1 the
  threaded ``gthread`` worker serves that many requests per process, and the load
  shedding of peakos/overload.py (``MAX_IN_FLIGHT_REQUESTS`` per process) answers the
  surplus with a fast 503 instead of letting it queue (docs/operations.md, "Faults");
* ``GUNICORN_TIMEOUT`` — seconds before a stuck worker is restarted (default 30);
* ``LOG_LEVEL`` — gunicorn's log level (default ``info``).

The app is imported once in the master (``preload_app``): workers fork with Django,
the URL conf and the templates already loaded, so they start fast and share those pages
of memory. Then every long-lived object is moved out of the garbage collector's reach
(``gc.freeze()``): the collector no longer walks hundreds of thousands of module-level
objects on every full collection (that walk was a latency spike of tens of ms on random
requests), and copy-on-write pages are not dirtied by the collector's bookkeeping.
Database connections are not opened before the fork (Django opens them lazily, per
worker); ``CONN_MAX_AGE`` keeps each worker's connection across requests.
"""

from __future__ import annotations

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
preload_app = True


def when_ready(server) -> None:
    """In the master, after the app is loaded and before the first fork."""
    _close_database_connections()
    gc.collect()
    gc.freeze()


def post_fork(server, worker) -> None:
    """In each worker: objects made since the master's freeze (few) are frozen too; the
    young generations are collected as usual, full collections only rarely."""
    gc.freeze()
    # Full collections (generation 2) are what take long; with everything loaded at start
    # frozen, let them run a tenth as often. Young generations keep the default pace.
    threshold0, threshold1, _ = gc.get_threshold()
    gc.set_threshold(threshold0, threshold1, 100)


def _close_database_connections() -> None:
    """A connection opened while loading the app must not be shared by the forked workers."""
    try:
        from django.db import connections
    except ImportError:  # pragma: no cover - gunicorn without Django
        return
    connections.close_all()
