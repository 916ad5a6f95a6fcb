"""An admin schedules a pulse from a template, previews it, opens a round and sees participation."""

import pytest

from surveys.models import Round, Survey
from tests.e2e.conftest import browser_login
from tests.factories import PASSWORD
from tests.surveys.factories import with_priorities_and_dependencies


@pytest.mark.django_db(transaction=True)
def test_admin_schedules_previews_and_opens_a_pulse(page, live_server, tenant_a, screenshot):
    with_priorities_and_dependencies(tenant_a)
    browser_login(page, live_server, "admin@alpha.example", PASSWORD)
    base = f"{live_server.url}/o/{tenant_a.org.slug}/surveys/"
    page.goto(base)
    screenshot(page, "surveys-list-1280")
    page.click("text=Use this template >> nth=0")
    assert page.input_value("#id_name") == "Alignment pulse"
    screenshot(page, "survey-form-1280")
    page.click("button:has-text('Schedule the survey')")
    page.wait_for_selector("text=is scheduled")
    survey = Survey.objects.with_scopes_disabled().get(name="Alignment pulse")
    screenshot(page, "survey-detail-1280")

    page.click("text=Preview as an employee")
    assert page.locator("text=This is exactly what employees see").count() == 1
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "survey-preview-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{base}{survey.id}/")
    page.click("button:has-text('Open a round now')")
    page.wait_for_selector("text=invitations are on their way")
    assert Round.objects.with_scopes_disabled().filter(survey_id=survey.id, status="open").count() == 1
    screenshot(page, "survey-round-1280")
