"""PostgreSQL stopped during submits: the server answers the friendly retry page fast
(never a 500 traceback), and every answer it accepted is still there when it returns;
the answers refused during the outage go through when the browser sends them again."""

import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.db import connection

from surveys.models import Invitation
from tests.faults.services import ROOT, PrivatePostgres, port_open, project_env, require, wait_for
from tests.surveys.factories import link_for, make_survey, open_now, valid_answers, with_priorities_and_dependencies

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WEB_PORT = 8120


def _post(url: str, data: dict) -> tuple[int, str, dict]:
    body = urllib.parse.urlencode(data).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body), timeout=20) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def _copy_test_database(pg: PrivatePostgres) -> None:
    """The test database (schema, question bank, this test's organization) into the private server."""
    s = connection.settings_dict
    dump = subprocess.run(
        [
            require("pg_dump"),
            "-h",
            s["HOST"] or "127.0.0.1",
            "-p",
            str(s["PORT"] or 5432),
            "-U",
            s["USER"],
            "--no-owner",
            "--no-privileges",
            s["NAME"],
        ],  # fmt: skip
        check=True,
        capture_output=True,
        timeout=60,
    )
    subprocess.run(
        [
            "psql",
            "-q",
            "-h",
            "127.0.0.1",
            "-p",
            str(pg.port),
            "-U",
            "postgres",
            "-d",
            "peakos",
            "-v",
            "ON_ERROR_STOP=1",
        ],
        input=dump.stdout,
        check=True,
        capture_output=True,
        timeout=60,
    )


def test_postgres_stopped_during_submits_answers_the_retry_page_and_loses_nothing(tmp_path, tenant_a):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): the private server is a copy of the test database")
    if port_open(WEB_PORT):
        pytest.skip(f"port {WEB_PORT} is busy")
    with_priorities_and_dependencies(tenant_a)
    round_ = open_now(make_survey(tenant_a))
    sheets = [(link_for(inv), valid_answers(round_, inv.team_id)) for inv in Invitation.objects.filter(round=round_)]
    assert len(sheets) >= 6

    pg = PrivatePostgres().init()
    web = None
    try:
        _copy_test_database(pg)
        env = project_env(
            DATABASE_URL=pg.url,
            GUNICORN_BIND=f"127.0.0.1:{WEB_PORT}",
            WEB_CONCURRENCY="1",
            DEBUG="0",
            LOG_LEVEL="WARNING",
        )
        log = open(tmp_path / "web.log", "w")  # noqa: SIM115
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:peakos.gunicorn_conf", "peakos.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_for(lambda: port_open(WEB_PORT), 30, what="gunicorn")
        base = f"http://127.0.0.1:{WEB_PORT}"
        accepted, refused = sheets[:3], sheets[3:6]
        for link, data in accepted:
            status, page, _ = _post(base + link, data)
            assert status == 200 and "Thank you" in page

        pg.stop()  # the outage
        for link, data in refused:
            started = time.monotonic()
            status, page, headers = _post(base + link, data)
            assert time.monotonic() - started < 10  # fast, not a hang
            assert status == 503, page[:500]
            assert "try again in a minute" in page and "Traceback" not in page
            assert int(headers["Retry-After"]) > 0

        pg.start()  # back: nothing accepted was lost, and the browser's retries go through
        assert pg.psql(f"SELECT count(*) FROM surveys_response WHERE round_id = {round_.id}") == "3"
        for link, data in refused:
            status, page, _ = _post(base + link, data)
            assert status == 200 and "Thank you" in page
        assert pg.psql(f"SELECT count(*) FROM surveys_response WHERE round_id = {round_.id}") == "6"
        assert pg.psql(f"SELECT count(*) FROM surveys_submissionguard WHERE round_id = {round_.id}") == "6"
        # A link whose answer was accepted before the outage stays used: no second response.
        status, page, _ = _post(base + accepted[0][0], accepted[0][1])
        assert "You already answered" in page
        assert pg.psql(f"SELECT count(*) FROM surveys_response WHERE round_id = {round_.id}") == "6"
    finally:
        if web is not None:
            web.terminate()
            web.wait(10)
        pg.destroy()
