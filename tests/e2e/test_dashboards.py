"""Dashboards in a real browser: Plotly draws every chart, drill-down, CSV downloads, the
manager's subtree, and screenshots of every page on the demo data (1440 and 390 px).

Screenshots for people to look at: screenshots/dashboard-<page>-<width>.png.
"""

import csv
import io
import re
from urllib.parse import urljoin

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.e2e.conftest import SCREENSHOTS, browser_login
from tests.factories import PASSWORD
from tests.insights.dashboards.factories import seed_results

COUNT_TRACES = "Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => (el.data || []).length)"
PAGES = ["dashboard", "dashboard_coordination", "dashboard_trends", "dashboard_priorities", "dashboard_comments"]


def path(name, slug, team_id=None):
    kwargs = {"org_slug": slug}
    if team_id is not None:
        name, kwargs["team_id"] = f"{name}_team", team_id
    return reverse(name, kwargs=kwargs)


def drawn(page) -> list[int]:
    """Traces of every Plotly chart on the page, once dashboard.js has drawn them all."""
    page.wait_for_function(
        "document.querySelectorAll('.dash-plot').length === document.querySelectorAll('.dash-plot.is-drawn').length"
    )
    return page.evaluate(COUNT_TRACES)


@pytest.mark.django_db(transaction=True)
def test_leader_sees_every_chart_drills_into_a_department_and_exports_csv(page, live_server, tenant_a, screenshot):
    seed_results(tenant_a, suppressed=[tenant_a.subteam])
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(page, live_server, "leader@alpha.example", PASSWORD)
    page.click("nav.mainnav >> text=Dashboard")
    assert page.url.endswith(path("dashboard", tenant_a.org.slug))
    traces = drawn(page)
    assert len(traces) == page.locator(".dash-plot").count() == 3  # gap by layer, by depth, heatmap
    assert all(n >= 1 for n in traces), traces
    # The heatmap really painted cells, not just an empty frame.
    assert page.locator("#heatmap .heatmaplayer image, #heatmap .hm image").count() >= 1
    assert page.locator(".dash-tiles .value").first.inner_text() == "70"

    # Drill into the department through the filter form, as a person would.
    page.select_option("#f-department", str(tenant_a.department.pk))
    page.click("form.dash-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(
        path("dashboard", tenant_a.org.slug, tenant_a.department.pk)
        + "?round="
        + str(page.locator("#f-round").input_value())
    )
    assert "Alpha Department" in page.locator("h1").inner_text()
    crumbs = page.locator("nav.breadcrumbs").inner_text()
    assert "Alpha Corp" in crumbs and "Alpha Leadership" in crumbs
    assert all(n >= 1 for n in drawn(page))
    # The suppressed subteam: a row of the heatmap table with no figure.
    page.click("#heatmap summary")
    row = page.locator("#heatmap tr", has_text="Alpha Subteam").inner_text()
    assert "not enough responses" in row and not re.search(r"\d", row.replace("Alpha Subteam", ""))
    screenshot(page, "dashboard-e2e-department-1280")

    with page.expect_download() as download_info:
        page.click("#heatmap .dash-csv")
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0][:3] == ["Team", "Respondents", "Alignment"]
    assert [r[0] for r in rows[1:]] == ["Alpha Department", "Alpha Team", "Alpha Subteam"]
    assert rows[3][1:] == ["not enough responses"] * (len(rows[0]) - 1)

    # Every other page draws its charts too.
    for name in PAGES[1:]:
        page.goto(live_server.url + path(name, tenant_a.org.slug))
        assert all(n >= 1 for n in drawn(page)), name
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_manager_reaches_nothing_outside_their_subtree(page, live_server, tenant_a):
    seed_results(tenant_a)
    slug = tenant_a.org.slug
    mine = {tenant_a.team.pk, tenant_a.subteam.pk}
    outside = {tenant_a.leadership.pk, tenant_a.department.pk, tenant_a.other_team.pk, tenant_a.other_team.parent_id}
    browser_login(page, live_server, "manager@alpha.example", PASSWORD)

    # Follow every dashboard link from the overview (pages, tabs, drill-downs, exports).
    seen, queue = set(), [path("dashboard", slug)]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        response = page.request.get(live_server.url + url)
        assert response.status == 200, url
        team = re.search(r"/insights/teams/(\d+)/", url)
        assert team is None or int(team.group(1)) in mine, url
        body = response.text()
        # Breadcrumbs name the teams above theirs (names are no results); nothing else may.
        results = re.sub(r'<nav class="breadcrumbs".*?</nav>', "", body, flags=re.S)
        for name in ("Alpha Department", "Alpha Other Department", "Alpha Leadership"):
            assert name not in results, (url, name)
        if "format=csv" in url:
            continue
        for href in re.findall(r'href="([^"]+)"', body):
            target = urljoin(url, href.replace("&amp;", "&"))
            if "/insights/" in target and target.startswith("/") and len(seen) < 300:
                queue.append(target)
    assert len(seen) >= 20 and any("format=csv" in url for url in seen) and any("/teams/" in url for url in seen)

    # Typing other teams' addresses: pages and exports answer 404.
    for team_id in outside:
        for name in PAGES:
            assert page.request.get(live_server.url + path(name, slug, team_id)).status == 404
            assert (
                page.request.get(live_server.url + path(name, slug, team_id) + "?format=csv&table=heatmap").status
                == 404
            )
    page.goto(live_server.url + path("dashboard", slug, tenant_a.department.pk))
    assert "Page not found" in page.content() or page.locator("h1").inner_text() != "Alpha Department"


@pytest.mark.django_db(transaction=True)
def test_screenshots_of_every_page_on_the_demo_data(page, live_server, screenshot):
    call_command("seed_demo", stdout=io.StringIO())
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(page, live_server, "ceo@northwind.example", "peakos-demo-2026")
    from django_scopes import scopes_disabled

    from peakos.models import Team

    with scopes_disabled():
        engineering = Team.objects.get(organization__slug="northwind", name="Engineering").pk
    views = [(name, None) for name in PAGES] + [("dashboard", engineering), ("dashboard_trends", engineering)]
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, team_id in views:
            page.goto(live_server.url + path(name, "northwind", team_id))
            traces = drawn(page)
            assert all(n >= 1 for n in traces), (name, traces)
            suffix = f"{name.removeprefix('dashboard').strip('_') or 'overview'}{'-engineering' if team_id else ''}"
            screenshot(page, f"dashboard-{suffix}-{width}")
            if name == "dashboard":
                drivers = page.locator("#drivers")
                if team_id is None:  # 116 respondents: both outcomes' drivers are drawn as bars
                    assert page.locator("#drivers-enps .js-plotly-plot").count() == 1
                    assert page.locator("#drivers-alignment .js-plotly-plot").count() == 1
                else:  # Engineering has 25 respondents, below the 30 the analysis needs
                    assert "needs at least 30 respondents" in drivers.inner_text()
                drivers.screenshot(path=str(SCREENSHOTS / f"dashboard-{suffix}-drivers-{width}.png"))
    assert errors == []
