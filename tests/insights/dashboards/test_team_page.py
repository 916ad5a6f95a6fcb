"""Drill-down: a department's or team's overview, limited to its subtree, with breadcrumbs."""

import pytest

from tests.insights.dashboards.factories import seed_results
from tests.insights.dashboards.helpers import PAGES, figures, tables, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(tenant_a):
    return seed_results(tenant_a)


def test_department_page_shows_its_subtree_only(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a, tenant_a.department)).content.decode()
    assert ">74<" in html  # the department's alignment
    heatmap = figures(html)["heatmap"]["data"][0]
    assert heatmap["y"] == ["Alpha Department", "Alpha Team", "· Alpha Subteam"]
    assert "Alpha Other Department" not in heatmap["y"]
    branch = tables(html)["Alignment down this branch"]
    assert [row[0] for row in branch[1:]] == ["Alpha Department", "Alpha Team", "Alpha Subteam"]
    assert "Leadership team 84" in str(figures(html)["branch"]["layout"])


def test_breadcrumbs_lead_from_the_organization_to_the_team(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a, tenant_a.subteam)).content.decode()
    crumbs = html.split('aria-label="Breadcrumbs"')[1].split("</nav>")[0]
    for name in ["Alpha Corp", "Alpha Leadership", "Alpha Department", "Alpha Team", "Alpha Subteam"]:
        assert name in crumbs
    assert f'href="{url("dashboard", tenant_a, tenant_a.department)}"' in crumbs
    assert 'aria-current="page">Alpha Subteam' in crumbs


def test_tabs_stay_on_the_team(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a, tenant_a.department)).content.decode()
    for name in PAGES[1:]:
        assert f'href="{url(name, tenant_a, tenant_a.department)}"' in html


def test_manager_opens_the_teams_they_lead_and_nothing_else(as_role, tenant_a, results):
    client = as_role("manager")
    assert client.get(url("dashboard", tenant_a, tenant_a.team)).status_code == 200
    assert client.get(url("dashboard", tenant_a, tenant_a.subteam)).status_code == 200
    for team in [tenant_a.department, tenant_a.other_team, tenant_a.leadership]:
        for name in PAGES:
            assert client.get(url(name, tenant_a, team)).status_code == 404, (name, team)


def test_managers_breadcrumbs_name_but_do_not_link_what_they_cannot_open(as_role, tenant_a, results):
    html = as_role("manager").get(url("dashboard", tenant_a, tenant_a.subteam)).content.decode()
    crumbs = html.split('aria-label="Breadcrumbs"')[1].split("</nav>")[0]
    assert "Alpha Department" in crumbs
    assert url("dashboard", tenant_a, tenant_a.department) not in crumbs
    assert url("dashboard", tenant_a, tenant_a.team) in crumbs


def test_members_open_no_team_page(as_role, tenant_a, results):
    client = as_role("member")
    for name in PAGES:
        assert client.get(url(name, tenant_a, tenant_a.team)).status_code == 404


def test_another_organizations_team_is_not_found(as_role, tenant_a, tenant_b, results):
    seed_results(tenant_b)
    response = as_role("owner").get(url("dashboard", tenant_a, tenant_b.department))
    assert response.status_code == 404
    assert "Bravo" not in response.content.decode()


def test_the_layer_filter_does_not_apply_to_a_team(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a, tenant_a.department, layer="manager")).content.decode()
    assert ">74<" in html and 'name="layer"' not in html
