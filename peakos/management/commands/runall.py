"""``manage.py runall``: web, a Celery worker and Celery beat under one command (what ``make run`` starts).

A small supervisor, nothing more: it starts the three processes, prefixes their output with
their name, forwards Ctrl-C / SIGTERM to all of them, and stops the others when one dies (a
half-running system that looks alive is worse than a stopped one). Without CELERY_BROKER_URL
the processes share kombu's filesystem broker under var/broker/ (peakos/settings.py), so the
whole job — rounds opened on schedule, invitations and reminders sent, scores recomputed —
runs with no server to install. Production runs the same three processes under its own
supervisor (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand

STOP_GRACE_SECONDS = 10


class Command(BaseCommand):
    help = (
        "Run the web server, a Celery worker and Celery beat together (make run). Without CELERY_BROKER_URL "
        "they share an embedded filesystem broker under var/broker/. Ctrl-C stops all three."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="host:port of the web server")
        parser.add_argument("--noreload", action="store_true", help="do not restart the web server on code changes")
        parser.add_argument("--concurrency", type=int, default=2, help="worker threads (default 2)")
        parser.add_argument("--loglevel", default="INFO", help="Celery log level (default INFO)")

    def handle(self, *args, addrport: str, noreload: bool, concurrency: int, loglevel: str, **options):
        env = self._environment(addrport)
        manage = str(settings.BASE_DIR / "manage.py")
        celery = [sys.executable, "-m", "celery", "-A", "peakos"]
        commands = {
            "web": [sys.executable, manage, "runserver", addrport, *(["--noreload"] if noreload else [])],
            # Threads, not prefork: a hung mail server holds one thread while the other keeps working,
            # and no pool processes multiply the memory of a laptop install.
            "worker": [
                *celery,
                "worker",
                "--pool=threads",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--loglevel={loglevel}",
                "--hostname=peakos@%h",
            ],
            "beat": [*celery, "beat", f"--loglevel={loglevel}"],
        }
        stop = threading.Event()

        def _request_stop(signum, frame):
            stop.set()

        previous = {sig: signal.signal(sig, _request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        broker = env["CELERY_BROKER_URL"]
        self.stdout.write(
            f"runall: web on http://{addrport}/, worker and beat on {broker}"
            + (f" (embedded, {env['PEAKOS_VAR_DIR']}/broker/)" if broker.startswith("filesystem://") else "")
            + f"; e-mail: {self._mail_destination(addrport)}; request log: {env['REQUEST_LOG_FILE']}."
            + " Ctrl-C stops all three."
        )
        children: dict[str, subprocess.Popen] = {}
        try:
            for name, command in commands.items():
                children[name] = self._start(name, command, env)
            failed = self._watch(children, stop)
        finally:
            self._stop_all(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed:
            self.stderr.write(f"runall: {failed} exited (code {children[failed].returncode}); stopped the others.")
            sys.exit(1)
        self.stdout.write("runall: stopped.")

    def _environment(self, addrport: str) -> dict[str, str]:
        """The children's environment: the embedded broker unless one is configured, and links that point here."""
        env = dict(os.environ)
        env.setdefault("PEAKOS_VAR_DIR", str(settings.VAR_DIR))
        if not env.get("CELERY_BROKER_URL"):
            env["CELERY_BROKER_URL"] = "filesystem://"
        host, _, port = addrport.rpartition(":")
        if "SITE_URL" not in env:
            # Survey links in the caught e-mails must open this server, whatever port it runs on.
            env["SITE_URL"] = f"http://{host or '127.0.0.1'}:{port}"
        env["PYTHONUNBUFFERED"] = "1"
        # Request lines to a file (one JSON object each), so the terminal shows the worker and beat.
        env.setdefault("REQUEST_LOG_FILE", os.path.join(env["PEAKOS_VAR_DIR"], "log", "requests.jsonl"))
        os.makedirs(os.path.join(env["PEAKOS_VAR_DIR"], "log"), exist_ok=True)
        return env

    def _mail_destination(self, addrport: str) -> str:
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            return f"files in {settings.EMAIL_FILE_PATH}/, listed at http://{addrport}/dev/mail/"
        return settings.EMAIL_BACKEND.rsplit(".", 2)[-2]

    def _start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        """Start one child in its own session (so the signals that reach it are the ones we send)."""
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments, no shell
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            text=True,
            bufsize=1,
        )
        threading.Thread(target=self._relay, args=(name, process), daemon=True).start()
        return process

    def _relay(self, name: str, process: subprocess.Popen) -> None:
        for line in process.stdout:
            self.stdout.write(f"[{name:<6}] {line.rstrip()}")

    def _watch(self, children: dict[str, subprocess.Popen], stop: threading.Event) -> str | None:
        """Wait for Ctrl-C / SIGTERM (returns None) or for a child to exit (returns its name)."""
        while not stop.wait(0.5):
            for name, process in children.items():
                if process.poll() is not None:
                    return name
        return None

    def _stop_all(self, children: dict[str, subprocess.Popen]) -> None:
        """SIGTERM every child's process group (runserver's reloader has a child of its own), then SIGKILL."""
        for process in children.values():
            self._signal(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for process in children.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self._signal(process, signal.SIGKILL)
                process.wait()

    @staticmethod
    def _signal(process: subprocess.Popen, sig: int) -> None:
        # The group may outlive its leader (runserver's reloader child), so signal it either way.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
