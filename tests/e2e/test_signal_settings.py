"""An admin changes the signal thresholds in a real browser."""

import pytest

from insights.models import SignalSettings
from tests.e2e.conftest import browser_login
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_an_admin_changes_a_threshold(page, live_server, screenshot, tenant_a):
    browser_login(page, live_server, tenant_a.users["admin"].email, PASSWORD)
    page.goto(f"{live_server.url}/o/{tenant_a.org.slug}/signals/settings/")
    screenshot(page, "insights_signal_settings")
    page.fill("#id_weak_link_mean", "2.2")
    page.fill("#id_low_participation", "55")
    page.click("text=Save thresholds")
    page.wait_for_load_state("networkidle")
    assert "Signal thresholds saved" in page.content()
    saved = SignalSettings.objects.get(organization=tenant_a.org)
    assert saved.weak_link_mean == 2.2 and saved.low_participation == 0.55

    page.fill("#id_weak_link_mean", "9")
    page.click("text=Save thresholds")
    page.wait_for_load_state("networkidle")
    screenshot(page, "insights_signal_settings_error")
    assert page.locator(".errorlist").count() >= 1
