"""The overview's decision-velocity panel in a real browser: Plotly draws the felt-against-measured
dots, the table lists each team, and a screenshot of the panel is saved for people to look at
(screenshots/dashboard-velocity-<width>.png)."""

import pytest

from tests.e2e.conftest import SCREENSHOTS, browser_login
from tests.e2e.test_dashboards import drawn, path
from tests.factories import PASSWORD
from tests.insights.dashboards.factories import seed_results, snapshot
from tests.insights.dashboards.test_velocity_panel import decided


@pytest.mark.django_db(transaction=True)
def test_the_velocity_panel_draws_and_is_screenshotted(page, live_server, tenant_a):
    results = seed_results(tenant_a)
    for scope, score in ((None, 61.0), (tenant_a.department, 55.0), (tenant_a.other_team.parent, 66.0),
                         (tenant_a.leadership, 72.0)):  # fmt: skip
        snapshot(tenant_a, results.latest, scope, "decision_velocity", score)
    for team, days in ((tenant_a.team, 3), (tenant_a.team, 5), (tenant_a.subteam, 10), (tenant_a.other_team, 2)):
        decided(tenant_a, team, days)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(page, live_server, "leader@alpha.example", PASSWORD)
    page.goto(live_server.url + path("dashboard", tenant_a.org.slug))
    assert all(n >= 1 for n in drawn(page))
    panel = page.locator("#velocity")
    assert page.locator("#velocity-felt .js-plotly-plot").count() == 1
    # Two departments with both figures: two dots, labelled with their names.
    assert page.evaluate("document.querySelector('#velocity-felt .js-plotly-plot').data[0].x.length") == 2
    table = panel.locator("#table-velocity").inner_text()
    assert "Alpha Department" in table and "Alpha Other Department" in table and "5.0" in table
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(live_server.url + path("dashboard", tenant_a.org.slug))
        drawn(page)
        assert panel.is_visible()
        SCREENSHOTS.mkdir(exist_ok=True)
        panel.screenshot(path=str(SCREENSHOTS / f"dashboard-velocity-{width}.png"))
    assert errors == []
