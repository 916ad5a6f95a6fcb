"""Benchmark of the REST API (issue 8). Prints figures; never run by the test suite.

In its own PostgreSQL database ``peakos_bench8`` (dropped and created afresh), with an
organization of ~30 teams, it times through the whole Django stack (test client, token
auth, organization scope, serializers):

(a) the HRIS bulk upsert: 1,000 new people in one call, the same call again (no change),
    then 10,000 people (1,000 updated, 9,000 new) in one call;
(b) reading people: a page of 500, and the queries it takes;
(c) the latest organization scores among 20 rounds × 30 teams × 12 dimensions of snapshots,
    and a page of 500 team snapshots, with their query counts.

Goals: (a) 1,000 people under 2 s and 10,000 under 15 s; (b), (c) under 0.5 s and a
number of queries that does not grow with the page.

    .venv/bin/python bench/api.py

DATABASE_URL overrides the database (PostgreSQL; it is dropped and recreated).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peakos_bench8")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peakos.settings")
os.environ.setdefault("API_THROTTLE_RATE", "100000/min")


def recreate_database(url: str) -> None:
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("bench/api.py needs PostgreSQL (DATABASE_URL).")
    conn = psycopg2.connect(
        dbname="postgres", user=config.get("USER") or None, host=config.get("HOST") or None, port=config.get("PORT")
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(config["NAME"])))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    conn.close()


def timed(label: str, call, goal: float | None = None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = call()
        seconds = time.perf_counter() - start
    assert response.status_code < 300, (response.status_code, response.content[:500])
    ratio = f"  ({seconds / goal:.2f} of the {goal:g} s goal)" if goal else ""
    print(f"{label:<58} {seconds * 1000:8.0f} ms {len(queries):4d} queries{ratio}")
    return response


def main() -> None:
    recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone
    from rest_framework.test import APIClient

    from insights.models import Snapshot
    from peakos.api_auth import create_api_token
    from peakos.models import Organization, Team
    from peakos.tenancy import org_scope
    from surveys.models import Dimension, Round, Survey

    call_command("migrate", verbosity=0)
    org = Organization.objects.create(name="Bench Corp", slug="bench")
    with org_scope(org):
        top = Team.objects.create(organization=org, name="Leadership", kind="leadership")
        teams = [Team.objects.create(organization=org, name=f"Team {i}", parent=top) for i in range(30)]
        _, raw = create_api_token(organization=org, membership=None, name="bench", role="admin")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def people(n, start=0):
        return {
            "people": [
                {"email": f"p{i}@bench.example", "name": f"Person {i}", "team": f"Team {i % 30}"}
                for i in range(start, start + n)
            ]
        }

    url = "/api/v1/people/bulk-upsert/"
    print("(a) bulk upsert")
    timed("1,000 new people in one call", lambda: client.post(url, people(1000), format="json"), 2.0)
    timed("the same 1,000 again (unchanged)", lambda: client.post(url, people(1000), format="json"), 2.0)
    big = people(10_000)
    for row in big["people"][:1000]:
        row["name"] += " Jr"
    timed("10,000 people: 1,000 renamed, 9,000 new", lambda: client.post(url, big, format="json"), 15.0)

    print("(b) people")
    timed("people, a page of 500", lambda: client.get("/api/v1/people/?page_size=500"), 0.5)
    timed(
        "people, page 10 of 500, ordered by e-mail",
        lambda: client.get("/api/v1/people/?page_size=500&page=10&ordering=email"),
        0.5,
    )

    print("(c) scores")
    with org_scope(org):
        survey = Survey.objects.create(organization=org, name="Pulse", start_date=timezone.localdate())
        now = timezone.now()
        dims = [d for d in Dimension.values if d not in ("priority_pick", "rate_team", "comment")]
        rows = []
        for n in range(20):
            opens = now - timedelta(days=14 * (20 - n))
            round_ = Round.objects.create(
                organization=org, survey=survey, number=n + 1, opens_at=opens, closes_at=opens + timedelta(days=5)
            )
            for dim in dims:
                rows.append(Snapshot(organization=org, round=round_, scope_kind="organization", dimension=dim,
                                     suppressed=False, respondents=300, mean=3.9, score=72.0))  # fmt: skip
                for team in teams:
                    rows.append(Snapshot(organization=org, round=round_, scope_kind="team", team=team, dimension=dim,
                                         suppressed=False, respondents=9, mean=3.5, score=62.5))  # fmt: skip
        Snapshot.objects.bulk_create(rows, batch_size=2000)
    print(f"    ({len(rows):,} snapshots)")
    timed(
        "latest organization scores", lambda: client.get("/api/v1/snapshots/?latest=true&scope_kind=organization"), 0.5
    )
    timed("team snapshots, a page of 500", lambda: client.get("/api/v1/snapshots/?scope_kind=team&page_size=500"), 0.5)


if __name__ == "__main__":
    main()
