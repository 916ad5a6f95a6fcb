"""Benchmark of the insights engine (issue 5). Prints figures; never run by the test suite.

Builds (once, then reuses) a synthetic organization in its own PostgreSQL
database ``peakos_bench5``: 10,000 people, 800 teams in a 4-level tree, 5 layers,
26 biweekly rounds of a 12-question pulse, about 2 million answers, loaded with
COPY. Then it times, in this process:

(a) the floor: one raw SQL GROUP BY (round, team, question, value) over all
    answers, rows fetched;
(b) the full recompute of all rounds (``recompute.recompute_org``);
(c) the recompute of the newest round (``recompute.recompute_round``);

and prints the worker's peak memory (ru_maxrss) and the ratio b / a.
Goals (issue 15): b / a <= 2, c <= 0.3 s including the disclosure audit, peak < 400 MB.
The machine's load moves every absolute figure: compare ratios, and (c) / a.

    .venv/bin/python bench/scores.py             # reuse the data if present
    .venv/bin/python bench/scores.py --rebuild   # drop and reload the synthetic org
    .venv/bin/python bench/scores.py --profile   # also print a cProfile of (c)

DATABASE_URL overrides the database (it must be PostgreSQL).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/peakos_bench5"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peakos.settings")

SLUG = "bench-scores"
PEOPLE = 10_000
TEAMS = 800
ROUNDS = 26
SEED = 5
LIKERT_KEYS = [
    ("alignment-priorities", "alignment"),
    ("alignment-why", "alignment"),
    ("team-health-trust", "team_health"),
    ("team-health-safety", "team_health"),
    ("communication-informed", "communication"),
    ("leadership-trust", "leadership"),
    ("coordination-handoffs", "coordination"),
    ("execution-goals", "execution_confidence"),
]


def ensure_database(url: str) -> None:
    """Create the benchmark database when it does not exist."""
    import psycopg2
    from psycopg2 import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    """COPY an iterable of tuples into ``table`` (\\N for None)."""
    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row))
        buf.write("\n")
    buf.seek(0)
    cursor.copy_expert(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN', buf)


def _next_id(cursor, table: str) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
    return cursor.fetchone()[0]


def _reset_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))"
    )


def build(rng: np.random.Generator) -> None:
    """Load the synthetic organization with COPY (about a minute)."""
    from django.db import connection, transaction

    from peakos.models import Organization
    from peakos.tenancy import scopes_disabled

    t0 = time.perf_counter()
    with scopes_disabled(), transaction.atomic():
        old = Organization.objects.filter(slug=SLUG).first()
        if old is not None:
            with connection.cursor() as cur:
                # Fast teardown of the big tables; cascades do the rest.
                for table in (
                    "insights_snapshot",
                    "insights_coordinationcell",
                    "insights_participation",
                    "insights_priorityalignment",
                    "insights_signal",
                ):
                    cur.execute(f'DELETE FROM "{table}" WHERE organization_id = %s', [old.pk])
                cur.execute('DELETE FROM "surveys_answer" WHERE organization_id = %s', [old.pk])
                cur.execute('DELETE FROM "surveys_response" WHERE organization_id = %s', [old.pk])
                cur.execute('DELETE FROM "surveys_invitation" WHERE organization_id = %s', [old.pk])
                # Questions are PROTECTed by the rows naming them: go first.
                cur.execute('DELETE FROM "surveys_roundquestion" WHERE organization_id = %s', [old.pk])
                cur.execute('DELETE FROM "surveys_surveyquestion" WHERE organization_id = %s', [old.pk])
                cur.execute(
                    'UPDATE "peakos_team" SET parent_id = NULL, lead_id = NULL WHERE organization_id = %s', [old.pk]
                )
                cur.execute('UPDATE "peakos_person" SET manager_id = NULL WHERE organization_id = %s', [old.pk])
                cur.execute('DELETE FROM "peakos_person" WHERE organization_id = %s', [old.pk])
            old.delete()
        org = Organization.objects.create(slug=SLUG, name="Bench Scores Inc.")
        oid = org.pk
        now = datetime.now(UTC)
        with connection.cursor() as cur:
            # ---- teams: 1 leadership, 8 departments, 96 groups, 695 teams -----------------
            t_id = _next_id(cur, "peakos_team")
            kinds, parents, depth = ["leadership"], [-1], [0]
            departments = list(range(1, 9))
            kinds += ["department"] * 8
            parents += [0] * 8
            depth += [1] * 8
            groups = list(range(9, 9 + 96))
            kinds += ["team"] * 96
            parents += [departments[i // 12] for i in range(96)]
            depth += [2] * 96
            leaves = list(range(105, TEAMS))
            kinds += ["team"] * len(leaves)
            parents += [groups[i % 96] for i in range(len(leaves))]
            depth += [3] * len(leaves)
            team_ids = np.arange(t_id, t_id + TEAMS)
            copy_rows(
                cur,
                "peakos_team",
                ["id", "organization_id", "name", "kind", "parent_id", "archived", "created_at"],
                ((int(team_ids[i]), oid, f"Team {i:03d}", kinds[i], None, "f", now.isoformat()) for i in range(TEAMS)),
            )
            # Parents after the rows exist (deferred composite FK on PostgreSQL).
            values = ",".join(f"({int(team_ids[i])},{int(team_ids[parents[i]])})" for i in range(1, TEAMS))
            cur.execute(
                f"UPDATE peakos_team t SET parent_id = v.p FROM (VALUES {values}) AS v(id, p) WHERE t.id = v.id"
            )
            _reset_sequence(cur, "peakos_team")

            # ---- people: leadership 10, directors 3 per department, managers 2 per group ---
            team_of = [0] * 10 + [d for d in departments for _ in range(3)] + [g for g in groups for _ in range(2)]
            layer_of = ["executive"] * 10 + ["director"] * 24 + ["manager"] * 192
            rest = PEOPLE - len(team_of)
            sizes = rng.integers(3, 26, size=len(leaves)).astype(float)
            sizes = np.maximum(2, np.round(sizes / sizes.sum() * rest)).astype(int)
            sizes[-1] += rest - sizes.sum()
            for leaf, size in zip(leaves, sizes, strict=True):
                team_of += [leaf] * int(size)
                layer_of += ["lead"] + ["individual"] * (int(size) - 1)
            p_id = _next_id(cur, "peakos_person")
            person_ids = np.arange(p_id, p_id + PEOPLE)
            copy_rows(
                cur,
                "peakos_person",
                [
                    "id",
                    "organization_id",
                    "email",
                    "name",
                    "team_id",
                    "layer",
                    "active",
                    "attributes",
                    "language",
                    "created_at",
                    "updated_at",
                ],
                (
                    (
                        int(person_ids[i]),
                        oid,
                        f"p{i}@bench.example",
                        f"Person {i}",
                        int(team_ids[team_of[i]]),
                        layer_of[i],
                        "t",
                        "{}",
                        "",
                        now.isoformat(),
                        now.isoformat(),
                    )
                    for i in range(PEOPLE)
                ),
            )
            _reset_sequence(cur, "peakos_person")

            # ---- dependencies: each leaf team depends on two other teams -------------------
            dep_rows = set()
            for leaf in leaves:
                for other in rng.choice(leaves, size=2, replace=False):
                    if other != leaf:
                        dep_rows.add((leaf, int(other)))
            for i, d in enumerate(departments[1:]):  # the department chain
                dep_rows.add((d, departments[i]))
            copy_rows(
                cur,
                "peakos_teamdependency",
                ["organization_id", "from_team_id", "to_team_id", "note"],
                ((oid, int(team_ids[a]), int(team_ids[b]), "") for a, b in sorted(dep_rows)),
            )
            depends_on: dict[int, list[int]] = {}
            for a, b in sorted(dep_rows):
                depends_on.setdefault(a, []).append(b)

            # ---- priorities, questions, survey ---------------------------------------------
            pr_id = _next_id(cur, "peakos_priority")
            priority_ids = list(range(pr_id, pr_id + 5))
            copy_rows(
                cur,
                "peakos_priority",
                ["id", "organization_id", "title", "description", "level", "period", "rank", "created_at"],
                (
                    (priority_ids[i], oid, f"Priority {i + 1}", "", "company", "2026", i + 1, now.isoformat())
                    for i in range(5)
                ),
            )
            _reset_sequence(cur, "peakos_priority")
            q_specs = [(k, d, "likert5") for k, d in LIKERT_KEYS] + [
                ("enps", "enps", "scale10"),
                ("priority-pick", "priority_pick", "priority_pick"),
                ("rate-teams", "rate_team", "rate_team"),
                ("comment", "comment", "text"),
            ]
            q_id = _next_id(cur, "surveys_question")
            question_ids = list(range(q_id, q_id + len(q_specs)))
            copy_rows(
                cur,
                "surveys_question",
                [
                    "id",
                    "organization_id",
                    "key",
                    "version",
                    "dimension",
                    "kind",
                    "text",
                    "help_text",
                    "required",
                    "active",
                    "options",
                    "from_bank",
                    "language",
                    "translations",
                    "created_at",
                ],
                (
                    (question_ids[i], oid, k, 1, d, kind, k, "", "t", "t", "[]", "f", "en", "{}", now.isoformat())
                    for i, (k, d, kind) in enumerate(q_specs)
                ),
            )
            _reset_sequence(cur, "surveys_question")
            cur.execute(
                "INSERT INTO surveys_survey (organization_id, name, audience, cadence, open_days, reminder_days, "
                "start_date, send_hour, active, created_at, updated_at) VALUES "
                "(%s, 'Bench pulse', 'organization', 'biweekly', 5, '[]', %s, 9, true, now(), now()) RETURNING id",
                [oid, date(2025, 1, 6)],
            )
            survey_id = cur.fetchone()[0]
            copy_rows(
                cur,
                "surveys_surveyquestion",
                ["organization_id", "survey_id", "question_id", "position"],
                ((oid, survey_id, q, i) for i, q in enumerate(question_ids)),
            )

            # ---- rounds ----------------------------------------------------------------
            r_id = _next_id(cur, "surveys_round")
            round_ids = list(range(r_id, r_id + ROUNDS))
            start = datetime(2025, 1, 6, 9, tzinfo=UTC)
            copy_rows(
                cur,
                "surveys_round",
                [
                    "id",
                    "organization_id",
                    "survey_id",
                    "number",
                    "opens_at",
                    "closes_at",
                    "status",
                    "anonymity_threshold",
                    "comment_threshold",
                    "frozen_at",
                    "audience",
                    "audience_team_ids",
                    "reminder_days",
                    "invited_count",
                    "closed_at",
                    "created_at",
                ],
                (
                    (
                        round_ids[i],
                        oid,
                        survey_id,
                        i + 1,
                        (start + timedelta(days=14 * i)).isoformat(),
                        (start + timedelta(days=14 * i + 5)).isoformat(),
                        "closed",
                        5,
                        10,
                        (start + timedelta(days=14 * i)).isoformat(),
                        "organization",
                        "[]",
                        "[]",
                        PEOPLE,
                        (start + timedelta(days=14 * i + 5)).isoformat(),
                        now.isoformat(),
                    )
                    for i in range(ROUNDS)
                ),
            )
            _reset_sequence(cur, "surveys_round")
            copy_rows(
                cur,
                "surveys_roundquestion",
                ["organization_id", "round_id", "question_id", "position"],
                ((oid, r, q, i) for r in round_ids for i, q in enumerate(question_ids)),
            )

            # ---- invitations, responses, answers (numpy, then COPY) -------------------------
            team_arr = np.array(team_of)
            layer_arr = np.array(layer_of)
            rate = rng.uniform(0.35, 0.9, size=TEAMS)  # each team's response rate
            team_mood = rng.normal(0.0, 0.5, size=TEAMS)
            layer_mood = {"executive": 0.9, "director": 0.6, "manager": 0.3, "lead": 0.1, "individual": 0.0}
            inv_rows, resp_chunks = [], []
            # Response and answer ids are random (surveys.models.random_id): no sequence to follow.
            taken_ids: set[int] = set()

            def random_ids(n: int) -> np.ndarray:
                out = np.empty(0, dtype=np.int64)
                while out.size < n:
                    draw = rng.integers(2**32, 2**63 - 1, size=n - out.size, dtype=np.int64)
                    draw = np.array([int(x) for x in np.unique(draw) if int(x) not in taken_ids], dtype=np.int64)
                    taken_ids.update(draw.tolist())
                    out = np.concatenate([out, draw])
                return out

            ans_chunks = []
            round_starts = []  # where each round's answer chunks begin
            for r_index, round_id in enumerate(round_ids):
                round_starts.append(len(ans_chunks))
                opened = (start + timedelta(days=14 * r_index)).date()
                answered = rng.random(PEOPLE) < rate[team_arr]
                inv_rows.append(
                    np.column_stack(
                        [
                            np.full(PEOPLE, round_id),
                            person_ids,
                            team_ids[team_arr],
                            np.arange(PEOPLE),
                            answered.astype(int),
                        ]
                    )
                )
                who = np.flatnonzero(answered)
                n = who.size
                ids = random_ids(n)
                resp_chunks.append((ids, round_id, team_ids[team_arr[who]], layer_arr[who], opened))
                trend = 0.02 * r_index
                base = 3.4 + team_mood[team_arr[who]] + np.vectorize(layer_mood.get)(layer_arr[who]) + trend
                for q_index in range(len(LIKERT_KEYS)):
                    values = np.clip(np.rint(base + rng.normal(0, 0.9, n)), 1, 5).astype(int)
                    ans_chunks.append(
                        np.column_stack(
                            [ids, np.full(n, question_ids[q_index]), values, np.full(n, -1), np.full(n, -1)]
                        )
                    )
                enps_values = np.clip(np.rint(base * 2 + rng.normal(0, 1.8, n)), 0, 10).astype(int)
                ans_chunks.append(
                    np.column_stack([ids, np.full(n, question_ids[8]), enps_values, np.full(n, -1), np.full(n, -1)])
                )
                # priority picks: 1 to 3 picks, most people name the true #1 first
                picks = rng.integers(1, 4, size=n)
                for rank in (1, 2, 3):
                    mask = picks >= rank
                    m = int(mask.sum())
                    choice = np.where(rng.random(m) < 0.6, rank - 1, rng.integers(0, 5, size=m))
                    ans_chunks.append(
                        np.column_stack(
                            [
                                ids[mask],
                                np.full(m, question_ids[9]),
                                np.full(m, rank),
                                np.full(m, -1),
                                np.array(priority_ids)[choice],
                            ]
                        )
                    )
                # rate-team: each respondent rates the teams their team depends on
                for k in range(2):
                    targets = np.array(
                        [
                            depends_on.get(int(t), [-1, -1])[k] if len(depends_on.get(int(t), [])) > k else -1
                            for t in team_arr[who]
                        ]
                    )
                    mask = targets >= 0
                    m = int(mask.sum())
                    values = np.clip(np.rint(3.3 + team_mood[targets[mask]] + rng.normal(0, 0.8, m)), 1, 5)
                    ans_chunks.append(
                        np.column_stack(
                            [
                                ids[mask],
                                np.full(m, question_ids[10]),
                                values.astype(int),
                                team_ids[targets[mask]],
                                np.full(m, -1),
                            ]
                        )
                    )
            invitations = np.concatenate(inv_rows)
            buf = io.StringIO()
            for round_id, person, team, _, used in invitations.tolist():
                answered = "t" if used else "f"
                buf.write(f"{oid}\t{round_id}\t{person}\t{team}\t\t{answered}\t{now.isoformat()}\n")
            buf.seek(0)
            cur.copy_expert(
                "COPY surveys_invitation (organization_id, round_id, person_id, team_id, layer, answered, created_at)"
                " FROM STDIN",
                buf,
            )
            # the invitation keeps the person's layer at the time (ok to set after the fact)
            cur.execute(
                "UPDATE surveys_invitation i SET layer = p.layer FROM peakos_person p "
                "WHERE i.person_id = p.id AND i.organization_id = %s",
                [oid],
            )
            buf = io.StringIO()
            for ids, round_id, teams, layers, opened in resp_chunks:
                for rid, team, layer in zip(ids.tolist(), teams.tolist(), layers.tolist(), strict=True):
                    buf.write(f"{rid}\t{oid}\t{round_id}\t{team}\t{layer}\t{opened}\n")
            buf.seek(0)
            cur.copy_expert(
                "COPY surveys_response (id, organization_id, round_id, team_id, layer, submitted_on) FROM STDIN", buf
            )
            # Written as production writes them: round after round (a round's answers arrive while
            # it is open), each response's answers together, responses in an arbitrary (here:
            # random-id) order within the round. Sorting all answers by the random response id
            # instead would scatter every round over the whole table.
            bounds = [*round_starts, len(ans_chunks)]
            per_round = []
            for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
                chunk = np.concatenate(ans_chunks[lo:hi])
                per_round.append(chunk[np.lexsort((chunk[:, 1], chunk[:, 0]))])
            answers = np.concatenate(per_round)
            del per_round, ans_chunks
            buf = io.StringIO()
            last_ids = resp_chunks[-1][0]
            commented = last_ids[rng.random(last_ids.size) < 0.1]
            answer_ids = iter(random_ids(len(answers) + commented.size).tolist())
            for response, question, value, rated, priority in answers.tolist():
                rated_s = "\\N" if rated < 0 else rated
                priority_s = "\\N" if priority < 0 else priority
                buf.write(f"{next(answer_ids)}\t{oid}\t{response}\t{question}\t{value}\t\t{rated_s}\t{priority_s}\n")
            # a few comments (10 % of the responses of the newest round)
            for rid in commented.tolist():
                buf.write(f"{next(answer_ids)}\t{oid}\t{rid}\t{question_ids[11]}\t\\N\tMore focus, please.\t\\N\t\\N\n")
            buf.seek(0)
            cur.copy_expert(
                "COPY surveys_answer (id, organization_id, response_id, question_id, value, text, rated_team_id, "
                "priority_id) FROM STDIN",
                buf,
            )
            cur.execute("ANALYZE surveys_answer")
            cur.execute("ANALYZE surveys_response")
            cur.execute("ANALYZE surveys_invitation")
    print(f"built the synthetic organization in {time.perf_counter() - t0:.1f} s", flush=True)


def counts(org_id: int) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cur:
        out = {}
        for table in ("peakos_person", "peakos_team", "surveys_round", "surveys_response", "surveys_answer"):
            cur.execute(f'SELECT count(*) FROM "{table}" WHERE organization_id = %s', [org_id])
            out[table.split("_", 1)[1]] = cur.fetchone()[0]
        return out


FLOOR_SQL = """
SELECT r.round_id, r.team_id, a.question_id, a.value, count(*)
FROM surveys_answer a JOIN surveys_response r ON r.id = a.response_id
WHERE r.organization_id = %s
GROUP BY r.round_id, r.team_id, a.question_id, a.value
"""


def time_floor(org_id: int) -> tuple[float, int]:
    from django.db import connection

    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute(FLOOR_SQL, [org_id])
        rows = cur.fetchall()
        return time.perf_counter() - t0, len(rows)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def breakdown(org) -> dict[str, float]:
    """Where the full recompute spends its time: wrap the stages and add up."""
    from collections import defaultdict

    from django.db import connection

    from insights import engine, recompute, signal_sync, storage
    from peakos.tenancy import org_scope

    spent: dict[str, float] = defaultdict(float)

    def timed(module, name, label):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - t0

        setattr(module, name, wrapper)
        return module, name, real

    patches = [
        timed(storage, "load_responses", "read responses (COPY)"),
        timed(storage, "load_answers", "read answers (COPY)"),
        timed(storage, "load_invitations", "read invitations, questions, ranking"),
        timed(recompute, "_questions", "read invitations, questions, ranking"),
        timed(recompute.OrgData, "prefetch", "read invitations, questions, ranking"),
        timed(recompute, "_leadership_ranking", "read invitations, questions, ranking"),
        timed(engine, "compute_round", "compute (numpy + differencing)"),
        timed(signal_sync, "detect_round_signals", "detect signals"),
        timed(storage, "replace_results", "write results (delete + COPY)"),  # one round
        timed(storage, "copy_text", "format results (COPY text)"),  # backfill
        timed(storage, "delete_results", "delete old results"),  # backfill
        timed(storage, "copy_into", "write results (COPY)"),  # backfill
        timed(signal_sync, "sync_signals", "write signals"),
    ]
    real_commit = connection.commit

    def commit():
        t0 = time.perf_counter()
        try:
            return real_commit()
        finally:
            spent["commit"] += time.perf_counter() - t0

    connection.commit = commit
    try:
        with org_scope(org):
            t0 = time.perf_counter()
            recompute.recompute_org(organization=org)
            spent["total"] = time.perf_counter() - t0
    finally:
        for module, name, real in patches:
            setattr(module, name, real)
        del connection.commit
    return dict(spent)


def time_recompute(org, repeat: int, profile: bool) -> None:
    from insights import recompute
    from peakos.tenancy import org_scope
    from surveys.models import Round

    with org_scope(org):
        full = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            reports = recompute.recompute_org(organization=org)
            full.append(time.perf_counter() - t0)
        newest = Round.objects.filter(organization=org).order_by("-number").select_related("organization").first()
        single = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            recompute.recompute_round(round_=newest)
            single.append(time.perf_counter() - t0)
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            recompute.recompute_round(round_=newest)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    rows = sum(r.rows for r in reports)
    return min(full), min(single), len(reports), rows


def audit_figures(org) -> dict:
    """The disclosure-control audit on the newest round: its time inside one recompute, and how
    many published cells it hides (scopes: participation rows; cells: snapshot rows) and why."""
    from django.db.models import Count

    from insights import disclosure, recompute
    from insights.models import Participation, Snapshot
    from peakos.tenancy import org_scope
    from surveys.models import Round

    spent = {"plan": 0.0, "exact": 0.0}
    real = {
        "audit": disclosure.audit,
        "audit_sets": disclosure.audit_sets,
        "protect": disclosure.DifferencingPlan.protect,
    }

    def wrap(name, label):
        def wrapper(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return real[name](*args, **kwargs)
            finally:
                spent[label] += time.perf_counter() - t0

        return wrapper

    disclosure.audit, disclosure.audit_sets = wrap("audit", "exact"), wrap("audit_sets", "exact")
    disclosure.DifferencingPlan.protect = wrap("protect", "plan")
    try:
        with org_scope(org):
            newest = Round.objects.filter(organization=org).order_by("-number").select_related("organization").first()
            t0 = time.perf_counter()
            recompute.recompute_round(round_=newest)
            total = time.perf_counter() - t0
            out = {"total": total, **spent}
            for model, label in ((Participation, "scopes"), (Snapshot, "cells")):
                rows = model.objects.filter(round=newest).values("hidden_reason").annotate(n=Count("id"))
                by = {r["hidden_reason"]: r["n"] for r in rows}
                out[label] = (sum(by.values()), by.get("few", 0), by.get("protect", 0))
            return out
    finally:
        disclosure.audit, disclosure.audit_sets = real["audit"], real["audit_sets"]
        disclosure.DifferencingPlan.protect = real["protect"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rebuild", action="store_true", help="drop and reload the synthetic organization")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the newest-round recompute")
    parser.add_argument("--repeat", type=int, default=3, help="best of N for each timing")
    args = parser.parse_args()
    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        sys.exit("bench/scores.py needs PostgreSQL (DATABASE_URL=postgres://...)")
    ensure_database(url)

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from peakos.models import Organization
    from peakos.tenancy import scopes_disabled

    with scopes_disabled():
        org = Organization.objects.filter(slug=SLUG).first()
    if args.rebuild or org is None:
        build(np.random.default_rng(SEED))
        # Measure in a fresh process: loading the data inflates this one's memory.
        argv = [a for a in sys.argv if a != "--rebuild"]
        os.execv(sys.executable, [sys.executable, *argv])
    sizes = counts(org.pk)
    print("data:", ", ".join(f"{k} {v:,}" for k, v in sizes.items()), flush=True)

    floor = min(time_floor(org.pk)[0] for _ in range(args.repeat))
    print(f"(a) floor: one SQL GROUP BY (round, team, question, value) over all answers, rows fetched: {floor:.3f} s")
    full, single, rounds, rows = time_recompute(org, args.repeat, args.profile)
    print(f"(b) full recompute of all {rounds} rounds ({rows:,} rows written): {full:.3f} s")
    print(f"(c) recompute of the newest round: {single:.3f} s   (goal <= 0.3 s)")
    print(f"b / a = {full / floor:.2f}   (goal <= 2)    c / a = {single / floor:.2f}")
    print(f"peak memory (ru_maxrss) of this worker process: {peak_mb():.0f} MB   (goal < 400 MB)")
    a = audit_figures(org)
    print(
        f"disclosure audit in (c): hierarchy plan {a['plan']:.3f} s + exact audit {a['exact']:.3f} s "
        f"of {a['total']:.3f} s ({100 * (a['plan'] + a['exact']) / a['total']:.0f} %)"
    )
    for label in ("scopes", "cells"):
        n, few, protect = a[label]
        print(f"  newest round {label}: {n:,} stored, {few:,} hidden (fewer than k), {protect:,} hidden to protect")
    spent = breakdown(org)
    total = spent.pop("total")
    print(f"where (b) goes (one more run, {total:.2f} s):")
    for label, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<40} {seconds:6.2f} s  {100 * seconds / total:4.0f} %")
    print(f"  {'other (ORM reads, signals upkeep, ...)':<40} {total - sum(spent.values()):6.2f} s")


if __name__ == "__main__":
    main()
