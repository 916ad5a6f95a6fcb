import pytest

from tests.cache import clear_cache


@pytest.fixture(autouse=True)
def _fresh_signup_throttle():
    """Each test starts with empty signup rate-limit counters (they live in the cache)."""
    clear_cache()
    yield
    clear_cache()
