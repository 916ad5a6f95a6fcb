"""`make run`'s processes (manage.py runall) do the whole job on their own: beat ticks, the worker
opens the due round and sends the invitation, and the e-mail shows up in the local mail catcher
with a link that opens the survey. Real processes on a private port, a temp SQLite database and
a temp var dir (the embedded filesystem broker lives there); no Redis, no PostgreSQL."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORT = 8117
POLL_SECONDS = 90

pytestmark = pytest.mark.integration

CREATE_DUE_SURVEY = """
from datetime import timedelta
from django.utils import timezone
from django_scopes import scopes_disabled
from surveys.models import Survey
from tests.conftest import build_tenant
from tests.surveys.factories import make_survey
with scopes_disabled():
    tenant = build_tenant("Alpha")
    survey = make_survey(tenant)
    Survey.objects.filter(pk=survey.pk).update(next_run_at=timezone.now() - timedelta(minutes=1))
"""


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL", "CACHE_URL", "EMAIL_URL", "EMAIL_BACKEND"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PEAKOS_VAR_DIR=str(tmp_path / "var"),
        SITE_URL=f"http://127.0.0.1:{PORT}",
        SURVEYS_TICK_SECONDS="2",  # beat's schedule, shortened so the test does not wait a minute
        DJANGO_ENV="development",
        DEBUG="true",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def _get(path: str) -> tuple[int, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=10) as response:  # noqa: S310
        return response.status, response.read().decode()


def _processes_with(marker: str) -> list[int]:
    """Pids whose environment carries ``marker`` (the children runall started)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if marker.encode() in (proc / "environ").read_bytes():
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


def test_runall_opens_a_due_round_and_the_invitation_reaches_the_mail_catcher(tmp_path):
    env = _environment(tmp_path)
    _manage(env, "migrate", "--noinput")
    _manage(env, "shell", "-c", CREATE_DUE_SURVEY)
    mail_dir = tmp_path / "var" / "mail"
    runall = subprocess.Popen(
        [sys.executable, "manage.py", "runall", f"127.0.0.1:{PORT}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = ""
    try:
        deadline = time.monotonic() + POLL_SECONDS
        caught = ""
        while time.monotonic() < deadline and "p4@alpha.example" not in caught:
            time.sleep(1)
            assert runall.poll() is None, "runall stopped early"
            caught = "".join(p.read_text() for p in mail_dir.glob("*.log")) if mail_dir.is_dir() else ""
        assert "p4@alpha.example" in caught, "no invitation within 90 s"
        # Nobody pressed "Open a round now": beat's tick on the worker opened it.
        status, page = _get("/dev/mail/")
        assert status == 200 and "a 2-minute pulse survey" in page
        links = re.findall(rf'href="(http://127\.0\.0\.1:{PORT}/s/[\w-]+/)"', page)
        assert len(links) == 6  # every person of the organization, each with their own link
        status, survey_page = _get(links[0].removeprefix(f"http://127.0.0.1:{PORT}"))
        assert status == 200 and "Alignment pulse" in survey_page
        status, ready = _get("/readyz")
        assert status == 200 and '"failed": []' in ready
    finally:
        # One Ctrl-C stops web, worker and beat.
        runall.send_signal(signal.SIGINT)
        try:
            output, _ = runall.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            runall.kill()
            output, _ = runall.communicate()
    assert runall.returncode == 0, output[-3000:]
    assert "[worker]" in output and "[beat  ]" in output and "Task surveys.tasks.tick" in output
    assert _processes_with(f"PEAKOS_VAR_DIR={tmp_path / 'var'}") == []
