"""Bounded latency under overload, and a friendly answer when the database is down.

An overloaded server must answer fast rather than late: a proxy with a shorter timeout
shows an error for an answer the server then stores, and a queue of slow requests makes
every request slow (issue 12 measured a p99 of 37 s past ~70 submits/s on 2 cores). So
``LoadSheddingMiddleware``, the outermost middleware:

* lets at most ``MAX_IN_FLIGHT_REQUESTS`` requests per process do work at once (with
  gunicorn's threaded workers several requests share a process); a request that finds
  no free slot within ``REQUEST_QUEUE_TIMEOUT`` seconds is answered 503 at once;
* answers 503 to a request that already waited longer than ``REQUEST_QUEUE_DEADLINE``
  seconds in front of the app, when the proxy stamps its arrival (``X-Request-Start``,
  nginx: ``proxy_set_header X-Request-Start "t=${msec}";``) — its client has likely
  given up, and doing its work would only delay the requests behind it;
* turns a database that is down or gone (``OperationalError`` / ``InterfaceError``
  from a view) into the same 503 instead of a 500 traceback; ``server_error`` (the
  ``handler500``) does the same for one raised in a middleware.

The 503 is a small "try again in a minute" page (JSON in the API's error format under
``/api/``) with ``Retry-After``. It is rendered without the request's context: no
session, user or organization lookup, so it works with the database down. Nothing a user
submitted is lost by it: a survey submit either committed before the answer or changed
nothing (one transaction), and static/js/survey.js retries a 503 with backoff keeping the
draft (single use makes a retry safe).
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template.loader import render_to_string
from django.utils import translation

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)


def busy_response(request, *, reason: str, retry_after: int | None = None) -> HttpResponse:
    """The friendly 503: "try again in a minute", as a page or (under /api/) as JSON."""
    retry_after = retry_after or settings.BUSY_RETRY_AFTER
    if request.path.startswith("/api/"):
        body = json.dumps(
            {
                "status": 503,
                "code": "unavailable",
                "detail": "The service is busy or briefly unavailable. Nothing was changed; try again in a minute.",
                "retry_after": retry_after,
            }
        )
        response = HttpResponse(body, status=503, content_type="application/json")
    else:
        html = render_to_string("busy.html", {"language": translation.get_language() or settings.LANGUAGE_CODE})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    response["X-Peakos-Busy"] = reason  # for logs and load tests: why this 503
    return response


def queued_seconds(request, now: float) -> float | None:
    """How long the request waited before the app saw it, from the proxy's X-Request-Start.

    Accepts ``t=<seconds.fraction>`` (nginx ``$msec``) and bare seconds, milliseconds or
    microseconds since the epoch; anything unreadable counts as unknown.
    """
    raw = request.META.get("HTTP_X_REQUEST_START", "").strip()
    if raw.startswith("t="):
        raw = raw[2:]
    try:
        stamp = float(raw)
    except ValueError:
        return None
    if stamp > 1e14:  # microseconds
        stamp /= 1e6
    elif stamp > 1e11:  # milliseconds
        stamp /= 1e3
    return max(0.0, now - stamp)


class LoadSheddingMiddleware:
    """Outermost middleware: bounded in-flight requests, a queueing deadline, DB errors → 503."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.slots = threading.BoundedSemaphore(settings.MAX_IN_FLIGHT_REQUESTS)

    def __call__(self, request):
        waited = queued_seconds(request, time.time())
        if waited is not None and waited > settings.REQUEST_QUEUE_DEADLINE:
            log.warning("shed %s %s: queued %.1f s before the app", request.method, request.path, waited)
            return busy_response(request, reason="deadline", retry_after=settings.OVERLOAD_RETRY_AFTER)
        if not self.slots.acquire(timeout=settings.REQUEST_QUEUE_TIMEOUT):
            log.warning(
                "shed %s %s: %s requests in flight", request.method, request.path, settings.MAX_IN_FLIGHT_REQUESTS
            )
            return busy_response(request, reason="overload", retry_after=settings.OVERLOAD_RETRY_AFTER)
        try:
            return self.get_response(request)
        finally:
            self.slots.release()

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            log.error("database unavailable on %s %s: %s", request.method, request.path, exception)
            return busy_response(request, reason="database")
        return None


def server_error(request):
    """``handler500``: a database error raised outside a view (a middleware) is a 503 too."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        return busy_response(request, reason="database")
    from peakos.api_base import server_error as api_or_page_server_error  # lazy: api_base imports this module

    try:
        return api_or_page_server_error(request)
    except DATABASE_ERRORS:  # the 500 page's own context needed the database
        return busy_response(request, reason="database")
    except Exception:  # pragma: no cover - last resort
        return HttpResponseServerError("Server error", content_type="text/plain")
