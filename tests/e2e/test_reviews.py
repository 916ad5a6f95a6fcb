"""A team lead fills and submits a business review in a browser; a leader approves it.

Screenshots for people to look at: review-form, review-cascade, review-print, review-cycle-print.
"""

import re

import pytest
from django.urls import reverse

from reviews.models import BusinessReview, ReviewStatus
from tests.e2e.conftest import browser_login
from tests.factories import PASSWORD
from tests.reviews.factories import company_priority, make_cycle, review_of


@pytest.fixture
def review(tenant_a):
    company_priority(tenant_a, title="Win the mid-market")
    return review_of(make_cycle(tenant_a, teams=[tenant_a.team, tenant_a.other_team]), tenant_a.team)


def url(live_server, name, *args):
    return live_server.url + reverse(name, args=args)


@pytest.mark.django_db(transaction=True)
def test_lead_fills_and_submits_and_a_leader_approves(browser, page, live_server, tenant_a, review, screenshot):
    slug = tenant_a.org.slug
    browser_login(page, live_server, "manager@alpha.example", PASSWORD)
    page.goto(url(live_server, "review_edit", slug, review.pk))
    status = page.locator("#autosave-status")

    page.check("input[name=health][value='4']")
    page.fill("#id_wins", "Shipped the importer.\nTwo design partners signed.")
    page.fill("#id_misses", "Onboarding still takes 30 days.")
    page.fill("#id_lessons", "Pair with Support earlier.")
    page.fill("#id_metrics-0-name", "Activation rate")
    page.fill("#id_metrics-0-target", "60")
    page.fill("#id_metrics-0-actual", "about 40")
    # The background save refuses a non-number and says why, next to the field.
    page.wait_for_function("document.getElementById('autosave-status').textContent.startsWith('Not saved')")
    assert "Actual must be a number" in status.inner_text()
    assert page.locator("#id_metrics-0-actual[aria-invalid=true]").count() == 1

    page.fill("#id_metrics-0-actual", "48")
    page.fill("#id_metrics-0-unit", "%")
    page.select_option("#id_metrics-0-status", "off_track")
    page.click("button[data-add-row=metrics]")
    page.fill("#id_metrics-1-name", "Tickets closed")
    page.fill("#id_metrics-1-target", "400")
    page.fill("#id_metrics-1-actual", "410")
    page.fill("#id_priorities-0-title", "Halve onboarding time")
    page.select_option("#id_priorities-0-link", label="Win the mid-market")
    page.fill("#id_asks-0-request", "Review our onboarding API")
    page.select_option("#id_asks-0-to_team", label=tenant_a.other_team.name)
    page.wait_for_function("document.getElementById('autosave-status').textContent.startsWith('Draft saved')")
    saved = BusinessReview.objects.get(pk=review.pk)
    assert saved.status == ReviewStatus.DRAFT and saved.metrics.count() == 2 and saved.health == 4
    # A viewport as tall as the page, so the sticky bars sit where they belong in the full-page image.
    page.set_viewport_size({"width": 1280, "height": page.evaluate("document.documentElement.scrollHeight")})
    screenshot(page, "review-form")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    assert "Submitted for approval (version 1)" in page.locator(".messages").inner_text()
    assert BusinessReview.objects.get(pk=review.pk).status == ReviewStatus.SUBMITTED

    leader = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    browser_login(leader, live_server, "leader@alpha.example", PASSWORD)
    leader.goto(url(live_server, "review_detail", slug, review.pk))
    assert "Your decision on version 1" in leader.content()
    leader.fill("#id_comment", "Clear, thank you.")
    leader.click("button[name=decision][value=approved]")
    leader.wait_for_load_state("networkidle")
    assert "was approved" in leader.locator(".messages").inner_text()
    assert BusinessReview.objects.get(pk=review.pk).status == ReviewStatus.APPROVED

    # The approved priority is now in the 2027-Q1 cascade, linked to the company priority.
    leader.goto(url(live_server, "priority_cascade", slug) + "?period=2027-Q1")
    assert "1 of 1 team priorities linked upward" in leader.content()
    screenshot(leader, "review-cascade")

    leader.emulate_media(media="print")
    leader.goto(url(live_server, "review_print", slug, review.pk))
    assert leader.locator(".topbar").is_hidden() and leader.locator(".print-toolbar").is_hidden()
    assert "Halve onboarding time" in leader.content()
    screenshot(leader, "review-print")
    leader.goto(url(live_server, "review_cycle_print", slug, review.cycle_id))
    screenshot(leader, "review-cycle-print")
    leader.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_form_works_without_javascript(browser, live_server, tenant_a, review, screenshot):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    browser_login(page, live_server, "manager@alpha.example", PASSWORD)
    page.goto(url(live_server, "review_edit", tenant_a.org.slug, review.pk))
    assert page.locator("button[data-add-row=metrics]").is_hidden()  # the JS-only button stays hidden
    page.fill("#id_wins", "Written without JavaScript")
    page.fill("#id_metrics-0-name", "NPS")
    page.fill("#id_metrics-0-target", "40")
    page.click("button[name=action][value=draft]")
    page.wait_for_load_state("networkidle")
    assert "Draft saved." in page.locator(".messages").inner_text()
    assert page.locator("#id_metrics-1-name").count() == 1  # a fresh blank row to add another metric
    page.click("button[name=action][value=submit]")
    page.wait_for_load_state("networkidle")
    body = page.locator("main").inner_text()
    assert "Saved as a draft, not submitted yet" in body
    assert re.search(r"Write the team.s misses before submitting", body)
    assert BusinessReview.objects.get(pk=review.pk).wins == "Written without JavaScript"
    context.close()
