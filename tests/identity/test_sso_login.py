"""Signing in through an organization's identity provider: a real OpenID Connect provider
(oidc-provider under Node, tests/identity/node) on loopback, driven through its sign-in form."""

import pytest
from django.conf import settings
from django.urls import reverse

from identity.models import SsoIdentity
from peakos.models import AuditEvent, Membership, Person, Role
from tests.factories import PASSWORD
from tests.identity.idp import follow_to_callback, local, sign_in_at_idp

pytestmark = pytest.mark.django_db

NEW = {"email": "new.hire@alpha.example", "email_verified": True, "name": "New Hire"}


def _logged_in_as(client):
    return client.session.get("_auth_user_id")


def test_first_login_creates_a_member_and_links_the_person(client, tenant_a, sso_for):
    person = tenant_a.people[1]  # p0@alpha.example, no login yet
    sso_for(tenant_a, {"p0": {"email": person.email, "email_verified": True, "name": "P Zero"}})
    response = sign_in_at_idp(client, tenant_a.org.slug, "p0", site_url=settings.SITE_URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("org_home", args=[tenant_a.org.slug])
    membership = Membership.objects.get(organization=tenant_a.org, user__email=person.email)
    assert membership.role == Role.MEMBER
    person.refresh_from_db()
    assert person.user == membership.user
    assert not membership.user.has_usable_password()
    assert client.get(reverse("org_home", args=[tenant_a.org.slug])).status_code == 200
    assert SsoIdentity.objects.filter(organization=tenant_a.org, user=membership.user, subject="p0").exists()
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="identity.sso.login").count() == 1


def test_first_login_links_the_existing_login_with_the_verified_email(client, tenant_a, sso_for):
    member = tenant_a.users["member"]
    sso_for(tenant_a, {"m-123": {"email": member.email.upper(), "email_verified": True}})
    sign_in_at_idp(client, tenant_a.org.slug, "m-123", site_url=settings.SITE_URL)
    assert _logged_in_as(client) == str(member.pk)
    assert Membership.objects.get(organization=tenant_a.org, user=member).role == Role.MEMBER
    # The next login finds the login by the provider's subject, whatever the e-mail says now.
    client.logout()
    sign_in_at_idp(client, tenant_a.org.slug, "m-123", site_url=settings.SITE_URL)
    assert _logged_in_as(client) == str(member.pk)


def test_the_default_sso_role_is_the_organizations_choice(client, tenant_a, sso_for):
    sso_for(tenant_a, {"n": NEW}, default_role=Role.MANAGER)
    sign_in_at_idp(client, tenant_a.org.slug, "n", site_url=settings.SITE_URL)
    assert Membership.objects.get(organization=tenant_a.org, user__email=NEW["email"]).role == Role.MANAGER


def test_an_unverified_email_is_not_linked(client, tenant_a, sso_for):
    member = tenant_a.users["member"]
    sso_for(tenant_a, {"x": {"email": member.email, "email_verified": False}, "y": {"email": "y@alpha.example"}})
    for login in ("x", "y"):
        response = sign_in_at_idp(client, tenant_a.org.slug, login, site_url=settings.SITE_URL)
        assert response.status_code == 400
        assert "did not confirm that this e-mail address is yours" in response.content.decode()
        assert _logged_in_as(client) is None
    assert not SsoIdentity.objects.exists()


def test_a_wrong_state_is_refused(client, tenant_a, sso_for):
    sso_for(tenant_a, {"n": NEW})
    start = client.get(f"/o/{tenant_a.org.slug}/login/")
    callback = follow_to_callback(start["Location"], login="n", site_url=settings.SITE_URL)
    forged = local(callback).replace("state=", "state=forged")
    response = client.get(forged)
    assert response.status_code == 400
    assert "could not be verified" in response.content.decode()
    assert _logged_in_as(client) is None
    assert not Membership.objects.filter(user__email=NEW["email"]).exists()


def test_a_wrong_nonce_is_refused(client, tenant_a, sso_for):
    sso_for(tenant_a, {"n": NEW})
    start = client.get(f"/o/{tenant_a.org.slug}/login/")
    callback = follow_to_callback(start["Location"], login="n", site_url=settings.SITE_URL)
    # The ID token carries the nonce of the authorization request; the session now expects another.
    session = client.session
    [key] = [k for k, _value in session.items() if k.startswith("_state_")]
    state = session[key]
    state["data"]["nonce"] = "not-the-one-sent"
    session[key] = state
    session.save()
    response = client.get(local(callback))
    assert response.status_code == 400
    assert _logged_in_as(client) is None


def test_another_organizations_provider_cannot_open_a_login_of_this_one(client, tenant_a, tenant_b, sso_for):
    """Org B's owner controls what B's provider asserts: an address of org A's owner must not
    give B a session of that login, which would open org A's pages."""
    sso_for(tenant_a, {"a": NEW})
    sso_for(tenant_b, {"evil": {"email": tenant_a.users["owner"].email, "email_verified": True}})
    response = sign_in_at_idp(client, tenant_b.org.slug, "evil", site_url=settings.SITE_URL)
    assert response.status_code == 400
    assert "belongs to another organization" in response.content.decode()
    assert _logged_in_as(client) is None
    assert not Membership.objects.filter(organization=tenant_b.org, user=tenant_a.users["owner"]).exists()
    # A state issued for org A's provider is unknown to org B's callback.
    start = client.get(f"/o/{tenant_a.org.slug}/login/")
    callback = follow_to_callback(start["Location"], login="a", site_url=settings.SITE_URL)
    response = client.get(local(callback).replace(f"/o/{tenant_a.org.slug}/", f"/o/{tenant_b.org.slug}/"))
    assert response.status_code == 400
    assert _logged_in_as(client) is None


def test_an_organization_without_sso_has_no_sso_login(client, tenant_a, tenant_b, sso_for):
    sso_for(tenant_a, {"n": NEW}, enabled=False)
    for slug in (tenant_a.org.slug, tenant_b.org.slug, "no-such-org"):
        assert client.get(f"/o/{slug}/login/").status_code == 404
        assert client.get(f"/o/{slug}/login/callback/?code=x&state=y").status_code == 404


def test_required_sso_refuses_password_logins_except_the_break_glass_owner(client, tenant_a, sso_for):
    sso_for(tenant_a, {"n": NEW}, sso_required=True)
    login_url = reverse("login")
    response = client.post(login_url, {"username": tenant_a.users["admin"].email, "password": PASSWORD})
    assert response.status_code == 200
    assert "signs in with single sign-on" in response.content.decode()
    assert _logged_in_as(client) is None
    response = client.post(login_url, {"username": tenant_a.users["owner"].email, "password": PASSWORD})
    assert response.status_code == 302
    assert _logged_in_as(client) == str(tenant_a.users["owner"].pk)


def test_password_logins_work_while_sso_is_not_required(client, tenant_a, sso_for):
    sso_for(tenant_a, {"n": NEW})
    response = client.post(reverse("login"), {"username": tenant_a.users["admin"].email, "password": PASSWORD})
    assert response.status_code == 302


def test_claims_set_the_role_and_the_team(client, tenant_a, sso_for):
    person = tenant_a.people[1]
    claims = {"email": person.email, "email_verified": True, "peakos_role": "Leader", "department": "alpha team"}
    sso_for(tenant_a, {"p0": claims}, role_claim="peakos_role", team_claim="department")
    sign_in_at_idp(client, tenant_a.org.slug, "p0", site_url=settings.SITE_URL)
    membership = Membership.objects.get(organization=tenant_a.org, user__email=person.email)
    assert membership.role == Role.LEADER
    assert Person.objects.get(pk=person.pk).team == tenant_a.team


def test_a_role_claim_never_makes_or_unmakes_an_owner(client, tenant_a, sso_for):
    owner, member = tenant_a.users["owner"], tenant_a.users["member"]
    accounts = {
        "o": {"email": owner.email, "email_verified": True, "peakos_role": "member"},
        "m": {"email": member.email, "email_verified": True, "peakos_role": "owner"},
    }
    sso_for(tenant_a, accounts, role_claim="peakos_role")
    for login in ("o", "m"):
        sign_in_at_idp(client, tenant_a.org.slug, login, site_url=settings.SITE_URL)
        client.logout()
    assert Membership.objects.get(organization=tenant_a.org, user=owner).role == Role.OWNER
    assert Membership.objects.get(organization=tenant_a.org, user=member).role == Role.MEMBER


def test_logout_goes_on_to_the_providers_end_session(client, tenant_a, sso_for):
    provider = sso_for(tenant_a, {"n": NEW})
    sign_in_at_idp(client, tenant_a.org.slug, "n", site_url=settings.SITE_URL)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(provider.end_session_endpoint)
    assert "id_token_hint=" in location and "post_logout_redirect_uri=" in location
    assert provider.issuer in response["Content-Security-Policy"].split("form-action")[1].split(";")[0]
    assert _logged_in_as(client) is None


def test_the_login_page_sends_a_work_email_to_its_organizations_sso(client, tenant_a, sso_for):
    sso_for(tenant_a, {"n": NEW})
    response = client.post(reverse("sso_discover"), {"email": "Someone@Alpha.example"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/o/{tenant_a.org.slug}/login/?login_hint=")
    response = client.post(reverse("sso_discover"), {"email": "someone@elsewhere.example"}, follow=True)
    assert "No single sign-on is set up for this e-mail address" in response.content.decode()
