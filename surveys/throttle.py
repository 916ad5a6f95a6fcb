"""Rate limit for unknown survey links (malformed or matching no invitation), per client.

Tokens carry at least 128 bits, so guessing is hopeless anyway; the limit stops a
client from hammering the endpoint with guesses. Counted in the Django cache
(configure ``CACHE_URL`` with Redis when several web processes run, so they share it).
The client is ``REMOTE_ADDR``: behind a proxy, have the proxy set it (e.g. gunicorn
``--forwarded-allow-ips`` with a trusted proxy), never trust a raw X-Forwarded-For.

Two rules keep real employees out of it (issue 13): the view only consults the limit
for a token that resolved to *no* invitation — a valid link (open or not, used or not)
is never blocked, and re-opening one's own used link is not counted — so a company
behind one NAT address, or a mail scanner opening every link, locks nobody out. And the
limit **fails open**: when the cache is unreachable (Redis down) nobody is throttled and
nothing is counted, because an answer must never depend on the cache.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)

BAD_LINK_LIMIT = 20  # unknown links per client per window
WINDOW_SECONDS = 600


def _key(request) -> str:
    return f"surveys:badlink:{request.META.get('REMOTE_ADDR', '')}"


def is_throttled(request) -> bool:
    """Whether this client sent too many unknown links lately (False if the cache is down)."""
    try:
        return (cache.get(_key(request)) or 0) >= BAD_LINK_LIMIT
    except Exception:  # any cache backend error: fail open
        log.warning("survey-link throttle: cache unavailable, not limiting", exc_info=True)
        return False


def record_bad_link(request) -> None:
    """Count one unknown link for this client (nothing if the cache is down)."""
    key = _key(request)
    try:
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, WINDOW_SECONDS)
    except Exception:  # any cache backend error: fail open
        log.warning("survey-link throttle: cache unavailable, not counting", exc_info=True)
