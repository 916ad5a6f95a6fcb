"""The insights demo: six past rounds of Northwind with a story, idempotent."""

import pytest

from insights import demo
from insights.models import CoordinationCell, Signal, Snapshot
from peakos import demo as core_demo
from peakos.models import Layer, Organization, Team
from surveys import demo as surveys_demo
from surveys.models import Answer, Invitation, Response, Round, SubmissionGuard

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Round, Invitation, Response, Answer, Snapshot, CoordinationCell, Signal)]


@pytest.fixture
def northwind():
    core_demo.seed()
    surveys_demo.seed()
    demo.seed()
    return Organization.objects.get(slug="northwind")


def test_the_demo_tells_its_story_and_runs_twice_without_change(northwind):
    first = counts()
    snapshots = sorted(
        Snapshot.objects.values_list("round_id", "scope_kind", "team_id", "layer", "dimension", "score"), key=repr
    )
    demo.seed()
    assert counts() == first
    assert (
        sorted(
            Snapshot.objects.values_list("round_id", "scope_kind", "team_id", "layer", "dimension", "score"), key=repr
        )
        == snapshots
    )

    rounds = list(Round.objects.filter(organization=northwind).order_by("number"))
    assert [r.number for r in rounds] == [1, 2, 3, 4, 5, 6] and {r.status for r in rounds} == {"closed"}
    latest = rounds[-1]

    # The gap widens down the layers.
    layers = {
        s.layer: s.score for s in Snapshot.objects.filter(round=latest, scope_kind="layer", dimension="alignment")
    }
    assert layers[Layer.EXECUTIVE] > layers[Layer.MANAGER] > layers[Layer.INDIVIDUAL]
    assert Signal.objects.filter(round=latest, kind="leadership_gap", layer=Layer.INDIVIDUAL).exists()
    # One weak dependency link.
    weak = Signal.objects.filter(round=latest, kind="weak_link")
    assert [s.title for s in weak] == [s.title for s in weak if "Customer Success" in s.title and "Sales" in s.title]
    assert weak.count() == 1
    # One department below the threshold.
    operations = Team.objects.get(organization=northwind, name="Operations")
    assert Snapshot.objects.get(round=latest, team=operations, dimension="alignment").suppressed
    assert Signal.objects.filter(round=latest, kind="low_participation", team=operations).exists()
    # A trend: Engineering's workload falls over the last two rounds.
    engineering = Team.objects.get(organization=northwind, name="Engineering")
    workload = [
        s.score for s in Snapshot.objects.filter(team=engineering, dimension="resilience").order_by("round__number")
    ]
    assert workload[-1] < workload[-2] < workload[-3]


def test_no_response_points_back_to_a_person(northwind):
    assert not any(f.name in ("person", "invitation") for f in Response._meta.get_fields())
    latest = Round.objects.filter(organization=northwind).order_by("-number").first()
    assert (
        Response.objects.filter(round=latest).count()
        == Invitation.objects.filter(round=latest, answered=True).count()
        == SubmissionGuard.objects.filter(round=latest).count()
    )


def test_the_demo_has_manager_figures_to_show(northwind):
    """The demo's invitations and responses carry the manager snapshot, so the manager
    effectiveness page has a story: some managers shown, smaller groups hidden."""
    from leadership import effectiveness

    latest = effectiveness.closed_rounds(northwind)[0]
    result = effectiveness.round_managers(latest)
    assert result is not None and result.managers
    shown = [m for m in result.managers.values() if m.respondents.shown]
    hidden = [m for m in result.managers.values() if not m.respondents.shown]
    assert shown and hidden
    assert all(m.respondents.respondents >= result.threshold for m in shown)
    assert Response.objects.filter(round=latest, manager__isnull=False).exists()
