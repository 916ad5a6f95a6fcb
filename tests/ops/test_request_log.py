"""One JSON line per request on its own logger (peakos.requests), survey tokens redacted."""

import json
import logging

import pytest

from peakos.observability import JsonFormatter
from tests.surveys.factories import link_for, make_survey, open_now


@pytest.fixture
def request_lines():
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("peakos.requests")
    logger.addHandler(handler)
    yield lines
    logger.removeHandler(handler)


def test_each_request_is_one_json_line(client, tenant_a, request_lines):
    client.force_login(tenant_a.users["admin"])
    client.get(f"/o/{tenant_a.org.slug}/surveys/")
    assert len(request_lines) == 1
    entry = json.loads(request_lines[0])
    assert entry["logger"] == "peakos.requests" and entry["method"] == "GET"
    assert entry["path"] == f"/o/{tenant_a.org.slug}/surveys/" and entry["status"] == 200
    assert entry["route"] == "o/<slug:org_slug>/surveys/" and entry["organization"] == tenant_a.org.slug
    assert entry["user_id"] == tenant_a.users["admin"].pk and entry["duration_ms"] >= 0


def test_a_survey_link_is_logged_without_its_token(client, tenant_a, request_lines, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        round_ = open_now(make_survey(tenant_a))
    link = link_for(round_.invitations.first())
    client.get(link)
    (entry,) = [json.loads(line) for line in request_lines]
    assert entry["path"] == "/s/…/" and entry["status"] == 200
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert token not in request_lines[0]
