"""An admin creates an API token in the browser, uses it, and reads the API docs (served locally)."""

import json
import urllib.request

import pytest

from tests.e2e.conftest import browser_login
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_create_a_token_use_it_and_read_the_docs(page, live_server, tenant_a, tenant_b, screenshot):
    outside = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url))
    browser_login(page, live_server, "admin@alpha.example", PASSWORD)
    page.click("details.navmenu summary")  # configuration pages live in the Admin menu
    page.click("details.navmenu >> text=API tokens")
    assert page.locator("h1").inner_text() == "API tokens"
    page.fill("#id_name", "BI dashboard")
    page.select_option("#id_role", "leader")
    page.click("button:has-text('Create token')")
    raw = page.locator("#new-token").inner_text()
    assert raw.startswith("pk_")
    screenshot(page, "api-tokens-created-1280")

    request = urllib.request.Request(f"{live_server.url}/api/v1/teams/", headers={"Authorization": f"Bearer {raw}"})
    with urllib.request.urlopen(request) as response:  # noqa: S310 - the test's own server
        names = {t["name"] for t in json.load(response)["results"]}
    assert "Alpha Team" in names and "Bravo Team" not in names

    page.goto(f"{live_server.url}/o/alpha-corp/api-tokens/")
    assert raw not in page.content()
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "api-tokens-390")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Peak OS API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-tag-section").count() >= 8
    screenshot(page, "api-docs-1280", full_page=False)
    assert outside == [], "the docs load nothing from outside the app"
