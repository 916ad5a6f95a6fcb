"""Benchmark of the leaders' dashboards (issue 6). Prints figures; never run by the test suite.

Builds (once, then reuses) two synthetic organizations with bench/scores.py's generator
(the insights benchmark's organization: 26 biweekly rounds of a 12-question pulse, loaded
with COPY) in its own PostgreSQL database ``peakos_bench6``, and computes their results
with the insights engine:

* large: 10,000 people, 800 teams (the insights benchmark's size);
* small: 2,500 people, 200 teams.

Then, in this process, it requests every dashboard page through Django's test client
(middleware, session, permissions, queries, plotly figures, templates: the whole server
side, no network) as a leader and as a manager who leads one department, and prints
p50 / p95 of the server time per page and the number of SQL queries per page for both
sizes. Goals: p95 < 150 ms on the large organization; the same query count for both.

    .venv/bin/python bench/dashboard.py              # reuse the data if present
    .venv/bin/python bench/dashboard.py --rebuild    # drop and reload both organizations
    .venv/bin/python bench/dashboard.py --repeat 50  # requests per page (default 30)

DATABASE_URL overrides the database (it must be PostgreSQL). DEBUG is off while timing and
connections persist (CONN_MAX_AGE=60, as a production server would run).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/peakos_bench6"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peakos.settings")
os.environ["DEBUG"] = "false"
# Persistent connections, as a production server runs (CONN_MAX_AGE=0 adds a connection per request).
os.environ.setdefault("CONN_MAX_AGE", "60")

warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic for a benchmark

import scores  # noqa: E402 - bench/scores.py, the insights benchmark's generator

SIZES = {"large": (10_000, 800), "small": (2_500, 200)}
PASSWORD = "bench-dashboard-pass-6"
PAGES = [
    ("overview", "dashboard"),
    ("coordination", "dashboard_coordination"),
    ("trends", "dashboard_trends"),
    ("priorities", "dashboard_priorities"),
    ("comments", "dashboard_comments"),
]


def slug_of(size: str) -> str:
    return f"bench-dashboard-{size}"


DERIVED = ("insights_snapshot", "insights_participation", "insights_priorityalignment", "insights_coordinationcell")


def drop(size: str) -> None:
    """Remove an earlier copy of the organization (big tables first, then cascades)."""
    from django.db import connection, transaction

    from peakos.models import Organization
    from peakos.tenancy import scopes_disabled

    with scopes_disabled(), transaction.atomic():
        old = Organization.objects.filter(slug=slug_of(size)).first()
        if old is None:
            return
        with connection.cursor() as cur:
            for table in (*DERIVED, "insights_signal", "surveys_answer", "surveys_response", "surveys_invitation"):
                cur.execute(f'DELETE FROM "{table}" WHERE organization_id = %s', [old.pk])
            cur.execute(
                'UPDATE "peakos_team" SET parent_id = NULL, lead_id = NULL WHERE organization_id = %s', [old.pk]
            )
            cur.execute('UPDATE "peakos_person" SET manager_id = NULL WHERE organization_id = %s', [old.pk])
            cur.execute('DELETE FROM "peakos_person" WHERE organization_id = %s', [old.pk])
        old.delete()


def build(size: str) -> None:
    """One organization with scores.build (its module settings swapped for the size), then
    its results computed by the engine, a leader and a manager (who leads a department)."""
    from peakos.models import Organization
    from peakos.tenancy import org_scope

    drop(size)
    people, teams = SIZES[size]
    scores.SLUG, scores.PEOPLE, scores.TEAMS = slug_of(size), people, teams
    scores.build(np.random.default_rng(scores.SEED))

    from django.db import connection

    from insights import recompute

    org = Organization.objects.get(slug=slug_of(size))
    t0 = time.perf_counter()
    with org_scope(org):
        recompute.recompute_org(organization=org)
        add_users(org, size)
    with connection.cursor() as cur:
        for table in DERIVED:
            cur.execute(f'ANALYZE "{table}"')
    print(f"{size}: computed {org.name}'s results in {time.perf_counter() - t0:.1f} s", flush=True)


def add_users(org, size: str) -> None:
    from django.contrib.auth import get_user_model

    from peakos.models import Layer, Membership, Person, Role, Team

    User = get_user_model()  # noqa: N806
    for role in (Role.LEADER, Role.MANAGER):
        email = f"{role}-{size}@bench.example"
        user = User.objects.filter(email=email).first() or User.objects.create_user(email=email, password=PASSWORD)
        Membership.objects.get_or_create(organization=org, user=user, defaults={"role": role})
        if role == Role.MANAGER:
            department = Team.objects.filter(organization=org, kind="department").order_by("name").first()
            person = Person.objects.create(
                organization=org, email=email, name="Bench Manager", team=department, layer=Layer.DIRECTOR, user=user
            )
            Team.objects.filter(pk=department.pk).update(lead=person)


def paths(org, role: str) -> list[tuple[str, str]]:
    """(label, path) of every page at the organization level and for one department."""
    from django.urls import reverse

    from peakos.models import Team
    from peakos.tenancy import org_scope

    with org_scope(org):
        department = Team.objects.filter(organization=org, kind="department").order_by("name").first()
    out = [(page, reverse(name, kwargs={"org_slug": org.slug})) for page, name in PAGES]
    out += [
        (f"{page} (department)", reverse(f"{name}_team", kwargs={"org_slug": org.slug, "team_id": department.pk}))
        for page, name in PAGES
    ]
    return out


def measure(org, size: str, role: str, repeat: int) -> dict[str, tuple[float, float, int, int]]:
    """label → (p50 ms, p95 ms, queries, bytes)."""
    from django.db import connection
    from django.test import Client

    from peakos.models import User

    client = Client()
    client.force_login(User.objects.get(email=f"{role}-{size}@bench.example"))
    out = {}
    for label, path in paths(org, role):
        response = client.get(path)  # warm up (and the session's last organization)
        assert response.status_code == 200, (path, response.status_code)
        queries = 0

        def count(execute, sql, params, many, context):
            nonlocal queries
            queries += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = client.get(path)
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
        out[label] = (statistics.median(times), p95, queries, len(response.content))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="drop and reload both organizations")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        sys.exit("bench/dashboard.py needs PostgreSQL (DATABASE_URL=postgres://...)")
    scores.ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from peakos.models import Organization
    from peakos.tenancy import scopes_disabled

    orgs = {}
    for size in SIZES:
        with scopes_disabled():
            org = Organization.objects.filter(slug=slug_of(size)).first()
            if args.rebuild or org is None:
                build(size)
                org = Organization.objects.get(slug=slug_of(size))
        orgs[size] = org
    with scopes_disabled():
        for size, org in orgs.items():
            sizes = scores.counts(org.pk)
            print(f"{size}: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()), flush=True)

    results = {
        (size, role): measure(orgs[size], size, role, args.repeat) for size in SIZES for role in ("leader", "manager")
    }
    worst = 0.0
    same = True
    for role in ("leader", "manager"):
        print(f"\n{role}: server time per page on the large organization ({args.repeat} requests each)")
        print(f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'KB':>6} {'queries large':>14} {'queries small':>14}")
        large, small = results[("large", role)], results[("small", role)]
        for label, (p50, p95, queries, size_bytes) in large.items():
            small_queries = small[label][2]
            same &= queries == small_queries
            worst = max(worst, p95)
            print(f"{label:<28} {p50:8.1f} {p95:8.1f} {size_bytes / 1024:6.0f} {queries:14d} {small_queries:14d}")
    small_worst = max(p95 for (size, _), pages in results.items() if size == "small" for _, p95, _, _ in pages.values())
    print(f"\nworst p95: {worst:.1f} ms on 800 teams (goal < 150 ms); {small_worst:.1f} ms on 200 teams")
    print(f"query counts equal for 200 and 800 teams on every page: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
