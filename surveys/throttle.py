"""Rate limit for bad survey links (unknown, used or expired tokens), per client.

Tokens carry at least 128 bits, so guessing is hopeless anyway; the limit stops a
client from hammering the endpoint with guesses or replays. Counted in the Django cache
(configure ``CACHE_URL`` with Redis when several web processes run, so they share it).
The client is ``REMOTE_ADDR``: behind a proxy, have the proxy set it (e.g. gunicorn
``--forwarded-allow-ips`` with a trusted proxy), never trust a raw X-Forwarded-For.
"""

from __future__ import annotations

from django.core.cache import cache

BAD_LINK_LIMIT = 20  # bad links per client per window
WINDOW_SECONDS = 600


def _key(request) -> str:
    return f"surveys:badlink:{request.META.get('REMOTE_ADDR', '')}"


def is_throttled(request) -> bool:
    return (cache.get(_key(request)) or 0) >= BAD_LINK_LIMIT


def record_bad_link(request) -> None:
    key = _key(request)
    if not cache.add(key, 1, WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW_SECONDS)
