"""Every dashboard page reads a fixed number of queries, whatever the number of teams."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insights.models import CoordinationCell
from peakos.models import TeamDependency
from tests.factories import TeamFactory
from tests.insights.dashboards.factories import seed_results, snapshot, turnout
from tests.insights.dashboards.helpers import PAGES, url

pytestmark = pytest.mark.django_db


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def _grow(tenant, results, n: int) -> None:
    """n more teams under the department, each with results, a dependency and its rating."""
    for i in range(n):
        team = TeamFactory(
            organization=tenant.org, name=f"Extra {i}", parent=tenant.department if i % 2 else tenant.team
        )
        for rnd in results.rounds:
            for dim in ("alignment", "team_health"):
                snapshot(tenant, rnd, team, dim, 60.0 + i % 7)
            turnout(tenant, rnd, team, 12, 15, released=True)
        TeamDependency.objects.create(organization=tenant.org, from_team=team, to_team=tenant.other_team)
        CoordinationCell.objects.create(
            organization=tenant.org,
            round=results.latest,
            rater_team=team,
            rated_team=tenant.other_team,
            suppressed=False,
            respondents=6,
            mean=3.0,
            score=50.0,
        )


@pytest.mark.parametrize("role", ["leader", "manager"])
def test_query_count_does_not_grow_with_the_number_of_teams(as_role, tenant_a, role):
    results = seed_results(tenant_a)
    client = as_role(role)
    paths = [url(name, tenant_a) for name in PAGES] + [url(name, tenant_a, tenant_a.team) for name in PAGES]
    client.get(paths[0])  # the first visit also saves the session (last organization)
    before = {path: _queries(client, path) for path in paths}
    _grow(tenant_a, results, 40)
    after = {path: _queries(client, path) for path in paths}
    assert after == before
    # 16: the overview's decision-velocity panel reads the weekly rhythm's issues, meetings (with
    # their ratings, one join) and to-dos: three queries beside the pages' 13 at most.
    assert max(before.values()) <= 16, before
    assert max(v for k, v in before.items() if not k.rstrip("/").endswith(("insights", str(tenant_a.team.pk)))) <= 14
