"""/o/<org>/surveys/rounds/<id>/: participation counts per team, never who answered what."""

import re

import pytest

from insights.recompute import recompute_round
from peakos.models import Layer
from surveys.models import Round
from tests.factories import PersonFactory
from tests.surveys.factories import make_survey, open_now


@pytest.fixture
def big_team_round(tenant_a, survey):
    for i in range(5):
        PersonFactory(organization=tenant_a.org, team=tenant_a.other_team, email=f"o{i}@alpha.example")
    return open_now(survey)


@pytest.fixture
def scored_round(tenant_a):
    """Closed round, threshold 5: Department's subtree = Team (6 IC) + Subteam (2); Other
    Department = Other Team (7); the leadership team 5. Invitations: everyone who answered
    plus two who did not (in Other Team)."""
    from tests.insights.factories import RoundBuilder
    from tests.insights.factories import survey as pulse

    b = RoundBuilder(org=tenant_a.org, survey=pulse(tenant_a.org))
    b.respond(tenant_a.leadership, Layer.EXECUTIVE, times=5)
    b.respond(tenant_a.team, times=6).respond(tenant_a.subteam, times=2).respond(tenant_a.other_team, times=7)
    b.invite(tenant_a.leadership, Layer.EXECUTIVE, 5).invite(tenant_a.team, count=6)
    b.invite(tenant_a.subteam, count=2).invite(tenant_a.other_team, count=9)
    round_ = b.save()
    recompute_round(round_=round_)
    return round_


def test_answered_counts_come_from_the_published_results(as_role, tenant_a, scored_round):
    page = as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/rounds/{scored_round.id}/").content.decode()
    assert "Participation by team" in page
    assert ">20<" in page  # 20 answered of 22 invited overall
    assert ">8<" in page  # Team's subtree: 6 + Subteam's 2, published
    assert "fewer than 5 responses" in page  # Subteam (2) on its own


def test_a_hidden_teams_count_cannot_be_worked_out_from_the_shown_ones(as_role, tenant_a, survey):
    """The tester's attack: Ops 13 − Alpha 6 − Beta 5 = 2 told that both members of the hidden
    2-person team answered. Now one of Alpha and Beta is hidden too, and no page says 2."""
    from insights.models import Participation
    from tests.insights.conftest import add_team
    from tests.insights.factories import RoundBuilder
    from tests.insights.factories import survey as pulse

    ops = add_team(tenant_a, "Ops", tenant_a.leadership, kind="department")
    alpha, beta, gamma = (add_team(tenant_a, name, ops) for name in ("Alpha", "Beta", "Gamma"))
    b = RoundBuilder(org=tenant_a.org, survey=pulse(tenant_a.org))
    b.respond(alpha, times=6).respond(beta, times=5).respond(gamma, times=2).respond(tenant_a.team, times=9)
    b.invite(alpha, count=6).invite(beta, count=5).invite(gamma, count=2).invite(tenant_a.team, count=9)
    round_ = b.save()
    recompute_round(round_=round_)

    shown = {
        p.team_id: p.respondents
        for p in Participation.objects.filter(round=round_, team__in=[ops, alpha, beta, gamma], suppressed=False)
    }
    assert shown.get(ops.id) == 13
    assert gamma.id not in shown
    assert not (alpha.id in shown and beta.id in shown)  # else 13 − 6 − 5 = 2
    page = as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/rounds/{round_.id}/").content.decode()
    assert "hidden so a smaller group cannot be worked out" in page
    rows = dict(re.findall(r"<tr><td>([^<]+)</td><td class=\"num\">\d+</td>\s*(.*?)</tr>", page, re.S))
    assert "fewer than 5 responses" in rows["Gamma"]
    assert all(">2<" not in cells for cells in rows.values())  # no answered count of 2 anywhere


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
