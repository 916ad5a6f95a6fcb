"""A suppressed scope shows "not enough responses" and never a number: page, chart JSON, CSV."""

import json
import re

import pytest

from tests.insights.dashboards.factories import seed_results
from tests.insights.dashboards.helpers import PAGES, csv_rows, figures, has_digit, tables, url

pytestmark = pytest.mark.django_db

NAME = "Alpha Subteam"
# The decision-velocity panel counts what teams' meetings recorded (decisions, to-dos, ratings given
# openly in the meeting), not respondents: its survey columns stay blank for a suppressed team, but
# "0 decisions" is a true figure about the team, not about anyone's answer.
MEASURED_TABLES = ("Decision velocity",)


@pytest.fixture
def results(tenant_a):
    return seed_results(tenant_a, suppressed=[tenant_a.subteam])


def _rows_naming(rows, name=NAME):
    return [row for row in rows if row and row[0].lstrip("· ") == name]


def test_suppressed_team_has_no_number_in_any_table(as_role, tenant_a, results):
    client = as_role("leader")
    seen = suppressed_rows = 0
    for name in PAGES:
        for team in (None, tenant_a.department, tenant_a.team):
            html = client.get(url(name, tenant_a, team)).content.decode()
            for caption, rows in tables(html).items():
                measured = caption.startswith(MEASURED_TABLES)
                for row in _rows_naming(rows):
                    if measured:
                        assert not any(has_digit(c) for c in row[1:3]), (name, caption, row)  # survey score, favourable
                        continue
                    seen += 1
                    assert not any(has_digit(c) for c in row[1:]), (name, row)
                    suppressed_rows += "not enough responses" in row
    assert seen >= 3 and suppressed_rows >= 3


def test_suppressed_team_has_no_number_in_chart_json(as_role, tenant_a, results):
    client = as_role("leader")
    for name in PAGES:
        for team in (None, tenant_a.department, tenant_a.team):
            html = client.get(url(name, tenant_a, team)).content.decode()
            for chart_id, figure in figures(html).items():
                for trace in figure["data"]:
                    if trace.get("type") == "heatmap":
                        for label, z, text, hover in zip(
                            trace["y"], trace["z"], trace["text"], trace["hovertext"], strict=True
                        ):
                            if label.lstrip("· ") == NAME:
                                assert z == [None] * len(z)
                                assert all(t in ("–", "") for t in text)
                                assert all(not has_digit(h) for h in hover), hover
                    else:
                        for hover in trace.get("hovertext") or []:
                            if NAME in str(hover):
                                assert not has_digit(hover), (name, chart_id, hover)
                        if NAME in str(trace.get("name", "")):
                            assert all(y is None for y in trace["y"]), (chart_id, trace["y"])


def test_suppressed_team_has_no_number_in_the_page_text(as_role, tenant_a, results):
    html = as_role("leader").get(url("dashboard", tenant_a, tenant_a.subteam)).content.decode()
    tiles = "".join(re.findall(r'<div class="card stat" role="listitem">(.*?)</div>', html, re.S))
    assert tiles.count("not enough responses") == 5
    assert not has_digit(re.sub(r"<[^>]+>", " ", tiles))
    assert "Not enough responses in Alpha Subteam" in html
    assert f'href="/o/alpha-corp/insights/teams/{tenant_a.team.pk}/' in html  # the level above


def test_suppressed_team_has_no_number_in_csv(as_role, tenant_a, results):
    client = as_role("leader")
    exports = 0
    for name, tables_ in [
        ("dashboard", ["heatmap", "branch"]),
        ("dashboard_coordination", ["links", "weak"]),
        ("dashboard_trends", ["by-team"]),
    ]:
        for table in tables_:
            for team in (None, tenant_a.department, tenant_a.team):
                response = client.get(url(name, tenant_a, team, format="csv", table=table))
                if response.status_code == 404:
                    continue
                exports += 1
                for row in _rows_naming(csv_rows(response)):
                    assert not any(has_digit(c) for c in row[1:]), (name, table, row)
    assert exports >= 6


def test_suppressed_team_stores_nothing_the_page_could_show(as_role, tenant_a, results):
    """The JSON of every figure: no key or value mentions a number next to the team."""
    html = as_role("leader").get(url("dashboard", tenant_a, tenant_a.department)).content.decode()
    heatmap = figures(html)["heatmap"]["data"][0]
    index = heatmap["y"].index("· Alpha Subteam")
    blob = json.dumps([heatmap["z"][index], heatmap["text"][index], heatmap["hovertext"][index]], ensure_ascii=False)
    assert "not enough responses" in blob and not re.search(r"\d", blob.replace("null", ""))
