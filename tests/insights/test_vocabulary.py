"""insights/vocabulary.py is the one list of figures and scope kinds: the models store them,
the API answers them, and a suppressed row answers every one of them as null."""

import pytest

from insights import vocabulary
from insights.models import TEAM_SCOPE_KINDS, CoordinationCell, Participation, PriorityAlignment, ScopeKind, Snapshot
from surveys.models import Dimension
from tests.api.conftest import make_token, token_client
from tests.api.test_scores import snapshot
from tests.surveys.factories import round_for

pytestmark = pytest.mark.django_db


def _fields(model) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def test_every_declared_figure_is_a_stored_column():
    assert set(vocabulary.SNAPSHOT_FIGURES) <= _fields(Snapshot)
    assert set(vocabulary.PARTICIPATION_FIGURES) <= _fields(Participation)
    assert set(vocabulary.PRIORITY_FIGURES) <= _fields(PriorityAlignment)
    assert set(vocabulary.COORDINATION_FIGURES) <= _fields(CoordinationCell)
    # One driver figure per outcome the engine correlates with, and the outcomes are dimensions.
    assert {f"driver_{o}" for o in vocabulary.OUTCOMES} == set(vocabulary.DRIVER_FIGURES)
    assert set(vocabulary.OUTCOMES) <= set(Dimension.values)


def test_scope_kinds_come_from_the_vocabulary():
    assert tuple(ScopeKind.values) == vocabulary.SCOPE_KINDS
    assert TEAM_SCOPE_KINDS == vocabulary.TEAM_SCOPE_KINDS


def test_the_api_answers_every_figure_and_nulls_all_of_a_suppressed_row(tenant_a):
    round_ = round_for(tenant_a)
    snapshot(round_, score=70.0)
    snapshot(round_, scope_kind="team", team=tenant_a.team)  # too few respondents
    body = token_client(make_token(tenant_a)).get(f"/api/v1/snapshots/?round={round_.pk}").json()["results"]
    shown = next(r for r in body if not r["suppressed"])
    hidden = next(r for r in body if r["suppressed"])
    assert [k for k in shown if k in vocabulary.SNAPSHOT_FIGURES] == list(vocabulary.SNAPSHOT_FIGURES)
    assert shown["score"] == 70.0
    assert all(hidden[name] is None for name in vocabulary.SNAPSHOT_FIGURES)
