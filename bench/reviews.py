"""Benchmark of the reviews app (issue 7). Prints figures; never run by the test suite.

In its own PostgreSQL database ``peakos_bench7`` (dropped and created afresh), with an
organization of 40 departments × 10 teams (≈450 teams), one review per team in the
previous cycle (5 metrics each, asks, actions, priorities for the period), it times:

(a) opening a cycle of every team: preparing all the packets (set-based, fixed queries);
(b) the priority cascade of a period with ≈1,300 priorities;
(c) the cycle page and the cycle print view for a leader (every review), through the
    whole Django stack, with their query counts.

Goals: (a) under 3 s for 450 packets; (b), (c) under 1 s, and a number of queries that
does not depend on the number of teams.

    .venv/bin/python bench/reviews.py

DATABASE_URL overrides the database (PostgreSQL; it is dropped and recreated).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peakos_bench7")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peakos.settings")

DEPARTMENTS, TEAMS_PER_DEPARTMENT = 40, 10


def recreate_database(url: str) -> None:
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("bench/reviews.py needs PostgreSQL (DATABASE_URL).")
    conn = psycopg2.connect(
        dbname="postgres", user=config.get("USER") or None, host=config.get("HOST") or None, port=config.get("PORT")
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(config["NAME"])))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    conn.close()


def timed(label: str, call, goal: float):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = call()
        seconds = time.perf_counter() - start
    verdict = "ok" if seconds <= goal else "SLOW"
    print(f"{label:<58} {seconds:7.3f} s  {len(queries):4d} queries  (goal {goal:g} s: {verdict})")
    return result


def build():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from peakos.models import Membership, Organization, Person, Priority, Role, Team
    from peakos.tenancy import org_scope
    from reviews.models import Action, Ask, BusinessReview, CycleStatus, Metric, ReviewCycle

    org = Organization.objects.create(name="Bench Corp", slug="bench")
    user = get_user_model().objects.create_user(email="leader@bench.example", password="bench-pass-123")
    with org_scope(org):
        Membership.objects.create(organization=org, user=user, role=Role.LEADER)
        top = Team.objects.create(organization=org, name="Leadership", kind="leadership")
        departments = Team.objects.bulk_create(
            [Team(organization=org, name=f"Dept {d}", kind="department", parent=top) for d in range(DEPARTMENTS)]
        )
        teams = Team.objects.bulk_create(
            [
                Team(organization=org, name=f"Team {d}-{t}", kind="team", parent=dept)
                for d, dept in enumerate(departments)
                for t in range(TEAMS_PER_DEPARTMENT)
            ]
        )
        leads = Person.objects.bulk_create(
            [
                Person(organization=org, name=f"Lead {t.name}", email=f"lead{i}@bench.example", team=t)
                for i, t in enumerate(teams)
            ]  # fmt: skip
        )
        for team, lead in zip(teams, leads, strict=True):
            team.lead = lead
        Team.objects.bulk_update(teams, ["lead"])
        all_teams = [top, *departments, *teams]

        company = Priority.objects.bulk_create(
            [
                Priority(organization=org, title=f"Company {i}", level="company", period="2026-Q4", rank=i)
                for i in range(5)
            ]
        )
        dept_prios = Priority.objects.bulk_create(
            [
                Priority(
                    organization=org,
                    title=f"{d.name} goal",
                    level="department",
                    team=d,
                    period="2026-Q4",
                    parent=company[i % 5],
                )
                for i, d in enumerate(departments)
            ]  # fmt: skip
        )
        Priority.objects.bulk_create(
            [
                Priority(
                    organization=org,
                    title=f"{t.name} goal {k}",
                    level="team",
                    team=t,
                    period="2026-Q4",
                    parent=dept_prios[i // TEAMS_PER_DEPARTMENT] if (i + k) % 3 else None,
                )  # fmt: skip
                for i, t in enumerate(teams)
                for k in range(3)
            ]
        )
        now = timezone.now()
        q3 = ReviewCycle.objects.create(
            organization=org, period="2026-Q3", opens_on=now.date() - timedelta(days=100),
            due_on=now.date() - timedelta(days=80), status=CycleStatus.CLOSED, opened_at=now - timedelta(days=100),
        )  # fmt: skip
        reviews = BusinessReview.objects.bulk_create(
            [
                BusinessReview(
                    organization=org,
                    cycle=q3,
                    team=t,
                    status="approved",
                    submitted_at=now - timedelta(days=85),
                    wins="w",
                    misses="m",
                    lessons="l",
                    health=3,
                    version=1,
                )
                for t in all_teams
            ]  # fmt: skip
        )
        Metric.objects.bulk_create(
            [
                Metric(
                    organization=org,
                    review=r,
                    name=f"Metric {k}",
                    target=Decimal(10),
                    actual=Decimal(k * 3),
                    status=["on_track", "at_risk", "off_track"][k % 3],
                    position=k,
                )  # fmt: skip
                for r in reviews
                for k in range(5)
            ]
        )
        Ask.objects.bulk_create(
            [
                Ask(organization=org, review=r, to_team=all_teams[(i + 7) % len(all_teams)], request="Help")
                for i, r in enumerate(reviews)
            ]  # fmt: skip
        )
        Action.objects.bulk_create(
            [
                Action(
                    organization=org,
                    title=f"Act {t.name}",
                    dimension="alignment",
                    scope_team=t,
                    due_on=now.date() + timedelta(days=30),
                )
                for t in teams[::3]
            ]  # fmt: skip
        )
        q4 = ReviewCycle.objects.create(
            organization=org, period="2026-Q4", opens_on=now.date(), due_on=now.date() + timedelta(days=14),
        )  # fmt: skip
        BusinessReview.objects.bulk_create([BusinessReview(organization=org, cycle=q4, team=t) for t in all_teams])
    return org, q4, len(all_teams)


def main() -> None:
    recreate_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from peakos.tenancy import org_scope
    from reviews import packet
    from reviews.cascade import cascade
    from reviews.models import ReviewCycle

    call_command("migrate", verbosity=0)
    org, q4, n_teams = build()
    print(f"Bench Corp: {n_teams} teams, previous cycle of {n_teams} approved reviews with 5 metrics each")
    with org_scope(org):
        q4.opened_at = q4.created_at
        ReviewCycle.objects.filter(pk=q4.pk).update(opened_at=q4.created_at)
        count = timed(f"(a) prepare the packets of {n_teams} reviews", lambda: packet.prepare_packets(q4), 3.0)
        assert count == n_teams
        c = timed("(b) priority cascade of 2026-Q4", lambda: cascade(org, "2026-Q4"), 1.0)
        print(f"    coverage {c.team_linked}/{c.team_total} = {c.coverage:.0%}, {len(c.unlinked)} linked to nothing")

    client = Client()
    client.login(email="leader@bench.example", password="bench-pass-123")
    for label, name in (
        ("(c) cycle page, every review", "review_cycle"),
        ("(c) cycle print view", "review_cycle_print"),
    ):
        url = reverse(name, args=[org.slug, q4.pk])
        client.get(url)  # warm-up
        response = timed(label, lambda url=url: client.get(url), 1.0)
        assert response.status_code == 200


if __name__ == "__main__":
    main()
