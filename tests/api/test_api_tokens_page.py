"""/o/<slug>/api-tokens/: owners and admins create (shown once) and revoke tokens."""

import re

import pytest

from peakos.api_auth import create_api_token
from peakos.models import ApiToken, AuditEvent
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db
URL = "/o/alpha-corp/api-tokens/"


def test_an_admin_creates_a_token_and_sees_it_once(as_role, tenant_a):
    client = as_role("admin")
    response = client.post(URL, {"name": "HRIS sync", "role": "admin"})
    assert response.status_code == 201
    raw = re.search(r'id="new-token">(pk_[^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(name="HRIS sync")
    assert token.organization == tenant_a.org and token.role == "admin"
    assert token.created_by == tenant_a.users["admin"]
    assert token_client(raw).get("/api/v1/organization/").json()["role"] == "admin"
    assert raw not in client.get(URL).content.decode(), "the raw token is never shown again"
    assert AuditEvent.objects.filter(action="api_token.create").exists()


def test_the_page_lists_tokens_by_prefix(as_role, tenant_a):
    token, _ = create_api_token(organization=tenant_a.org, membership=None, name="BI", role="leader")
    body = as_role("owner").get(URL).content.decode()
    assert "BI" in body and token.prefix in body


def test_a_token_needs_a_name(as_role):
    response = as_role("admin").post(URL, {"name": " ", "role": "leader"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_roles_a_token_cannot_have_are_not_offered(as_role):
    response = as_role("owner").post(URL, {"name": "Root", "role": "owner"})
    assert "errorlist" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token(as_role, tenant_a):
    token, raw = create_api_token(organization=tenant_a.org, membership=None, name="BI", role="leader")
    client = as_role("admin")
    response = client.post(f"{URL}{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token_client(raw).get("/api/v1/teams/").status_code == 401
    assert "revoked" in client.get(URL).content.decode()


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_other_roles_may_not_manage_tokens(as_role, tenant_a, role):
    token, _ = create_api_token(organization=tenant_a.org, membership=None, name="BI", role="leader")
    client = as_role(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"name": "Mine", "role": "leader"}).status_code == 403
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_of_another_organization_cannot_be_revoked(as_role, tenant_b):
    token, _ = create_api_token(organization=tenant_b.org, membership=None, name="Bravo BI", role="leader")
    client = as_role("owner")
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 404
    assert "Bravo BI" not in client.get(URL).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_nav_shows_api_tokens_to_admins_only(as_role, client, tenant_a):
    assert "API tokens" in as_role("admin").get("/o/alpha-corp/").content.decode()
    client.force_login(tenant_a.users["leader"])
    assert "API tokens" not in client.get("/o/alpha-corp/").content.decode()
