"""Benchmark of the people CSV import (issue 3). Prints figures; never run by the test suite.

Generates a 10,000-person CSV (a 4-level tree of ~110 teams, managers at every
level, two attribute columns) and, in its own PostgreSQL database
``peakos_bench3`` (dropped and created afresh), times with ``manage.py
import_people``'s code path:

(a) the first import into an empty organization (creates every team and person),
    as ``manage.py import_people`` in its own process, with that process's peak
    memory (``ru_maxrss`` from ``os.wait4``);
(b) the re-import of the same file (changes nothing);
(c) an updated file: 500 people renamed or moved, 200 new, full sync deactivating 300;
    then a file where thousands of people change (their location attribute);
(d) the export of the 10,000 people, and the people list page (count + page 1, a search).

Goals: (a) under 10 s and the process's peak memory (ru_maxrss) under 300 MB.

    .venv/bin/python bench/import_people.py            # 10,000 people
    .venv/bin/python bench/import_people.py --people 50000

DATABASE_URL overrides the database (it must be PostgreSQL; it is dropped and recreated).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/peakos_bench3"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peakos.settings")

GOAL_SECONDS = 10.0
GOAL_MB = 300


def recreate_database(url: str) -> None:
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("bench/import_people.py needs PostgreSQL (DATABASE_URL).")
    name = config["NAME"]
    conn = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, check=True)


def write_csv(path: Path, people: int, seed: int = 3) -> list[list[str]]:
    """A realistic organization: CEO → 8 department heads → 12 team leads each → everyone else."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    locations = ["Berlin", "Lisbon", "Austin", "Toronto", "Remote"]

    def person(i: int, team: str, parent: str, manager: str, layer: str) -> str:
        email = f"person{i:06d}@bench.example"
        rows.append(
            [
                email,
                f"Person {i:06d}",
                team,
                parent,
                manager,
                layer,
                rng.choice(locations),
                f"20{rng.randint(10, 25)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
            ]
        )
        return email

    i = 0
    ceo = person(i, "Leadership", "", "", "executive")
    leads: list[tuple[str, str]] = []
    for d in range(8):
        department = f"Department {d}"
        i += 1
        head = person(i, department, "Leadership", ceo, "director")
        for t in range(12):
            i += 1
            team = f"Team {d}-{t}"
            leads.append((team, person(i, team, department, head, "lead")))
    while i < people - 1:
        i += 1
        team, lead = leads[i % len(leads)]
        person(i, team, f"Department {team.split(' ')[1].split('-')[0]}", lead, "individual")
    with path.open("w", encoding="utf-8") as f:
        f.write("email,name,team,parent_team,manager_email,layer,location,start_date\n")
        for row in rows:
            f.write(",".join(row) + "\n")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()

    # This process stays small until the imports are done: a child forked from a big
    # process inherits its peak (ru_maxrss), which would hide the import's own figure.
    recreate_database(os.environ["DATABASE_URL"])
    manage("migrate", "--verbosity", "0")
    manage(
        "shell",
        "-c",
        "from peakos.models import User; from peakos.memberships import create_organization; "
        "owner = User.objects.create_user(email='owner@bench.example', password='bench-pass-123'); "
        "create_organization(name='Bench Corp', slug='bench', owner=owner)",
    )

    workdir = Path(tempfile.mkdtemp(prefix="peakos-bench-"))
    first = workdir / "people.csv"
    rows = write_csv(first, args.people)
    size_mb = first.stat().st_size / 1e6
    del rows
    print(f"{args.people:,} people, {size_mb:.1f} MB CSV. Each import is a fresh `manage.py import_people`")
    print("process: its wall time includes starting Django; the command's own time is in brackets.\n")

    def run(label: str, path: Path, *options: str) -> tuple[float, float]:
        """``manage.py import_people`` in its own process: wall time and that process's peak memory."""
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "import_people", "bench", str(path), *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=ROOT,
            text=True,
        )
        out = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - started
        child.stdout.close()
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{label}: import_people failed")
        summary = out.strip().splitlines()[-1]
        peak = usage.ru_maxrss / 1024
        print(f"{label:<40} {elapsed:6.2f} s  peak {peak:4.0f} MB  {summary}")
        return elapsed, peak

    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "check"], cwd=ROOT, stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(child.pid, 0)
    baseline = usage.ru_maxrss / 1024
    print(f"{'baseline: manage.py check':<40} {time.perf_counter() - started:6.2f} s  peak {baseline:4.0f} MB")
    a, peak_after_a = run("(a) first import", first)
    run("(b) re-import, same file", first)

    # (c) an updated file: renames, moves, new people; full sync deactivates the dropped ones.
    lines = first.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:]
    changed = []
    for n, line in enumerate(body):
        cells = line.split(",")
        if n >= 1000 and n % 20 == 0:  # 450 renamed
            cells[1] += " Jr"
        if n >= 1000 and n % 50 == 7:  # 180 moved to another team of their department
            cells[2] = cells[2].rsplit("-", 1)[0] + "-0"
        changed.append(",".join(cells))
    kept = changed[: len(changed) - 300]  # the last 300 left the company
    extra = [
        f"new{k:05d}@bench.example,New {k:05d},Team 0-1,Department 0,person000002@bench.example,individual,Berlin,2026-01-01"
        for k in range(200)
    ]
    updated = workdir / "people-updated.csv"
    updated.write_text("\n".join([header, *kept, *extra]) + "\n", encoding="utf-8")
    run("(c) updated file, --deactivate-missing", updated, "--deactivate-missing")
    everyone = workdir / "people-everyone-moved.csv"
    everyone.write_text(
        "\n".join([header, *(line.replace(",Berlin,", ",Paris,").replace(",Lisbon,", ",Paris,") for line in kept)])
        + "\n",
        encoding="utf-8",
    )
    run("(c2) every location changed", everyone)

    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from peakos.models import Organization, Person, User
    from peakos.orgadmin import importer
    from peakos.orgadmin.peoplecsv import export_people_csv
    from peakos.tenancy import org_scope

    org = Organization.objects.get(slug="bench")
    owner = User.objects.get(email="owner@bench.example")
    with org_scope(org):
        started = time.perf_counter()
        exported = io.StringIO()
        count = export_people_csv(org, exported)
        export_s = time.perf_counter() - started
        started = time.perf_counter()
        plan = importer.preview_import(org, exported.getvalue(), deactivate_missing=True)
        round_trip_s = time.perf_counter() - started
    print(f"{'(d) export':<34} {export_s:6.2f} s   {count:,} people")
    print(
        f"{'    export → preview again':<34} {round_trip_s:6.2f} s   "
        f"{'no changes' if not plan.has_changes else 'CHANGES: ' + plan.summary_line()}"
    )

    setup_test_environment()
    client = Client()
    client.force_login(owner)
    url = reverse("manage_people", args=["bench"])
    client.get(url)  # warm the template cache
    for label, params in (
        ("people list, page 1", {}),
        ("people list, page 150", {"page": 150}),
        ("people search", {"q": "0042"}),
    ):
        started = time.perf_counter()
        response = client.get(url, params)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.status_code
        print(f"    {label:<30} {elapsed * 1000:6.0f} ms")
    with org_scope(org):
        active = Person.objects.filter(active=True).count()
    print(f"active people now {active:,}")

    verdict_time = "OK" if a < GOAL_SECONDS else "OVER GOAL"
    verdict_mem = "OK" if peak_after_a < GOAL_MB else "OVER GOAL"
    print(
        f"\nfirst import {a:.2f} s (goal < {GOAL_SECONDS:.0f} s: {verdict_time}); "
        f"peak memory of its process {peak_after_a:.0f} MB (goal < {GOAL_MB} MB: {verdict_mem}; "
        f"{peak_after_a - baseline:.0f} MB above a bare `manage.py check`)"
    )


if __name__ == "__main__":
    main()
