import pytest

from insights.recompute import recompute_round
from peakos.models import Layer, Team, TeamKind
from tests.insights.factories import RoundBuilder, survey


@pytest.fixture
def pulse(tenant_a):
    return survey(tenant_a.org)


@pytest.fixture
def build_round(tenant_a, pulse):
    """``build_round(number=1)`` → a RoundBuilder for tenant A's pulse."""

    def _build(**kwargs) -> RoundBuilder:
        return RoundBuilder(org=tenant_a.org, survey=pulse, **kwargs)

    return _build


@pytest.fixture
def recompute():
    def _recompute(round_):
        round_.refresh_from_db()
        return recompute_round(round_=round_)

    return _recompute


def add_team(tenant, name: str, parent, kind=TeamKind.TEAM) -> Team:
    return Team.objects.create(organization=tenant.org, name=name, parent=parent, kind=kind)


EXEC, MANAGER, IC = Layer.EXECUTIVE, Layer.MANAGER, Layer.INDIVIDUAL
