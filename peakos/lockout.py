"""Brute-force protection of the account endpoints.

* Logins: django-axes (``AXES_*`` in settings). Its database handler counts failures in
  ``axes.AccessAttempt`` under ``SELECT … FOR UPDATE`` with ``F()`` increments, so twenty
  parallel wrong passwords are twenty counted failures, not a race. Accounts and addresses
  are counted separately (``AXES_LOCKOUT_PARAMETERS``): guessing one account from many
  addresses, or many accounts from one address, both end in a lockout.
  ``lockout_response`` is the page a locked-out client gets: it says when to retry.
* Password reset and invitation acceptance do not authenticate, so axes never sees them;
  ``throttle`` limits their POSTs per address and per e-mail (or invitation) with
  django-ratelimit's counters in the default cache (Redis in production: ``CACHE_URL``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps

from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import timezone
from django_ratelimit.core import get_usage


def _retry_response(request, *, retry_at: datetime, template: str = "registration/locked_out.html", **context):
    """A 429 page saying when to try again, with the same time in ``Retry-After``."""
    seconds = max(1, math.ceil((retry_at - timezone.now()).total_seconds()))
    response = render(
        request,
        template,
        {"retry_at": retry_at, "retry_minutes": max(1, math.ceil(seconds / 60)), **context},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def lockout_end(*, username: str | None, ip_address: str | None) -> datetime:
    """When the current lockout of this account or address ends.

    Axes forgets an attempt ``AXES_COOLOFF_TIME`` after its latest failure, and failures made
    while locked out are not recorded (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT`` is off),
    so the end is the newest matching failure plus the cool-off: the time shown stays true
    even if an attacker keeps trying.
    """
    match = Q(pk__in=[])
    if username:
        match |= Q(username=username)
    if ip_address:
        match |= Q(ip_address=ip_address)
    latest = AccessAttempt.objects.filter(match).aggregate(latest=Max("attempt_time"))["latest"]
    cool_off = get_cool_off() or timedelta(0)
    return (latest or timezone.now()) + cool_off


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login page's answer while an account or address is locked."""
    retry_at = lockout_end(
        username=get_client_username(request, credentials), ip_address=get_client_ip_address(request)
    )
    return _retry_response(request, retry_at=retry_at, failure_limit=settings.AXES_FAILURE_LIMIT)


def client_ip(group: str, request) -> str:
    """django-ratelimit key: the client address as axes sees it (one definition of "address")."""
    return get_client_ip_address(request) or "unknown"


def posted_email(group: str, request) -> str:
    """django-ratelimit key: the e-mail address a password reset is asked for, normalised."""
    return (request.POST.get("email") or "").strip().lower() or "none"


def invitation_token(group: str, request) -> str:
    """django-ratelimit key: the invitation (hence its one e-mail address) being accepted.
    Hashed so the raw token never sits in the cache."""
    token = (request.resolver_match.kwargs.get("token") if request.resolver_match else "") or ""
    return hashlib.sha256(token.encode()).hexdigest()


def logged_in_user(group: str, request) -> str:
    """django-ratelimit key: the logged-in user (e.g. their two-factor code attempts)."""
    return str(request.user.pk)


def throttle(group: str, limits: list[tuple[Callable, str]]):
    """Limit a view's POSTs: each ``(key, rate setting)`` pair is its own counter (e.g. per address
    and per e-mail); going over any of them answers 429 with when to retry, and the view does not run.
    Rates are read from settings per request, so operators and tests can change them.

    Every pair is counted on every POST, so an attacker cannot spread guesses across keys to
    avoid one of the counters.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST" and getattr(settings, "RATELIMIT_ENABLE", True):
                waits = []
                for key, rate_setting in limits:
                    rate = getattr(settings, rate_setting)
                    usage = get_usage(request, group=f"{group}:{key.__name__}", key=key, rate=rate, increment=True)
                    if usage and usage["should_limit"]:
                        waits.append(usage["time_left"])
                if waits:
                    retry_at = timezone.now() + timedelta(seconds=max(waits))
                    return _retry_response(request, retry_at=retry_at, template="registration/throttled.html")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def login_username(request, credentials: dict | None) -> str | None:
    """``AXES_USERNAME_CALLABLE``: the account a login attempt is for, as the user table stores it
    (e-mail, lower case), so ``Alice@X`` and ``alice@x`` are one account's failures, not two."""
    data = credentials if credentials else getattr(request, "data", request.POST)
    value = (data.get("username") or data.get("email") or "").strip().lower()
    return value or None
