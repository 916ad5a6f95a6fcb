"""/o/<org>/surveys/rounds/<id>/: participation counts per team, never who answered what."""

import pytest

from surveys.models import Invitation, Round
from tests.factories import PersonFactory
from tests.surveys.factories import make_survey, open_now


@pytest.fixture
def big_team_round(tenant_a, survey):
    for i in range(5):
        PersonFactory(organization=tenant_a.org, team=tenant_a.other_team, email=f"o{i}@alpha.example")
    round = open_now(survey)
    Invitation.objects.filter(round=round, person__email__in=["o0@alpha.example", "o1@alpha.example"]).update(
        used_at=round.opens_at
    )
    return round


def test_participation_is_shown_for_teams_with_enough_people_invited(as_role, tenant_a, big_team_round):
    page = as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/rounds/{big_team_round.id}/").content.decode()
    assert tenant_a.other_team.name in page  # 6 invited ≥ 5
    assert "Participation by team" in page and "18%" in page  # 2 of 11 overall
    assert tenant_a.subteam.name not in page  # 1 invited: hidden
    assert "smaller teams not shown" in page


def test_the_round_page_never_names_who_answered(as_role, tenant_a, big_team_round):
    page = as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/rounds/{big_team_round.id}/").content.decode()
    for person in tenant_a.people:
        assert person.email not in page and person.name not in page
    assert "o0@alpha.example" not in page


def test_close_now(as_role, tenant_a, big_team_round):
    as_role("admin").post(f"/o/{tenant_a.org.slug}/surveys/rounds/{big_team_round.id}/close/")
    big_team_round.refresh_from_db()
    assert big_team_round.status == "closed"


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_only_those_who_manage_see_participation_or_close(as_role, tenant_a, big_team_round, role):
    client = as_role(role)
    assert client.get(f"/o/{tenant_a.org.slug}/surveys/rounds/{big_team_round.id}/").status_code == 403
    assert client.post(f"/o/{tenant_a.org.slug}/surveys/rounds/{big_team_round.id}/close/").status_code == 403
    assert Round.objects.get(pk=big_team_round.pk).status == "open"


def test_another_organizations_round_is_not_found(as_role, tenant_a, tenant_b):
    other = open_now(make_survey(tenant_b))
    client = as_role("owner")
    assert client.get(f"/o/{tenant_a.org.slug}/surveys/rounds/{other.id}/").status_code == 404
    assert client.post(f"/o/{tenant_a.org.slug}/surveys/rounds/{other.id}/close/").status_code == 404
    assert Round.objects.get(pk=other.pk).status == "open"
