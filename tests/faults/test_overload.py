"""Load shedding and database outages answer a fast, friendly 503 — never a late or a 500.

The kill-things-for-real versions are in test_postgres_down.py; these drive the middleware
directly (a saturated process, a request that queued too long, a database error raised in
a view, in the API or in a middleware).
"""

import json
import threading
import time
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory

from peakos.overload import LoadSheddingMiddleware, queued_seconds
from surveys.models import Response
from tests.surveys.factories import link_for, make_survey, open_now, valid_answers, with_priorities_and_dependencies

DB_GONE = OperationalError("server closed the connection unexpectedly")


def _assert_friendly_page(response):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    page = response.content.decode()
    assert "try again in a minute" in page and "Traceback" not in page


@pytest.fixture
def link_and_round(tenant_a):
    with_priorities_and_dependencies(tenant_a)
    round_ = open_now(make_survey(tenant_a))
    invitation = round_.invitations.order_by("id").first()
    return link_for(invitation), round_, invitation


def test_a_database_outage_during_a_submit_answers_the_friendly_retry_page(client, link_and_round):
    link, round_, invitation = link_and_round
    data = valid_answers(round_, invitation.team_id)
    with mock.patch("surveys.services.submit.submit_response", side_effect=DB_GONE):
        response = client.post(link, data)
    _assert_friendly_page(response)
    assert response["X-Peakos-Busy"] == "database"
    # The database is back: the same answers (the browser still has them) go through once.
    assert "Thank you" in client.post(link, data).content.decode()
    assert Response.objects.filter(round=round_).count() == 1


@pytest.mark.django_db
def test_a_lost_connection_in_a_middleware_is_the_same_page_not_a_500(tenant_a):
    client = Client(raise_request_exception=False)  # as a real server: the handler answers
    with mock.patch(
        "peakos.tenancy.middleware.TenantMiddleware.__call__", side_effect=InterfaceError("connection already closed")
    ):
        response = client.get(f"/o/{tenant_a.org.slug}/")
    _assert_friendly_page(response)


@pytest.mark.django_db
def test_the_api_answers_a_database_outage_in_its_json_error_format(client, tenant_a):
    with mock.patch("peakos.api_auth.ApiTokenAuthentication.authenticate", side_effect=DB_GONE):
        response = client.get("/api/v1/teams/", HTTP_AUTHORIZATION="Bearer pk_whatever")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["status"] == 503 and body["code"] == "unavailable" and body["retry_after"] > 0


def _saturate(middleware, n):
    """``n`` requests parked inside the app; returns (release, threads)."""
    release, inside = threading.Event(), threading.Semaphore(0)

    def view(request):
        inside.release()
        release.wait(10)
        return HttpResponse("done")

    middleware.get_response = view
    threads = [threading.Thread(target=middleware, args=(RequestFactory().get("/s/x/"),)) for _ in range(n)]
    for t in threads:
        t.start()
    for _ in range(n):
        assert inside.acquire(timeout=5)
    return release, threads


def test_a_saturated_process_answers_503_fast_instead_of_queueing(settings):
    settings.MAX_IN_FLIGHT_REQUESTS = 2
    settings.REQUEST_QUEUE_TIMEOUT = 0.2
    middleware = LoadSheddingMiddleware(lambda request: HttpResponse("ok"))
    release, threads = _saturate(middleware, 2)
    try:
        started = time.monotonic()
        shed = middleware(RequestFactory().get("/s/x/"))
        assert time.monotonic() - started < 1.0
        assert shed.status_code == 503 and shed["X-Peakos-Busy"] == "overload"
        assert "try again in a minute" in shed.content.decode() and int(shed["Retry-After"]) > 0
        api = middleware(RequestFactory().get("/api/v1/teams/"))
        assert api.status_code == 503 and json.loads(api.content)["code"] == "unavailable"
    finally:
        release.set()
        for t in threads:
            t.join()
    # Slots free again: work is done as usual.
    middleware.get_response = lambda request: HttpResponse("ok")
    assert middleware(RequestFactory().get("/s/x/")).status_code == 200


def test_a_request_that_queued_past_the_deadline_is_shed_before_any_work(settings):
    settings.REQUEST_QUEUE_DEADLINE = 5
    worked = []
    middleware = LoadSheddingMiddleware(lambda request: worked.append(1) or HttpResponse("ok"))
    late = RequestFactory().get("/s/x/", HTTP_X_REQUEST_START=f"t={time.time() - 30:.3f}")
    assert middleware(late).status_code == 503 and not worked
    fresh = RequestFactory().get("/s/x/", HTTP_X_REQUEST_START=f"t={time.time() - 0.5:.3f}")
    assert middleware(fresh).status_code == 200 and worked == [1]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("t=1700000000.5", 9.5),
        ("1700000000500", 9.5),
        ("1700000000500000", 9.5),
        ("nonsense", None),
        ("", None),
    ],
)
def test_request_start_stamps_in_seconds_milliseconds_or_microseconds(header, expected):
    request = RequestFactory().get("/", HTTP_X_REQUEST_START=header)
    assert queued_seconds(request, now=1_700_000_010.0) == expected
