import pytest

from tests.factories import PersonFactory


@pytest.fixture
def member_in_team(tenant_a):
    """Tenant A's member user, linked to a person of A's team."""
    return PersonFactory(
        organization=tenant_a.org, name="Alpha Member Person", email="member.person@alpha.example",
        team=tenant_a.team, user=tenant_a.users["member"],
    )  # fmt: skip
