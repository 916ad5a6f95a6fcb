"""The Content-Security-Policy holds on every page a leader, an admin and an employee reach.

Chromium loads each page under the real policy (settings: default-src 'self', no inline
script or style); any violation — reported on the console or as a ``securitypolicyviolation``
event — fails the test with the page and the blocked directive. The crawl follows the
organization's navigation (main menu and Admin menu) and the account menu for each role, plus
every dashboard page with its charts drawn and an employee's survey link.
"""

from urllib.parse import urlparse

import pytest
from django.urls import reverse

from surveys.models import Invitation
from tests.e2e.conftest import browser_login
from tests.factories import PASSWORD
from tests.insights.dashboards.factories import seed_results
from tests.surveys.factories import ALIGNMENT_PULSE, link_for, make_survey, open_now, with_priorities_and_dependencies

DASHBOARDS = ["dashboard", "dashboard_coordination", "dashboard_trends", "dashboard_priorities", "dashboard_comments"]
LISTEN = """
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile || ""}:${e.lineNumber}:${e.columnNumber} sample=${e.sample}`);
});
"""


def watch(page, violations: list[str]):
    page.expose_binding("__cspViolation", lambda source, text: violations.append(f"{page.url}: {text}"))
    page.add_init_script(LISTEN)
    page.on(
        "console",
        lambda msg: (
            violations.append(f"{page.url}: console: {msg.text}") if "Content Security Policy" in msg.text else None
        ),
    )


def visit(page, url: str, problems: list[str]):
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    if response is None or response.status >= 400:
        problems.append(f"{url}: HTTP {response.status if response else 'no response'}")
    if page.locator(".dash-plot").count():
        page.wait_for_function(
            "document.querySelectorAll('.dash-plot').length === document.querySelectorAll('.dash-plot.is-drawn').length"
        )


def menu_links(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "nav.mainnav a, details.navmenu a, details.usermenu a", "els => els.map(e => e.getAttribute('href'))"
    )
    return [base + h for h in dict.fromkeys(hrefs) if h and urlparse(h).netloc == "" and h.startswith("/")]


@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_content_security_policy(browser, live_server, tenant_a):
    seed_results(tenant_a)
    with_priorities_and_dependencies(tenant_a)
    survey = make_survey(tenant_a, keys=[*ALIGNMENT_PULSE[:5], "rate-teams", *ALIGNMENT_PULSE[5:]])
    invitation = Invitation.objects.get(round=open_now(survey), person__email="p2@alpha.example")
    slug = tenant_a.org.slug

    violations: list[str] = []
    problems: list[str] = []
    visited: set[str] = set()
    for role in ["leader", "admin", "member"]:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        watch(page, violations)
        browser_login(page, live_server, f"{role}@alpha.example", PASSWORD)
        visit(page, f"{live_server.url}{reverse('org_home', args=[slug])}", problems)
        pages = menu_links(page, live_server.url)
        if role != "member":
            pages += [f"{live_server.url}{reverse(name, args=[slug])}" for name in DASHBOARDS]
        for url in dict.fromkeys(pages):
            visit(page, url, problems)
            visited.add(urlparse(url).path)
        context.close()

    employee = browser.new_context(viewport={"width": 390, "height": 844})
    page = employee.new_page()
    watch(page, violations)
    visit(page, live_server.url + link_for(invitation), problems)
    page.locator("input[type=radio]").first.check()  # the page's script runs (draft, progress)
    employee.close()

    assert len(visited) >= 15, sorted(visited)
    assert problems == []
    assert violations == [], "\n".join(violations)


@pytest.mark.django_db(transaction=True)
def test_the_policy_is_strict_and_forbids_framing(page, live_server, tenant_a):
    response = page.goto(f"{live_server.url}/accounts/login/")
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    # The one relaxation is for style attributes (Plotly's d3); nothing may run inline script or eval.
    assert [d for d, value in directives.items() if "unsafe" in value] == ["style-src-attr"]
