"""Logs and error reports an operator can use, and that keep the anonymity promise.

- Request logs: one JSON object per request on the ``peakos.requests`` logger (its own
  handler: stdout, or REQUEST_LOG_FILE), so they neither mix with survey e-mails nor need a
  parser to read. Secret tokens in paths (survey links, invitations) are replaced by ``…``:
  a log line with a survey link and a time must not tie an answer to the person invited.
- Error reports: ADMINS get Django's traceback e-mail, Sentry an event when SENTRY_DSN is
  set; neither carries what was posted on a survey link, nor the link's token.

No Django models are imported here: settings.py imports this module.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import UTC, datetime

from django.views.debug import SafeExceptionReporterFilter

request_log = logging.getLogger("peakos.requests")

# /s/<token>/ (survey links), /l/<token>/ (360 feedback links), /invite/<token>/ (member invitations),
# password-reset links.
SECRET_PATH = re.compile(r"^/(s|l|invite|accounts/reset|signup/confirm)/[^?#]+")
SURVEY_PATH = re.compile(r"^/s/")


def redact_path(path: str) -> str:
    """The path with any secret token replaced by ``…``."""
    return SECRET_PATH.sub(lambda m: f"/{m.group(1)}/…/", path)


class RedactSecretsFilter(logging.Filter):
    """On a logger (it runs before any handler or Sentry sees the record): secret tokens in
    the paths Django logs ("Internal Server Error: /s/<token>/") become ``…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, plus the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    """Logs every request on ``peakos.requests``: method, redacted path, route, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        fields = {
            "method": request.method,
            "path": redact_path(request.path),
            "route": match.route if match else None,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user_id": user.pk if user is not None and user.is_authenticated else None,
            "organization": getattr(getattr(request, "organization", None), "slug", None),
        }
        request_log.info("%s %s %s", fields["method"], fields["path"], fields["status"], extra={"fields": fields})
        return response


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus: nothing posted to a survey link reaches an error report (answers
    and the token together would name who answered what)."""

    def get_post_parameters(self, request):
        if request is not None and SURVEY_PATH.match(request.path):
            return {key: self.cleansed_substitute for key in request.POST}
        return super().get_post_parameters(request)


def sentry_before_send(event: dict, hint: dict) -> dict:
    """Strip survey answers and secret tokens from a Sentry event before it leaves."""
    req = event.get("request") or {}
    if url := req.get("url"):
        scheme, sep, rest = url.partition("://")
        host, slash, path = rest.partition("/")
        req["url"] = f"{scheme}{sep}{host}{redact_path(slash + path)}" if sep else redact_path(url)
        if SURVEY_PATH.match(slash + path if sep else url):
            req.pop("data", None)
    req.pop("cookies", None)
    return event


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Report unhandled errors of web and workers to Sentry (its Django and Celery integrations
    switch on by themselves). No personal data: no user, no IP, no request bodies."""
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,  # a frame's locals can hold answers or tokens
        traces_sample_rate=traces_sample_rate,
        before_send=sentry_before_send,
    )
