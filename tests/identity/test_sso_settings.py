"""The owner's single sign-on settings page: save, test the connection, require SSO."""

import pytest
from django.urls import reverse

from identity.models import IdentityProvider
from peakos.models import AuditEvent
from tests.identity.conftest import discovery_for

pytestmark = pytest.mark.django_db


def _url(tenant):
    return reverse("sso_settings", args=[tenant.org.slug])


def _form(**overrides):
    data = {
        "issuer": "https://login.alpha.example",
        "client_id": "peakos",
        "client_secret": "s3cret-value",
        "email_domains": "alpha.example, Alpha-Corp.example",
        "default_role": "member",
        "role_claim": "",
        "team_claim": "",
    }
    data.update(overrides)
    return data


def _provider(tenant):
    return IdentityProvider.objects.get(organization=tenant.org)


def test_owner_saves_the_provider_with_the_secret_encrypted(client, tenant_a):
    client.force_login(tenant_a.users["owner"])
    response = client.post(_url(tenant_a), _form())
    assert response.status_code == 302
    provider = _provider(tenant_a)
    assert provider.issuer == "https://login.alpha.example"
    assert provider.email_domains == ["alpha.example", "alpha-corp.example"]
    assert provider.client_secret == "s3cret-value"
    assert "s3cret-value" not in provider.client_secret_encrypted
    event = AuditEvent.objects.get(organization=tenant_a.org, action="identity.provider.create")
    assert "s3cret-value" not in str(event.data)
    page = client.get(_url(tenant_a)).content.decode()
    assert "s3cret-value" not in page
    assert f"/o/{tenant_a.org.slug}/login/callback/" in page


def test_a_new_provider_grants_members_unless_the_owner_chooses_otherwise(client, tenant_a):
    """Saving the form as first shown must not make every new SSO user an admin."""
    client.force_login(tenant_a.users["owner"])
    response = client.get(_url(tenant_a))
    assert response.context["form"]["default_role"].value() == "member"
    page = response.content.decode()
    assert 'value="member" selected' in page
    assert "<title>Single sign-on" in page and "SCIM" not in page.split("</title>")[0]


def test_a_blank_secret_keeps_the_stored_one(client, tenant_a):
    client.force_login(tenant_a.users["owner"])
    client.post(_url(tenant_a), _form())
    client.post(_url(tenant_a), _form(client_secret="", client_id="peakos"))
    assert _provider(tenant_a).client_secret == "s3cret-value"


@pytest.mark.parametrize("role", ["admin", "leader", "manager", "member"])
def test_only_an_owner_sees_or_changes_the_settings(client, tenant_a, role):
    client.force_login(tenant_a.users[role])
    assert client.get(_url(tenant_a)).status_code == 403
    assert client.post(_url(tenant_a), _form()).status_code == 403
    assert not IdentityProvider.objects.filter(organization=tenant_a.org).exists()


def test_another_organizations_owner_gets_404(client, tenant_a, tenant_b):
    client.force_login(tenant_b.users["owner"])
    assert client.get(_url(tenant_a)).status_code == 404
    assert client.post(_url(tenant_a), _form()).status_code == 404


def test_sso_cannot_be_switched_on_before_a_successful_test(client, tenant_a):
    client.force_login(tenant_a.users["owner"])
    response = client.post(_url(tenant_a), _form(enabled="on"))
    assert response.status_code == 200
    assert "Test the connection successfully" in response.content.decode()
    assert not IdentityProvider.objects.filter(organization=tenant_a.org).exists()


def test_test_connection_reads_discovery_and_keys(client, tenant_a, metadata_server, allow_loopback):
    base = metadata_server.base
    metadata_server.routes["/.well-known/openid-configuration"] = (200, discovery_for(base))
    metadata_server.routes["/jwks"] = (200, {"keys": [{"kty": "RSA", "kid": "1", "n": "x", "e": "AQAB"}]})
    client.force_login(tenant_a.users["owner"])
    client.post(_url(tenant_a), _form(issuer=base))
    response = client.post(_url(tenant_a), {"action": "test"}, follow=True)
    assert "The connection works" in response.content.decode()
    provider = _provider(tenant_a)
    assert provider.tested_at is not None
    assert provider.discovery["token_endpoint"] == f"{base}/token"
    # Now SSO can be switched on, and required with a break-glass owner.
    owner = tenant_a.users["owner"]
    response = client.post(
        _url(tenant_a), _form(issuer=base, enabled="on", sso_required="on", break_glass_owner=owner.pk)
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.enabled and provider.sso_required and provider.break_glass_owner == owner


def test_test_connection_says_what_is_wrong(client, tenant_a, metadata_server, allow_loopback):
    base = metadata_server.base
    metadata_server.routes["/.well-known/openid-configuration"] = (200, discovery_for("https://someone-else.example"))
    client.force_login(tenant_a.users["owner"])
    client.post(_url(tenant_a), _form(issuer=base))
    page = client.post(_url(tenant_a), {"action": "test"}, follow=True).content.decode()
    assert "The connection test failed" in page and "someone-else.example" in page
    assert _provider(tenant_a).tested_at is None
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="identity.provider.test_failed").exists()


def test_loopback_and_private_addresses_are_refused_by_default(client, tenant_a, metadata_server, settings):
    settings.IDENTITY_ALLOW_PRIVATE_ADDRESSES = False
    metadata_server.routes["/.well-known/openid-configuration"] = (200, discovery_for(metadata_server.base))
    client.force_login(tenant_a.users["owner"])
    for issuer in ("https://127.0.0.1:8443", "https://169.254.169.254", "https://10.0.0.7", "https://localhost"):
        client.post(_url(tenant_a), _form(issuer=issuer))
        page = client.post(_url(tenant_a), {"action": "test"}, follow=True).content.decode()
        assert "private or local network" in page, issuer
    client.post(_url(tenant_a), _form(issuer=metadata_server.base))
    page = client.post(_url(tenant_a), {"action": "test"}, follow=True).content.decode()
    assert "must be an https:// URL" in page
    assert _provider(tenant_a).tested_at is None


def test_required_sso_needs_an_owner_for_break_glass(client, tenant_a, tenant_b):
    IdentityProvider.objects.create(
        organization=tenant_a.org, issuer="https://login.alpha.example", client_id="x", tested_at="2026-01-01T00:00Z"
    )
    client.force_login(tenant_a.users["owner"])
    for breaker in ("", tenant_a.users["admin"].pk, tenant_b.users["owner"].pk):
        response = client.post(_url(tenant_a), _form(enabled="on", sso_required="on", break_glass_owner=breaker))
        assert response.status_code == 200, breaker
    assert not _provider(tenant_a).sso_required


def test_an_email_domain_belongs_to_one_organization(client, tenant_a, tenant_b):
    client.force_login(tenant_b.users["owner"])
    client.post(_url(tenant_b), _form(email_domains="bravo.example"))
    client.force_login(tenant_a.users["owner"])
    response = client.post(_url(tenant_a), _form(email_domains="alpha.example, BRAVO.example"))
    assert response.status_code == 200
    assert "Another organization signs in bravo.example already" in response.content.decode()
    assert not IdentityProvider.objects.filter(organization=tenant_a.org).exists()
