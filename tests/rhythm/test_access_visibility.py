"""The dashboards' decision-velocity panel lists teams whose results the member sees
(peakos.permissions); it relies on those being teams whose rhythm the member sees too."""

import pytest

from peakos import permissions
from peakos.models import Role
from rhythm import access

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", Role.values)
def test_every_team_whose_results_a_role_sees_is_one_whose_rhythm_it_sees(tenant_a, member_in_team, role):
    membership = tenant_a.memberships[role]
    results, rhythm = permissions.visible_team_ids(membership), access.visible_team_ids(membership)
    if rhythm is None:
        return
    assert results is not None and results <= rhythm
    assert access.can_see_health(membership) is (results is None)
