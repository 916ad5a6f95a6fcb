"""seed_demo is idempotent from its first run (a second run adds nothing, review signals
included) and two runs at once both succeed (an advisory lock on PostgreSQL, a file lock on
SQLite) and leave the same data as one."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from insights.models import Signal
from peakos.models import Organization, Person

ROOT = Path(__file__).resolve().parents[2]


def model_counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


@pytest.mark.django_db
def test_a_first_run_creates_everything_a_second_run_would():
    call_command("seed_demo", stdout=StringIO())
    first = model_counts()
    assert Signal.objects.filter(round__isnull=True).exists()  # the review signals, on the first run
    call_command("seed_demo", stdout=StringIO())
    assert model_counts() == first


def _database_url(tmp_path: Path) -> str:
    """The database the two runs share: this test's own PostgreSQL database, or a fresh SQLite file."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{tmp_path / 'db.sqlite3'}"


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_both_succeed_and_leave_one_demo(tmp_path):
    env = {**os.environ, "DATABASE_URL": _database_url(tmp_path), "PEAKOS_VAR_DIR": str(tmp_path / "var")}
    env.pop("CELERY_BROKER_URL", None)  # the recomputes run in-process, as `make run` seeds
    command = [sys.executable, "manage.py", "seed_demo"]
    if connection.vendor != "postgresql":
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    runs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    for run, output in zip(runs, outputs, strict=True):
        assert run.returncode == 0, output[-3000:]
        assert "Demo data ready" in output
    if connection.vendor == "postgresql":
        assert Organization.objects.count() == 2
        assert 140 <= Person.objects.filter(organization__slug="northwind").count() <= 170
        after_two = model_counts()
        call_command("seed_demo", stdout=StringIO())
        assert model_counts() == after_two
