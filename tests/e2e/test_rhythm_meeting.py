"""Two people in the same live meeting (two browser contexts): they move through the agenda, one
solves an issue into a decision and to-dos, both see it without reloading, both rate, and the recap
e-mail arrives at the test SMTP server.

Screenshots for people to look at: rhythm-meeting-issues, rhythm-meeting-conclude, rhythm-team.
"""

import pytest
from django.urls import reverse

from rhythm.models import Decision, Meeting, Todo
from tests.e2e.conftest import browser_login
from tests.e2e.test_survey_smtp import smtp_server  # noqa: F401 - the aiosmtpd fixture
from tests.factories import PASSWORD, PersonFactory
from tests.rhythm.factories import issue_for, measurable_for, series_for


def url(live_server, name, *args):
    return live_server.url + reverse(name, args=args)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_people_run_a_meeting_to_a_decision_and_get_the_recap(browser, live_server, tenant_a, screenshot, request):
    inbox = request.getfixturevalue("smtp_server")  # the aiosmtpd inbox of test_survey_smtp
    slug = tenant_a.org.slug
    PersonFactory(organization=tenant_a.org, name="Alpha Member Person", email="member.person@alpha.example",
                  team=tenant_a.team, user=tenant_a.users["member"])  # fmt: skip
    series_for(tenant_a)
    measurable_for(tenant_a)
    issue = issue_for(tenant_a)

    lead_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    member_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    lead, member = lead_ctx.new_page(), member_ctx.new_page()
    try:
        browser_login(lead, live_server, "manager@alpha.example", PASSWORD)
        lead.goto(url(live_server, "rhythm_team", slug, tenant_a.team.pk))
        lead.click("text=Start the meeting")
        lead.wait_for_selector(".agenda-list li.current >> text=Check-in")
        meeting = Meeting.objects.get()

        browser_login(member, live_server, "member@alpha.example", PASSWORD)
        member.goto(url(live_server, "rhythm_meeting", slug, meeting.pk))
        assert member.locator(".agenda-list li.current").inner_text().startswith("Check-in")

        # The lead moves through the agenda; the member's page follows without a reload.
        member.evaluate("window.__stayed = true")
        for title in ("Scorecard", "Priorities on / off track", "Headlines", "To-do review", "Issues"):
            lead.click("#next-section")
            lead.wait_for_selector(f".agenda-list li.current >> text={title}")
            member.wait_for_selector(f".agenda-list li.current >> text={title}", timeout=10000)
        assert member.evaluate("window.__stayed === true"), "the member's page was not reloaded"
        assert member.locator(".timer-value").inner_text().startswith("0:")

        # The member solves the issue into a decision and two to-dos.
        member.click(f"#issue-{issue.pk} summary")
        member.fill(f"#what-{issue.pk}", "Hire two contractors for the launch")
        member.fill(f"#why-{issue.pk}", "Faster than hiring; the freeze ends in Q2")
        member.fill(f"#todo-{issue.pk}-1", "Call the agency")
        member.select_option(f"#todo-owner-{issue.pk}-1", label="Alpha Member Person")
        member.fill(f"#todo-{issue.pk}-2", "Tell Sales the new date")
        member.select_option(f"#todo-owner-{issue.pk}-2", label="Alpha Manager Person")
        screenshot(member, "rhythm-meeting-issues")
        member.click(f"#issue-{issue.pk} button:has-text('Record the decision')")
        member.wait_for_selector(".rhythm-decisions >> text=Hire two contractors for the launch")
        # ...and the lead sees it arrive.
        lead.wait_for_selector(".rhythm-decisions >> text=Hire two contractors for the launch", timeout=10000)
        assert lead.locator(f"#issue-{issue.pk}").count() == 0, "the solved issue left the list"
        decision = Decision.objects.get()
        assert decision.meeting_id == meeting.pk and decision.decided_by.name == "Alpha Member Person"
        assert Todo.objects.filter(meeting=meeting).count() == 2

        lead.click("#next-section")
        lead.wait_for_selector(".agenda-list li.current >> text=Conclude and rate")
        member.wait_for_selector("#id_rating", timeout=10000)
        member.select_option("#id_rating", "9")
        member.click(".rate-form button")
        lead.select_option("#id_rating", "8")
        lead.click(".rate-form button")
        lead.wait_for_selector(".attendees >> text=rated 9", timeout=10000)
        screenshot(lead, "rhythm-meeting-conclude")
        lead.click("#conclude")
        lead.wait_for_selector("text=The recap was e-mailed to the attendees")
        member.wait_for_selector("h2:has-text('Recap')", timeout=10000)

        recipients = sorted(m["To"] for m in inbox.messages)
        assert recipients == ["manager.person@alpha.example", "member.person@alpha.example", "p2@alpha.example"]
        message = next(m for m in inbox.messages if m["To"] == "member.person@alpha.example")
        text = next(p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/plain")
        assert "Hire two contractors for the launch" in text
        assert (
            "Call the agency: Alpha Member Person" in text and "Tell Sales the new date: Alpha Manager Person" in text
        )
        assert "Alpha Member Person: 9" in text and "Alpha Manager Person: 8" in text

        lead.goto(url(live_server, "rhythm_team", slug, tenant_a.team.pk))
        screenshot(lead, "rhythm-team")
    finally:
        lead_ctx.close()
        member_ctx.close()
