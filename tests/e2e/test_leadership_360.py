"""A 360 end to end in the browser: an admin starts it, the raters' links arrive over real SMTP
(aiosmtpd), each rater answers in the browser, and the leader reads a report that shows only
what the threshold allows."""

import email.message
import re

import pytest
from django.urls import reverse

from leadership import bank
from leadership.models import FeedbackResponse
from tests.e2e.conftest import browser_login
from tests.e2e.test_survey_smtp import smtp_server  # noqa: F401 - the aiosmtpd fixture
from tests.factories import PASSWORD
from tests.leadership.factories import org_chart


def _text(message: email.message.Message) -> str:
    return next(p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/plain")


def _answer(page, live_server, path: str, value_for, comment: str = "") -> None:
    page.goto(live_server.url + path)
    for item in bank.ITEMS:
        page.check(f"#{item.key}-{value_for(item.key)}")
    if comment:
        page.fill("#comment-keep", comment)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Thank you for your feedback")


@pytest.mark.django_db(transaction=True)
def test_a_360_from_start_to_report_over_smtp(browser, live_server, tenant_a, screenshot, request):
    inbox = request.getfixturevalue("smtp_server")
    tenant_a.org.comment_threshold = 5
    tenant_a.org.save()
    leader, boss, reports, peers = org_chart(tenant_a, reports=5, peers=2)
    slug = tenant_a.org.slug

    admin = browser.new_context(bypass_csp=True).new_page()
    browser_login(admin, live_server, "owner@alpha.example", PASSWORD)
    admin.goto(live_server.url + reverse("leadership_home", args=[slug]))
    admin.click("text=Start a 360")
    admin.select_option("#leader", str(leader.pk))
    admin.click("text=Suggest raters")
    assert admin.is_checked(f"input[value='{reports[0].pk}:report']")
    admin.uncheck(f"input[value='{peers[1].pk}:peer']")  # editable: one peer fewer
    admin.check("input[name=show_self]")
    admin.click("text=Start and e-mail the raters")
    admin.wait_for_selector("text=360° feedback for Alpha Manager Person")
    screenshot(admin, "leadership-360-started")

    links = {m["To"]: re.search(r"https?://[^/\s]+(/l/[A-Za-z0-9_-]+/)", _text(m)).group(1) for m in inbox.messages}
    assert set(links) == {leader.email, boss.email, peers[0].email, *(r.email for r in reports)}

    rater = browser.new_context(bypass_csp=True).new_page()
    rater.goto(live_server.url + links[leader.email])
    assert "Not anonymous" in rater.content()  # the leader was told their ratings show on their own
    _answer(rater, live_server, links[leader.email], lambda key: 5)
    rater.goto(live_server.url + links[reports[0].email])
    assert "Your answers are anonymous" in rater.content()
    for person in reports:
        _answer(rater, live_server, links[person.email], lambda key: 2 if key == "priorities" else 4, "Clear goals")
    _answer(rater, live_server, links[boss.email], lambda key: 3)
    rater.goto(live_server.url + links[reports[0].email])
    assert "You already answered" in rater.content()
    assert FeedbackResponse.objects.count() == 7

    lead = browser.new_context(bypass_csp=True).new_page()
    browser_login(lead, live_server, "manager@alpha.example", PASSWORD)
    lead.goto(live_server.url + reverse("leadership_home", args=[slug]))
    lead.click("text=Alpha Manager Person")
    groups = lead.inner_text("[data-groups]")
    assert "Everyone but the leader n=6" in groups and "Self n=1" in groups
    assert lead.inner_text("[data-group=manager]") == "fewer than 5 answers"
    # Five direct reports pass the threshold, but beside "everyone but the leader" they would
    # give away the manager's answers: the audit hides them.
    assert lead.inner_text("[data-group=report]") == "hidden so a smaller group cannot be worked out"
    assert "makes clear what matters most" in lead.inner_text("[data-blind-spots]")
    assert "Clear goals" in lead.inner_text("[data-comments]")
    screenshot(lead, "leadership-360-report")
