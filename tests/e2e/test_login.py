"""A person logs in and lands on their organization's home page."""

import pytest

from tests.e2e.conftest import browser_login
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_login_and_organization_home_in_a_browser(page, live_server, tenant_a, screenshot, settings):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in to Peak OS"
    screenshot(page, "login-1280")
    browser_login(page, live_server, "owner@alpha.example", PASSWORD)
    assert page.url.endswith(f"/o/{tenant_a.org.slug}/")
    assert page.locator("h1").inner_text() == tenant_a.org.name
    screenshot(page, "org-home-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "org-home-390")


@pytest.mark.django_db(transaction=True)
def test_wrong_password_in_a_browser_shows_an_error(page, live_server, tenant_a):
    browser_login(page, live_server, "owner@alpha.example", "wrong-password")
    assert "/accounts/login/" in page.url
    assert page.locator(".errorlist").count() == 1
