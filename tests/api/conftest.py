"""API fixtures: tokens for tenant A and B, and clients that send them."""

import pytest
from rest_framework.test import APIClient

from peakos.api_auth import create_api_token
from peakos.models import Role
from tests.cache import clear_cache


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Throttle counters live in the cache; each test starts with a full budget."""
    clear_cache()
    yield
    clear_cache()


def make_token(tenant, role=Role.LEADER, name=None) -> str:
    _, raw = create_api_token(organization=tenant.org, membership=None, name=name or f"{role} token", role=role)
    return raw


def token_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


@pytest.fixture
def api(tenant_a):
    """``api("leader")`` is an API client with a token of that role in organization A."""

    def _client(role=Role.LEADER):
        return token_client(make_token(tenant_a, role))

    return _client
