"""The test cache: with a shared Redis (CACHE_URL) each pytest-xdist worker has its own key
prefix (tests/conftest.py), and ``clear_cache`` empties only this worker's keys."""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def clear_cache() -> None:
    """Empty this test process's cache (only its own keys in a shared Redis)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(write=True)
        keys = list(client.scan_iter(match=backend.make_key("*")))
        if keys:
            client.delete(*keys)
    else:
        backend.clear()
