"""A stranger adopts Peak OS alone, in a browser, with real e-mail (aiosmtpd): signs up, confirms the
address, lands on the checklist, imports a CSV, invites a manager who accepts, and that manager sees
their own team's dashboard and edits their team's review. No shell, no /admin/.

Screenshots for people to look at: signup, signup-checklist.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peakos.models import Membership, Organization, Person, Role, Team
from reviews.models import BusinessReview
from tests.e2e.test_survey_smtp import Inbox, _free_port

PEOPLE_CSV = """email,name,team,parent_team,manager_email,layer,lead_email
ada@acme.example,Ada Founder,Leadership,,,executive,ada@acme.example
maya@acme.example,Maya Manager,Platform,Leadership,ada@acme.example,manager,maya@acme.example
dev1@acme.example,Dev One,Platform,,maya@acme.example,individual,
dev2@acme.example,Dev Two,Platform,,maya@acme.example,individual,
sam@acme.example,Sam Seller,Sales,Leadership,ada@acme.example,manager,sam@acme.example
"""


@pytest.fixture
def inbox(settings, live_server):
    from aiosmtpd.controller import Controller

    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.SITE_URL = live_server.url  # links in the e-mails point at this server
    settings.SIGNUP = "open"
    yield box
    controller.stop()


def body_of(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode()


def mail_to(inbox, address: str, subject_part: str):
    found = [m for m in inbox.messages if m["To"] == address and subject_part in m["Subject"]]
    assert found, f"no mail to {address} about {subject_part!r}: {[(m['To'], m['Subject']) for m in inbox.messages]}"
    return found[-1]


def link_in(message, path: str) -> str:
    return re.search(rf"(https?://\S+{path}\S+/)", body_of(message)).group(1)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_stranger_starts_alone_and_their_manager_gets_to_work(
    browser, page, live_server, inbox, screenshot, tmp_path
):
    # 1. Sign up.
    page.goto(live_server.url + reverse("login"))
    page.click("text=Create your organization")
    page.fill("#id_organization_name", "Acme Robotics")
    page.fill("#id_slug", "acme")
    page.fill("#id_name", "Ada Founder")
    page.fill("#id_email", "ada@acme.example")
    page.fill("#id_password", "Tricky-pass-991")
    screenshot(page, "signup")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Check your inbox" in page.content()
    assert not Organization.objects.filter(slug="acme").exists()

    # 2. Confirm the e-mail from the message the SMTP server caught.
    page.goto(link_in(mail_to(inbox, "ada@acme.example", "Confirm your e-mail"), "/signup/verify/"))
    page.click("text=Confirm and create Acme Robotics")
    page.wait_for_load_state("networkidle")
    assert page.url == live_server.url + reverse("org_home", args=["acme"])
    checklist = page.locator(".checklist")
    assert "0 of 5 done" in checklist.inner_text()
    screenshot(page, "signup-checklist")

    # 3. Import people and teams (team leads included) from the checklist's first step.
    page.click("text=Import your people and teams")
    csv_path = tmp_path / "people.csv"
    csv_path.write_text(PEOPLE_CSV)
    page.set_input_files("input[type=file]", str(csv_path))
    page.click("text=Preview import")
    page.wait_for_load_state("networkidle")
    page.click("#confirm-import")
    page.wait_for_load_state("networkidle")
    assert "Import done" in page.locator(".messages").inner_text()
    org = Organization.objects.get(slug="acme")
    platform = Team.objects.get(organization=org, name="Platform")
    assert platform.lead.email == "maya@acme.example"
    page.goto(live_server.url + reverse("org_home", args=["acme"]))
    assert page.locator(".checklist-item.done[data-step=people]").count() == 1

    # 4. Invite the suggested manager from the people list.
    page.goto(live_server.url + reverse("manage_people", args=["acme"]))
    maya_row = page.locator("tr", has=page.get_by_role("link", name="Maya Manager", exact=True))
    assert "invite suggested" in maya_row.inner_text()
    maya_row.locator("input[type=checkbox]").check()
    page.select_option("#bulk_action", "invite")
    page.select_option("#bulk_role", "manager")
    page.click("#bulk-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Invitation sent to 1: Maya Manager" in page.locator(".messages").inner_text()

    # 5. The owner opens a review cycle for every team, due in two weeks.
    page.goto(live_server.url + reverse("review_cycle_create", args=["acme"]))
    page.fill("#id_due_on", (timezone.localdate() + timedelta(days=14)).isoformat())
    page.click("text=Create the cycle")
    page.wait_for_load_state("networkidle")
    review = BusinessReview.objects.get(organization=org, team=platform)

    # 6. Maya accepts in her own browser: her login is linked to her person record.
    maya = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    maya.goto(link_in(mail_to(inbox, "maya@acme.example", "invited"), "/invite/"))
    maya.fill("#id_name", "Maya Manager")
    maya.fill("#id_password1", "Another-pass-552")
    maya.fill("#id_password2", "Another-pass-552")
    maya.click("button[type=submit]")
    maya.wait_for_load_state("networkidle")
    assert "Welcome to Acme Robotics" in maya.locator(".messages").inner_text()
    person = Person.objects.select_related("user").get(organization=org, email="maya@acme.example")
    assert person.user is not None
    assert Membership.objects.get(organization=org, user=person.user).role == Role.MANAGER

    # 7. She sees her own team's dashboard...
    response = maya.goto(live_server.url + reverse("dashboard_team", args=["acme", platform.pk]))
    assert response.status == 200 and "Platform" in maya.content()
    other = Team.objects.get(organization=org, name="Sales")
    assert maya.goto(live_server.url + reverse("dashboard_team", args=["acme", other.pk])).status in (403, 404)

    # 8. ...and edits her team's review (the draft saves itself).
    maya.goto(live_server.url + reverse("reviews_home", args=["acme"]))
    maya.click(f"a[href='{reverse('review_edit', args=['acme', review.pk])}']")
    maya.fill("#id_wins", "Shipped the importer.")
    maya.wait_for_function("document.getElementById('autosave-status').textContent.startsWith('Draft saved')")
    review.refresh_from_db()
    assert review.wins == "Shipped the importer."
