"""Operator pages: liveness and readiness probes, and the development mail catcher."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from peakos import health, mailcatcher

LOOPBACK = {"127.0.0.1", "::1"}


@never_cache
def healthz(request):
    """Liveness: the process answers. Touches nothing else (see peakos/health.py)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    """Readiness: 200 when database, migrations, broker and cache are fine; else 503 naming what failed."""
    results = health.readiness()
    failed = {name: error for name, error in results.items() if error}
    body = {
        "status": "unavailable" if failed else "ok",
        "checks": {name: ("ok" if error is None else error) for name, error in results.items()},
        "failed": sorted(failed),
    }
    return JsonResponse(body, status=503 if failed else 200)


def _may_read_mail(request) -> bool:
    """The catcher holds every employee's survey link: development only, for staff or this machine."""
    if not settings.DEBUG:
        return False
    return request.user.is_staff or request.META.get("REMOTE_ADDR") in LOOPBACK


@never_cache
def dev_mail(request):
    if not _may_read_mail(request):
        raise Http404
    directory = settings.EMAIL_FILE_PATH
    return render(request, "devmail/list.html", {"mails": mailcatcher.caught_mails(directory), "directory": directory})


@never_cache
def dev_mail_detail(request, mail_id: str):
    if not _may_read_mail(request):
        raise Http404
    mail = mailcatcher.find_mail(settings.EMAIL_FILE_PATH, mail_id)
    if mail is None:
        raise Http404
    return render(request, "devmail/detail.html", {"mail": mail})
