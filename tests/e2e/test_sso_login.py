"""Single sign-on in Chromium: the login page sends a work e-mail to the organization's
identity provider (a real one, oidc-provider under Node), the person signs in there and comes
back logged in; logging out goes on to the provider; required SSO refuses a password login."""

import pytest

from tests.e2e.conftest import browser_login
from tests.factories import PASSWORD
from tests.identity.idp import configure_provider, start_idp

EMAIL = "new.hire@alpha.example"


@pytest.fixture
def idp_for_live_server(live_server, settings, tmp_path, tenant_a):
    settings.SITE_URL = live_server.url
    settings.IDENTITY_ALLOW_PRIVATE_ADDRESSES = True
    idp = start_idp(
        tmp_path,
        redirect_uris=[f"{live_server.url}/o/{tenant_a.org.slug}/login/callback/"],
        logout_uris=[f"{live_server.url}/accounts/login/"],
        # Keyed by the e-mail: the provider's sign-in form starts with the login hint filled in.
        accounts={EMAIL: {"email": EMAIL, "email_verified": True, "name": "New Hire", "department": "Alpha Team"}},
    )
    yield idp
    idp.stop()


@pytest.mark.django_db(transaction=True)
def test_sign_in_with_sso_and_log_out_at_the_provider(page, live_server, tenant_a, idp_for_live_server, screenshot):
    configure_provider(tenant_a, idp_for_live_server, team_claim="department")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_sso_email", EMAIL)
    page.click("text=Sign in with SSO")
    page.wait_for_url(f"{idp_for_live_server.issuer}/interaction/**")
    assert page.input_value("input[name=login]") == EMAIL
    screenshot(page, "sso-idp-sign-in")
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/o/{tenant_a.org.slug}/")
    assert page.locator("h1").inner_text() == tenant_a.org.name
    screenshot(page, "sso-org-home")

    page.click("details.usermenu summary")
    page.click("text=Log out")
    page.wait_for_url(f"{idp_for_live_server.issuer}/**")
    page.click("button[autofocus]")  # the provider asks whether to sign out there too: yes
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    page.goto(f"{live_server.url}/o/{tenant_a.org.slug}/")
    assert "/accounts/login/" in page.url


@pytest.mark.django_db(transaction=True)
def test_required_sso_refuses_a_password_login_in_the_browser(page, live_server, tenant_a, idp_for_live_server):
    configure_provider(tenant_a, idp_for_live_server, sso_required=True)
    browser_login(page, live_server, "admin@alpha.example", PASSWORD)
    assert "/accounts/login/" in page.url
    assert "signs in with single sign-on" in page.locator(".errorlist").inner_text()
    browser_login(page, live_server, "owner@alpha.example", PASSWORD)  # the break-glass owner
    assert page.url.endswith(f"/o/{tenant_a.org.slug}/")
