"""Comments: only scopes whose comments the engine released; newest first; searchable."""

import pytest

from insights.models import Participation
from tests.insights.dashboards.factories import seed_results
from tests.insights.dashboards.helpers import csv_rows, url

pytestmark = pytest.mark.django_db

TEXTS = ["Too many priorities at once.", "Great sprint planning.", "We never hear why plans change."]


@pytest.fixture
def results(tenant_a):
    return seed_results(tenant_a, comments=TEXTS)


def test_organization_comments_in_text_order_without_dates(as_role, tenant_a, results):
    """Neither the day nor the order of submission: either could be matched to who answered when."""
    html = as_role("leader").get(url("dashboard_comments", tenant_a)).content.decode()
    assert "3 comments" in html
    positions = [html.index(text) for text in sorted(TEXTS)]
    assert positions == sorted(positions)
    listing = html.split('class="plain-list dash-comments"')[1]
    assert "2026" not in listing


def test_search_finds_matching_comments(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_comments", tenant_a, q="plan")).content.decode()
    assert "2 comments matching" in html
    assert "Too many priorities" not in html.split('class="plain-list dash-comments"')[1]


def test_a_scope_under_the_comment_threshold_shows_no_comment(as_role, tenant_a, results):
    Participation.objects.filter(team=tenant_a.team).update(comments_released=False)
    html = as_role("leader").get(url("dashboard_comments", tenant_a, tenant_a.team)).content.decode()
    assert "Comments of Alpha Team are not shown" in html
    for text in TEXTS:
        assert text not in html
    assert (
        as_role("leader")
        .get(url("dashboard_comments", tenant_a, tenant_a.team, format="csv", table="comments"))
        .status_code
        == 404
    )


def test_a_released_scope_shows_its_own_subtrees_comments_only(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard_comments", tenant_a, tenant_a.department)).content.decode()
    assert "Too many priorities at once." in html  # written in the subteam, below the department
    assert "Great sprint planning." not in html  # written in the other department


def test_a_scope_the_engine_did_not_release_points_to_released_ones_below(as_role, tenant_a, results):
    Participation.objects.filter(team=tenant_a.department).update(comments_released=False)
    html = as_role("leader").get(url("dashboard_comments", tenant_a, tenant_a.department)).content.decode()
    assert "are not shown" in html
    assert f'href="{url("dashboard_comments", tenant_a, tenant_a.team)}">Alpha Team</a>' in html


def test_members_read_organization_comments(as_role, tenant_a, results):
    html = as_role("member").get(url("dashboard_comments", tenant_a)).content.decode()
    assert "Great sprint planning." in html


def test_comments_export_as_csv(as_role, tenant_a, results):
    response = as_role("leader").get(url("dashboard_comments", tenant_a, format="csv", table="comments"))
    rows = csv_rows(response)
    assert rows[0] == ["Question", "Comment"]  # no day: it could be matched to who answered when
    assert [row[1] for row in rows[1:]] == sorted(TEXTS)
    assert "2026-09-25" not in response.content.decode()


def test_the_writers_team_is_never_shown(as_role, tenant_a, results):
    html = as_role("member").get(url("dashboard_comments", tenant_a)).content.decode()
    assert "Alpha Subteam" not in html and "Alpha Other Team" not in html


def test_many_comments_come_in_pages(as_role, tenant_a):
    seed_results(tenant_a, comments=[f"Comment number {i:03d}" for i in range(120)])
    client = as_role("leader")
    first = client.get(url("dashboard_comments", tenant_a)).content.decode()
    assert "120 comments" in first and "Page 1 of 3" in first
    assert first.count("<blockquote>") == 50
    assert "page=2" in first and "Newer" not in first
    last = client.get(url("dashboard_comments", tenant_a, page=3)).content.decode()
    assert last.count("<blockquote>") == 20 and "Older" not in last
    rows = csv_rows(client.get(url("dashboard_comments", tenant_a, page=2, format="csv", table="comments")))
    assert len(rows) == 121  # the export has every comment, not one page
