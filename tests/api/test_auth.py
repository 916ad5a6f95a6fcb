"""Token and session authentication, and how the organization of a request is chosen."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from peakos.api_auth import create_api_token, revoke_api_token
from peakos.models import ApiToken
from tests.api.conftest import make_token, token_client

pytestmark = pytest.mark.django_db


def test_a_token_reads_its_own_organization(tenant_a):
    response = token_client(make_token(tenant_a)).get("/api/v1/organization/")
    assert response.status_code == 200
    assert response.json()["slug"] == "alpha-corp"
    assert response.json()["role"] == "leader"


def test_the_token_keyword_works_too(tenant_a):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(tenant_a)}")
    assert client.get("/api/v1/teams/").status_code == 200


def test_no_credentials_is_401_with_a_bearer_challenge(tenant_a):
    response = APIClient().get("/api/v1/teams/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {
        "status": 401,
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
    }


def test_an_unknown_token_is_401(tenant_a):
    response = token_client("pk_not-a-real-token").get("/api/v1/teams/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_revoked_token_stops_working_at_once(tenant_a):
    token, raw = create_api_token(organization=tenant_a.org, membership=None, name="BI", role="leader")
    client = token_client(raw)
    assert client.get("/api/v1/teams/").status_code == 200
    revoke_api_token(token=token, membership=None)
    assert client.get("/api/v1/teams/").status_code == 401


def test_only_the_hash_of_a_token_is_stored(tenant_a):
    token, raw = create_api_token(organization=tenant_a.org, membership=None, name="BI", role="leader")
    stored = ApiToken.objects.get(pk=token.pk)
    assert raw not in (stored.token_hash, stored.prefix)
    assert raw.startswith(stored.prefix)


def test_using_a_token_records_when_it_was_last_used(tenant_a):
    token, raw = create_api_token(organization=tenant_a.org, membership=None, name="BI", role="leader")
    before = timezone.now()
    token_client(raw).get("/api/v1/teams/")
    token.refresh_from_db()
    assert token.last_used_at >= before


def test_a_token_naming_another_organization_gets_404(tenant_a, tenant_b):
    client = token_client(make_token(tenant_a))
    response = client.get("/api/v1/teams/", HTTP_X_ORGANIZATION=tenant_b.org.slug)
    assert response.status_code == 404
    assert "Bravo" not in response.content.decode()


def test_a_session_user_names_the_organization_by_header(client, tenant_a, tenant_b):
    client.force_login(tenant_a.users["owner"])
    response = client.get("/api/v1/organization/", HTTP_X_ORGANIZATION=tenant_a.org.slug)
    assert response.status_code == 200
    assert response.json()["role"] == "owner"


def test_a_session_user_may_name_it_by_query_parameter(client, tenant_a):
    client.force_login(tenant_a.users["leader"])
    response = client.get("/api/v1/organization/?organization=alpha-corp")
    assert response.json()["name"] == "Alpha Corp"


def test_a_session_user_with_one_organization_need_not_name_it(client, tenant_a):
    client.force_login(tenant_a.users["member"])
    assert client.get("/api/v1/organization/").json()["slug"] == "alpha-corp"


def test_a_session_user_of_several_organizations_must_name_one(client, tenant_a, tenant_b):
    from tests.factories import MembershipFactory

    MembershipFactory(organization=tenant_b.org, user=tenant_a.users["leader"], role="member")
    client.force_login(tenant_a.users["leader"])
    response = client.get("/api/v1/organization/")
    assert response.status_code == 400
    assert "X-Organization" in response.json()["detail"]


def test_a_session_user_naming_an_organization_they_are_not_in_gets_404(client, tenant_a, tenant_b):
    client.force_login(tenant_a.users["owner"])
    response = client.get("/api/v1/teams/", HTTP_X_ORGANIZATION=tenant_b.org.slug)
    assert response.status_code == 404
    assert "Bravo" not in response.content.decode()


def test_an_unknown_organization_is_the_same_404(client, tenant_a):
    client.force_login(tenant_a.users["owner"])
    response = client.get("/api/v1/teams/", HTTP_X_ORGANIZATION="no-such-org")
    assert response.status_code == 404


def test_session_writes_need_the_csrf_token(tenant_a):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(tenant_a.users["admin"])
    response = client.post(
        "/api/v1/people/",
        {"email": "new@alpha.example", "name": "New"},
        format="json",
        HTTP_X_ORGANIZATION="alpha-corp",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
