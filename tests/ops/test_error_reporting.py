"""Unhandled errors notify someone for real (ADMINS by e-mail; Sentry when SENTRY_DSN is set),
the 500 page claims "reported" only then, and no report carries a survey answer or link token."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def boom(settings):
    settings.ROOT_URLCONF = "tests.ops.boom_urls"
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_with_admins_the_traceback_is_mailed_and_the_page_says_reported(boom, settings):
    settings.ADMINS = [("Ops", "ops@example.test")]
    settings.ERRORS_ARE_REPORTED = True
    response = boom.get("/boom/")
    assert response.status_code == 500
    assert "has been reported" in response.content.decode()
    assert len(mail.outbox) == 1
    report = mail.outbox[0]
    assert report.to == ["ops@example.test"] and "/boom/" in report.subject
    assert "boom for the error-report test" in report.body


@pytest.mark.django_db
def test_without_anyone_to_notify_the_page_does_not_claim_it(boom, settings):
    settings.ADMINS = []
    settings.ERRORS_ARE_REPORTED = False
    page = boom.get("/boom/").content.decode()
    assert "reported" not in page and "Nobody is notified" in page
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_report_from_a_survey_link_carries_no_answer(boom, settings):
    settings.ADMINS = [("Ops", "ops@example.test")]
    boom.post("/s/SECRETTOKEN123/boom/", {"q-1": "my very private answer"})
    body = mail.outbox[0].body + "".join(str(a[0]) for a in mail.outbox[0].alternatives)
    assert "my very private answer" not in body
    assert "q-1" in body  # the field is named, its value hidden


class _Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            raise AssertionError("brotli envelope: install nothing, ask for gzip")
        self.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_with_sentry_dsn_an_error_in_a_view_reaches_sentry_without_the_token(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        **os.environ,
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{server.server_port}/1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DEBUG": "false",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",
    }
    script = (
        "import sentry_sdk; from django.test import Client; from django.test.utils import override_settings\n"
        "with override_settings(ROOT_URLCONF='tests.ops.boom_urls', DEBUG=False):\n"
        # Built at run time, so neither the command line nor the source lines Sentry quotes hold them.
        "    token, answer = 'SECRET' + 'TOKEN123', 'private' + ' answer'\n"
        "    Client(raise_request_exception=False).post(f'/s/{token}/boom/', {'q-1': answer})\n"
        "sentry_sdk.flush(5)\n"
    )
    try:
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-v0", "-c", script], cwd=ROOT, env=env, check=True, timeout=120
        )
    finally:
        server.shutdown()
    events = b"".join(_Collector.received).decode("utf-8", "replace")
    assert "boom for the error-report test" in events
    assert "SECRETTOKEN123" not in events and "private answer" not in events
    assert '"transaction":"/s/{token}/boom/"' in events  # named by its route, never by the token
