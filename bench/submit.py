"""Benchmark of survey submissions (issue 4). Prints figures; never run by the test suite.

Serves the app with gunicorn on PostgreSQL, in its own database ``peakos_bench_submit``
(dropped and created afresh), with one open round of the "Alignment pulse" (8 questions,
10 answers a submission) and one unused link per submission, then:

(a) open loop: POSTs submissions at a fixed rate (default 100/s) for 30 s, whatever the
    server's pace, and prints p50/p95/p99 latency measured from each request's
    *scheduled* time (so a slow server cannot hide queueing: no coordinated omission).
    Goal: p95 < 100 ms.
(b) closed loop with 16 concurrent clients (one process each, so the client's GIL is not
    the limit): the highest rate the server sustains for submissions, for the *physical
    floor* and for the trivial /healthz view on the same server, with the server CPU per
    request of each. The floor (bench/floor_urls.py, mounted only by bench/floor_settings.py)
    parses the same body and inserts the same rows — a guard row, a response, its 10
    answers — in one transaction with raw SQL: what a submit cannot go below on this stack.
    Prints submit/floor and submit/healthz. Goal: submit/floor >= 0.5.
(d) overload: open loop at 3x the sustained submit rate of (b) (several client processes,
    each request stamped ``X-Request-Start`` as the proxy does): the share answered 503
    (load shedding), accepted, and other; p99 latency; and that the rows stored during (d)
    are exactly the accepted ones.
(c) "submitted N, stored N": every accepted submission (HTTP 200 with the thank-you page —
    not "You already answered") is stored exactly once (responses = guard rows = invitations
    the guard recognises = accepted; the floor's own rows are counted apart).

    .venv/bin/python bench/submit.py
    .venv/bin/python bench/submit.py --rate 100 --seconds 30 --clients 16 --probe-seconds 10 --overload-seconds 10

DATABASE_URL overrides the database (PostgreSQL; it is dropped and recreated).
BENCH_REDIS_URL (default redis://127.0.0.1:6379/4) is the server's broker and cache,
as in production: the debounced recompute after each submit is enqueued, not run inline.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/peakos_bench_submit"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peakos.settings")
os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
os.environ.pop("CELERY_BROKER_URL", None)  # the set-up process runs nothing in the background
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/4")

SERVER_LOG = Path(os.environ.get("BENCH_SERVER_LOG", "/tmp/peakos-bench-submit-server.log"))
GOAL_P95_MS = 100.0
GOAL_RATIO = 0.5


def recreate_database(url: str) -> None:
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env.db_url_config(url)
    if "postgresql" not in config["ENGINE"]:
        sys.exit("bench/submit.py needs PostgreSQL (DATABASE_URL).")
    conn = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(config["NAME"])))
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    conn.close()


def prepare(people: int) -> tuple[int, list[str], bytes, dict]:
    """An organization with ``people`` people, one open round, one raw link each; and the
    rows the floor view writes (the same answers, validated once here)."""
    import django

    django.setup()
    from django.db import transaction

    from peakos.models import Organization, Person, Priority, Team, current_period
    from peakos.tenancy import org_scope
    from peakos.tokens import new_token
    from surveys import selectors
    from surveys.bank import TEMPLATES
    from surveys.models import Invitation
    from surveys.services import schedule, setup
    from surveys.services.setup import org_today

    org = Organization.objects.create(name="Bench Corp", slug="bench")
    with org_scope(org):
        teams = [Team.objects.create(organization=org, name=f"Team {i:02d}") for i in range(40)]
        Person.objects.bulk_create(
            (
                Person(organization=org, name=f"Person {i}", email=f"p{i:06d}@bench.example", team=teams[i % 40])
                for i in range(people)
            ),
            batch_size=2000,
        )
        for rank, title in enumerate(["Win the mid-market", "Launch the API", "Reach 70% margin", "Cut costs"], 1):
            Priority.objects.create(organization=org, title=title, level="company", period=current_period(), rank=rank)
        survey = setup.create_survey(
            organization=org,
            actor=None,
            name="Alignment pulse",
            question_keys=list(TEMPLATES["alignment-pulse"][1]),
            start_date=org_today(org),
            open_days=7,
            cadence="weekly",
        )
        # The links are made here instead of e-mailed: skip the send tasks.
        with mock.patch("surveys.services.schedule.enqueue_unsent"), transaction.atomic():
            round = schedule.open_round(survey=survey, force=True)
        invitations = list(Invitation.objects.filter(round=round).order_by("id"))
        raws = []
        for invitation in invitations:
            raw, digest = new_token()
            invitation.token_hash = digest
            raws.append(raw)
        Invitation.objects.bulk_update(invitations, ["token_hash"], batch_size=2000)
        data: dict[str, str] = {}
        for item in selectors.answer_sheet(round, team_id=teams[0].id).items:
            kind = item.question.kind
            if kind == "likert5":
                data[item.name] = "4"
            elif kind == "scale10":
                data[item.name] = "8"
            elif kind == "text":
                data[item.name] = "The roadmap is clear; hand-offs to Sales are slow. <b>More context</b>, please."
            elif kind == "priority_pick":
                data.update({f"{item.name}_r{i + 1}": str(p.id) for i, p in enumerate(item.priorities[:3])})
        sheet = selectors.answer_sheet(round, team_id=teams[0].id)
        floor = {
            "org": org.id,
            "round": round.id,
            "team": teams[0].id,
            "layer": invitations[0].layer,
            "answers": [[a.question.id, a.value, a.text, a.rated_team_id, a.priority_id] for a in sheet.clean(data)],
        }
        return round.id, raws, urlencode(data).encode(), floor


def start_server(port: int, workers: int, floor: dict) -> subprocess.Popen:
    env = {
        **os.environ,
        # The app's settings plus the floor view's URL (bench only).
        "DJANGO_SETTINGS_MODULE": "bench.floor_settings",
        "BENCH_FLOOR": json.dumps(floor),
        "DEBUG": "false",
        "CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": REDIS_URL,
        "CACHE_URL": REDIS_URL,
        "LOG_LEVEL": "ERROR",  # (d) sheds hundreds of requests: one warning each
    }
    env.pop("EMAIL_BACKEND", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "python:peakos.gunicorn_conf",  # as deployed: app preloaded, gc.freeze() after fork
            "peakos.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        # The request log and the load shedding's warnings (hundreds in (d)) go to a file.
        stdout=SERVER_LOG.open("w"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(200):
        try:
            status, _ = request(port, "GET", "/healthz")
            if status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    sys.exit("gunicorn did not start")


def request(
    port: int, method: str, path: str, body: bytes | None = None, extra: dict | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
        headers.update(extra or {})
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


THANKS_MARK = b"data-clear-draft"  # only on the thank-you page (not "You already answered")


def submit(port: int, raw: str, body: bytes) -> bool:
    status, content = request(port, "POST", f"/s/{raw}/", body)
    return status == 200 and THANKS_MARK in content


def submit_status(port: int, raw: str, body: bytes) -> str:
    """'accepted', '503' or 'other' (an error, a timeout, a page that is not the thank-you page)."""
    try:
        # Stamped as nginx would on arrival (docs/operations.md): the load shedding answers 503
        # to a request that queued longer than REQUEST_QUEUE_DEADLINE in front of the app.
        stamp = {"X-Request-Start": f"t={time.time():.3f}"}
        status, content = request(port, "POST", f"/s/{raw}/", body, stamp)
    except OSError:
        return "other"
    if status == 200 and THANKS_MARK in content:
        return "accepted"
    return "503" if status == 503 else "other"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def open_loop(port: int, raws: list[str], body: bytes, rate: float, seconds: float) -> tuple[list[float], int]:
    """Send at fixed times; latency counts from the scheduled time, so queueing shows."""
    total = int(rate * seconds)
    latencies: list[float] = [0.0] * total
    ok = [False] * total
    start = time.perf_counter() + 0.2

    def one(i: int) -> None:
        ok[i] = submit(port, raws[i], body)
        latencies[i] = time.perf_counter() - (start + i / rate)

    with ThreadPoolExecutor(max_workers=64) as pool:
        for i in range(total):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)
    return [v * 1000 for v in latencies], sum(ok)


def _client(args: tuple) -> tuple[int, int, list[float]]:
    """One closed-loop client process: requests back to back until the deadline."""
    port, kind, raws, body, deadline = args
    done = failed = 0
    latencies = []
    while time.time() < deadline:
        t0 = time.perf_counter()
        if kind == "submit":
            if done + failed >= len(raws):
                break
            good = submit(port, raws[done + failed], body)
        elif kind == "floor":
            status, content = request(port, "POST", "/bench/floor/", body)
            good = status == 200 and content == b"stored"
        else:
            status, _ = request(port, "GET", "/healthz")
            good = status == 200
        latencies.append((time.perf_counter() - t0) * 1000)
        done, failed = (done + 1, failed) if good else (done, failed + 1)
    return done, failed, latencies


def closed_loop(port: int, kind: str, clients: int, seconds: float, raws: list[str], body: bytes):
    per = len(raws) // clients if raws else 0
    deadline = time.time() + seconds + 0.5
    jobs = [(port, kind, raws[i * per : (i + 1) * per], body, deadline) for i in range(clients)]
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        time.sleep(0.5)  # let the pool's processes start before the clock runs
        t0 = time.time()
        results = pool.map(_client, jobs)
        elapsed = min(time.time(), deadline) - t0
    done = sum(r[0] for r in results)
    failed = sum(r[1] for r in results)
    latencies = [v for r in results for v in r[2]]
    exhausted = kind == "submit" and any(r[0] + r[1] >= per for r in results)
    return done / elapsed, done, failed, latencies, exhausted


def _overload_client(args: tuple) -> list[tuple[str, float]]:
    """One open-loop client process of (d): its share of the schedule, threads for the waits."""
    port, raws, body, rate, start, offset, step = args
    out: list[tuple[str, float]] = [("other", 0.0)] * len(raws)

    def one(i: int) -> None:
        due = start + (offset + i * step) / rate
        outcome = submit_status(port, raws[i], body)
        out[i] = (outcome, (time.perf_counter() - due) * 1000)

    # Enough threads that requests queued for seconds do not hold back the schedule.
    with ThreadPoolExecutor(max_workers=250) as pool:
        for i in range(len(raws)):
            delay = start + (offset + i * step) / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)
    return out


def overload(port: int, raws: list[str], body: bytes, rate: float, procs: int = 4):
    """Open loop at ``rate`` over ``len(raws)`` requests, spread over ``procs`` processes
    (request i is due at start + i/rate whichever process sends it)."""
    start = time.perf_counter() + 1.0  # perf_counter is CLOCK_MONOTONIC: shared by forked processes
    jobs = [(port, raws[k::procs], body, rate, start, k, procs) for k in range(procs)]
    with multiprocessing.get_context("fork").Pool(procs) as pool:
        results = pool.map(_overload_client, jobs)
    elapsed = time.perf_counter() - start
    return [r for chunk in results for r in chunk], elapsed


def _children(ppid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == ppid:
                out.append(int(entry))
    return out


def _backends() -> list[int]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        pids = [row[0] for row in cur.fetchall()]
    connection.close()
    return pids


def _cpu_seconds(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(stat[11]) + int(stat[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


class ServerCpu:
    """CPU time the server spends (gunicorn workers and their PostgreSQL backends): a cost
    per request that does not depend on what else the machine is running."""

    def __init__(self, server: subprocess.Popen):
        self.server = server

    def __enter__(self):
        self.pids = _children(self.server.pid) + _backends()
        self.start = _cpu_seconds(self.pids)
        return self

    def __exit__(self, *exc):
        self.seconds = _cpu_seconds(self.pids) - self.start


def stored_counts(round_id: int) -> tuple[int, int, int]:
    """Responses, guard rows, and invitations the guard recognises (their keyed hash is there)."""
    from django.db import connection

    from surveys.services.guard import guard_digest

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM surveys_response WHERE round_id = %s", [round_id])
        responses = cur.fetchone()[0]
        cur.execute("SELECT digest FROM surveys_submissionguard WHERE round_id = %s", [round_id])
        guards = {row[0] for row in cur.fetchall()}
        cur.execute("SELECT id FROM surveys_invitation WHERE round_id = %s", [round_id])
        used = sum(guard_digest(row[0]) in guards for row in cur.fetchall())
    return responses, len(guards), used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="open-loop submissions per second")
    parser.add_argument("--seconds", type=float, default=30.0, help="open-loop duration")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--probe-seconds", type=float, default=10.0, help="closed-loop duration per view")
    parser.add_argument("--overload-seconds", type=float, default=10.0, help="duration of (d), at 3x (b)'s rate")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8764)
    args = parser.parse_args()

    url = os.environ["DATABASE_URL"]
    print(
        f"database {url.rsplit('/', 1)[-1]} (recreated), gunicorn (peakos/gunicorn_conf.py) "
        f"with {args.workers} sync workers, ",
        end="",
    )
    print(f"{os.cpu_count()} CPUs shared by server, PostgreSQL and load generator")
    print("load average before the run (other work on this machine): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    recreate_database(url)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], cwd=ROOT, check=True, env=os.environ
    )
    warmup, open_n = 100, int(args.rate * args.seconds)
    probe_n = 20_000
    overload_n = 15_000  # (d) sends min(3 x rate x seconds, this)
    round_id, raws, body, floor = prepare(warmup + open_n + probe_n + overload_n)
    from django.db import connections

    connections.close_all()  # the client processes are forked: do not share a database socket
    print(f"prepared one open round with {len(raws):,} links; a submission is {len(body)} bytes, 10 answers")

    server = start_server(args.port, args.workers, floor)
    accepted = floor_done = 0
    try:
        for i in range(warmup):
            accepted += submit(args.port, raws[i], body)
        for _ in range(200):
            request(args.port, "GET", "/healthz")

        latencies, ok = open_loop(args.port, raws[warmup : warmup + open_n], body, args.rate, args.seconds)
        accepted += ok
        p50, p95, p99 = (percentile(latencies, p) for p in (50, 95, 99))
        print(
            f"(a) open loop {args.rate:.0f}/s for {args.seconds:.0f} s: {ok}/{open_n} accepted; "
            f"latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms "
            f"(goal p95 < {GOAL_P95_MS:.0f} ms: {'met' if p95 < GOAL_P95_MS else 'NOT met'})"
        )

        probe = raws[warmup + open_n : warmup + open_n + probe_n]
        rows = {}
        for kind in ("submit", "floor", "healthz"):
            with ServerCpu(server) as cpu:
                rate, done, failed, lat, exhausted = closed_loop(
                    args.port, kind, args.clients, args.probe_seconds, probe if kind == "submit" else [], body
                )
            rows[kind] = (rate, done, failed, lat, exhausted, 1000 * cpu.seconds / max(done, 1))
        accepted += rows["submit"][1]
        floor_done = rows["floor"][1]
        print(f"(b) {args.clients} concurrent clients, {args.probe_seconds:.0f} s each, closed loop:")
        for kind, (rate, _done, failed, lat, exhausted, ms) in rows.items():
            print(
                f"    {kind:8} {rate:7,.0f}/s  p50 {percentile(lat, 50) if lat else 0:6.1f} ms  "
                f"server CPU {ms:5.2f} ms/request  {failed} failed{', ran out of links' if exhausted else ''}"
            )
        s_rate, f_rate, h_rate = rows["submit"][0], rows["floor"][0], rows["healthz"][0]
        s_ms, f_ms, h_ms = rows["submit"][5], rows["floor"][5], rows["healthz"][5]
        ratio = s_rate / f_rate if f_rate else 0.0
        print(
            f"    submit/floor {ratio:.2f} (goal >= {GOAL_RATIO}: {'met' if ratio >= GOAL_RATIO else 'NOT met'}), "
            f"submit/healthz {s_rate / h_rate if h_rate else 0:.2f}; "
            f"CPU per submit {s_ms / f_ms if f_ms else 0:.1f}x the floor's, {s_ms / h_ms if h_ms else 0:.1f}x /healthz's"
        )

        over_rate = 3 * s_rate
        over = raws[warmup + open_n + probe_n :][: max(1, int(over_rate * args.overload_seconds))]
        before = stored_counts(round_id)[0]
        connections.close_all()
        outcomes, elapsed = overload(args.port, over, body, over_rate)
        after = stored_counts(round_id)[0]
        connections.close_all()
        n = len(outcomes)
        share = {k: sum(o == k for o, _ in outcomes) for k in ("accepted", "503", "other")}
        accepted += share["accepted"]
        lat = [ms for _, ms in outcomes]
        stored_d = after - before
        print(
            f"(d) overload: {n} submits offered at {over_rate:,.0f}/s (3x (b)), sent in {elapsed:.1f} s "
            f"({n / elapsed if elapsed else 0:,.0f}/s): "
            f"{share['accepted'] / n:.0%} accepted, {share['503'] / n:.0%} answered 503, "
            f"{share['other'] / n:.0%} other; p50 {percentile(lat, 50):.0f} ms, p99 {percentile(lat, 99):.0f} ms; "
            f"stored {stored_d} = accepted {share['accepted']}: {'yes' if stored_d == share['accepted'] else 'NO'}"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)

    responses, receipts, used = stored_counts(round_id)
    same = responses - floor_done == receipts - floor_done == used == accepted
    print(
        f"(c) submitted {accepted}, stored {responses - floor_done} "
        f"(guard rows {receipts - floor_done}, invitations recognised {used}; "
        f"the floor's {floor_done} rows apart): {'exactly once' if same else 'MISMATCH'}"
    )
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
