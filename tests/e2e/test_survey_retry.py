"""A busy server (503) during a submit: survey.js keeps the draft and sends again by itself."""

import pytest

from surveys.models import Invitation, Response
from tests.surveys.factories import link_for, make_survey, open_now, valid_answers, with_priorities_and_dependencies

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_a_503_submit_is_retried_with_the_draft_kept_and_stored_once(page, live_server, tenant_a):
    with_priorities_and_dependencies(tenant_a)
    round_ = open_now(make_survey(tenant_a, keys=["alignment-priorities", "enps", "comment"]))
    invitation = Invitation.objects.get(round=round_, person__email="p2@alpha.example")
    link = link_for(invitation)
    posts = {"n": 0}

    def busy_twice(route):
        if route.request.method == "POST":
            posts["n"] += 1
            if posts["n"] <= 2:
                route.fulfill(status=503, headers={"Retry-After": "1"}, body="busy")
                return
        route.continue_()

    page.route(live_server.url + link + "*", busy_twice)
    page.goto(live_server.url + link)
    for name, value in valid_answers(round_, invitation.team_id).items():
        field = page.locator(f"[name={name}]")
        if field.first.get_attribute("type") == "radio":
            page.click(f"label[for={name}_{value}]")
        else:
            field.fill(value)
    page.click("button[type=submit]")
    page.wait_for_selector("text=The server is busy")
    draft = page.evaluate("Object.keys(window.localStorage).filter(k => k.startsWith('peakos-survey'))")
    assert draft  # the answers wait in the browser
    page.wait_for_selector("text=Thank you!", timeout=20_000)
    assert posts["n"] == 3
    assert Response.objects.filter(round=round_).count() == 1
    assert page.evaluate("Object.keys(window.localStorage).filter(k => k.startsWith('peakos-survey'))") == []
