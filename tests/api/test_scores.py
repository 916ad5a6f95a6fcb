"""/api/v1/snapshots/, /api/v1/coordination/, /api/v1/signals/: precomputed results, by role."""

from datetime import timedelta

import pytest
from django.utils import timezone

from insights.models import CoordinationCell, Signal, Snapshot
from surveys.models import Round
from tests.api.conftest import make_token, token_client
from tests.api.factories import coordination_cell_for, signal_for
from tests.surveys.factories import round_for

pytestmark = pytest.mark.django_db


def snapshot(round_, *, scope_kind="organization", team=None, layer="", dimension="alignment", score=None):
    values = {"respondents": 12, "mean": 3.8, "score": score} if score is not None else {}
    return Snapshot.objects.create(
        organization=round_.organization,
        round=round_,
        scope_kind=scope_kind,
        team=team,
        layer=layer,
        dimension=dimension,
        suppressed=score is None,
        **values,
    )


@pytest.fixture
def rounds(tenant_a):
    """Two rounds of A's pulse: an older one and the latest, with scores for several scopes."""
    latest = round_for(tenant_a)
    older = Round.objects.create(
        organization=tenant_a.org,
        survey=latest.survey,
        number=latest.number + 1000,
        opens_at=latest.opens_at - timedelta(days=14),
        closes_at=latest.opens_at - timedelta(days=9),
        status="closed",
    )
    snapshot(older, score=60.0)
    snapshot(latest, score=70.0)
    snapshot(latest, dimension="enps", score=12.0)
    snapshot(latest, scope_kind="team", team=tenant_a.team, score=65.0)
    snapshot(latest, scope_kind="team", team=tenant_a.other_team)  # too few respondents
    snapshot(latest, scope_kind="layer", layer="manager", score=55.0)
    return older, latest


def test_latest_scores_of_the_organization(api, rounds):
    _, latest = rounds
    body = api("leader").get("/api/v1/snapshots/?latest=true&scope_kind=organization").json()
    assert {(r["round"], r["dimension"], r["score"]) for r in body["results"]} == {
        (latest.pk, "alignment", 70.0),
        (latest.pk, "enps", 12.0),
    }
    assert body["results"][0]["survey"] == latest.survey_id


def test_a_suppressed_scope_has_null_figures_and_says_so(api, tenant_a, rounds):
    body = api("leader").get(f"/api/v1/snapshots/?team={tenant_a.other_team.pk}").json()
    (row,) = body["results"]
    assert row["suppressed"] is True
    assert all(row[k] is None for k in ("respondents", "score", "mean", "favorable_share", "spread", "delta", "gap"))


def test_members_see_organization_wide_scores_only(api, rounds):
    kinds = {r["scope_kind"] for r in api("member").get("/api/v1/snapshots/?page_size=100").json()["results"]}
    assert kinds == {"organization"}


def test_a_manager_sees_their_teams_but_not_layers_or_other_teams(client, tenant_a, rounds):
    client.force_login(tenant_a.users["manager"])
    rows = client.get("/api/v1/snapshots/?page_size=100", HTTP_X_ORGANIZATION="alpha-corp").json()["results"]
    assert {r["scope_kind"] for r in rows} == {"organization", "team"}
    assert {r["team"] for r in rows if r["team"]} == {tenant_a.team.pk}


def test_leaders_see_every_scope(api, rounds):
    kinds = {r["scope_kind"] for r in api("leader").get("/api/v1/snapshots/?page_size=100").json()["results"]}
    assert kinds == {"organization", "team", "layer"}


def test_coordination_cells_are_team_level(api, tenant_a, rounds):
    cell = coordination_cell_for(tenant_a)
    CoordinationCell.objects.create(
        organization=tenant_a.org, round=cell.round, rater_team=None, rated_team=tenant_a.other_team, suppressed=True
    )
    leader = api("leader")
    assert leader.get("/api/v1/coordination/?latest=true").json()["count"] == 2
    received = leader.get("/api/v1/coordination/?received=true").json()["results"]
    assert received == [
        {
            "id": received[0]["id"],
            "round": cell.round_id,
            "rater_team": None,
            "rated_team": tenant_a.other_team.pk,
            "suppressed": True,
            "respondents": None,
            "mean": None,
            "score": None,
        }
    ]
    assert api("member").get("/api/v1/coordination/").json()["count"] == 0


def test_signals_list_with_their_figures_and_filter_by_severity(api, tenant_a, rounds):
    signal = signal_for(tenant_a)
    Signal.objects.create(
        organization=tenant_a.org,
        kind="low_participation",
        key="low_participation:organization",
        scope_kind="organization",
        severity="medium",
        title="Participation 48%",
        detected_at=timezone.now() - timedelta(days=1),
    )
    body = api("leader").get("/api/v1/signals/?severity=high").json()
    assert [s["id"] for s in body["results"]] == [signal.pk]
    assert body["results"][0]["figures"] == {"delta": -14.0}
    member_titles = [s["title"] for s in api("member").get("/api/v1/signals/").json()["results"]]
    assert member_titles == ["Participation 48%"]


def test_another_organizations_scores_are_invisible(tenant_a, tenant_b, rounds):
    client = token_client(make_token(tenant_b, "admin"))
    assert client.get("/api/v1/snapshots/").json()["count"] == 0
    assert (
        client.get(f"/api/v1/snapshots/{Snapshot.objects.filter(organization=tenant_a.org).first().pk}/").status_code
        == 404
    )
