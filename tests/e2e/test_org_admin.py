"""Organization admin in a browser: import people from CSV (upload → preview → confirm), then look at
the teams, a team's dependencies, people, priorities and the audit log at desktop and phone widths."""

import pytest

from peakos.models import Person, Priority, Team, TeamDependency
from tests.e2e.conftest import browser_login
from tests.factories import PASSWORD

CSV = """email,name,team,parent_team,manager_email,layer,location
cleo@alpha.example,Cleo Exec,Alpha Leadership,,,executive,Berlin
sam@alpha.example,Sam Seller,Sales,Alpha Leadership,cleo@alpha.example,director,Berlin
rita@alpha.example,Rita Rep,Inside Sales,Sales,sam@alpha.example,individual,Lisbon
eve@alpha.example,Eve Engineer,Engineering,Alpha Leadership,cleo@alpha.example,director,Remote
dev@alpha.example,Dev Null,Platform,Engineering,eve@alpha.example,individual,Remote
p1@alpha.example,Alpha Person One,Alpha Department,Alpha Leadership,,individual,Oslo
"""

BAD_CSV = """email,name,team,parent_team,manager_email,layer
not-an-email,Ann,Sales,,,
bob@alpha.example,Bob,Sales,,ghost@alpha.example,wizard
"""


def both_widths(page, screenshot, name):
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, f"{name}-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_admin_imports_people_from_csv_in_the_browser(page, live_server, tenant_a, screenshot, tmp_path):
    good, bad = tmp_path / "people.csv", tmp_path / "broken.csv"
    good.write_text(CSV, encoding="utf-8")
    bad.write_text(BAD_CSV, encoding="utf-8")
    browser_login(page, live_server, "admin@alpha.example", PASSWORD)

    page.click("details.navmenu summary")
    page.click("details.navmenu >> text=People")
    page.click("text=Import CSV")
    assert page.locator("h1").inner_text() == "Import people and teams"

    # A broken file: every error by row and column, nothing imported.
    page.set_input_files("#id_file", str(bad))
    page.click("button:has-text('Preview import')")
    assert "nothing was imported" in page.locator(".import-errors h2").inner_text()
    assert page.locator(".import-errors tbody tr").count() == 3
    both_widths(page, screenshot, "manage-import-errors")

    # A good file: the preview says what will happen, then confirm.
    page.set_input_files("#id_file", str(good))
    page.click("button:has-text('Preview import')")
    assert page.locator("#count-created").inner_text() == "5"
    assert page.locator("#count-updated").inner_text() == "1"
    assert not Person.objects.filter(email="rita@alpha.example").exists()
    both_widths(page, screenshot, "manage-import-preview")
    page.click("#confirm-import")
    page.wait_for_load_state("networkidle")
    assert "Import done: 5 created, 1 updated" in page.locator(".messages").inner_text()
    assert Person.objects.get(email="rita@alpha.example").manager.email == "sam@alpha.example"
    both_widths(page, screenshot, "manage-people")

    # Search narrows the list.
    page.fill("#id_q", "rita")
    page.click("button:has-text('Filter')")
    assert page.locator(".people-table tbody tr").count() == 1


@pytest.mark.django_db(transaction=True)
def test_admin_screens_at_desktop_and_phone_widths(page, live_server, tenant_a, screenshot):
    org = tenant_a.org
    sales = Team.objects.create(organization=org, name="Sales", kind="department", parent=tenant_a.leadership)
    marketing = Team.objects.create(organization=org, name="Marketing", kind="department", parent=tenant_a.leadership)
    success = Team.objects.create(organization=org, name="Customer Success", parent=sales)
    for a, b in [(sales, marketing), (success, sales), (tenant_a.team, sales), (marketing, tenant_a.team)]:
        TeamDependency.objects.create(organization=org, from_team=a, to_team=b)
    company = Priority.objects.create(organization=org, title="Win the mid-market", level="company", period="2026-Q4")
    dept = Priority.objects.create(
        organization=org,
        title="Launch the partner channel",
        level="department",
        team=sales,
        parent=company,
        period="2026-Q4",
    )
    Priority.objects.create(
        organization=org, title="Partner portal beta", level="team", team=success, parent=dept, period="2026-Q4"
    )
    Priority.objects.create(organization=org, title="Keep churn under 2%", level="company", period="2026-Q4", rank=2)

    browser_login(page, live_server, "admin@alpha.example", PASSWORD)
    base = f"{live_server.url}/o/{org.slug}/manage"

    page.goto(f"{base}/teams/")
    assert page.locator(".team-tree tbody tr").count() == 9
    both_widths(page, screenshot, "manage-teams")

    page.goto(f"{base}/teams/{sales.pk}/")
    assert page.locator(".depgraph svg").count() == 1
    both_widths(page, screenshot, "manage-team-detail")

    page.goto(f"{base}/dependencies/")
    assert page.locator(".depgraph circle").count() == 4
    both_widths(page, screenshot, "manage-dependencies")

    page.goto(f"{base}/priorities/?period=2026-Q4")
    assert page.locator(".prio-children .prio-children").count() == 1
    both_widths(page, screenshot, "manage-priorities")

    person = tenant_a.people[2]
    page.goto(f"{base}/people/{person.pk}/")
    assert page.locator("#id_email").input_value() == person.email
    both_widths(page, screenshot, "manage-person")

    page.goto(f"{base}/teams/")
    page.fill("#id_name", "Research")
    page.click("button:has-text('Add team')")
    page.goto(f"{base}/audit/")
    assert "team.create" in page.locator(".audit-table").inner_text()
    both_widths(page, screenshot, "manage-audit")
