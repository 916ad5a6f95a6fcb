"""The team tree screen: head counts, add, rename, move without cycles, archive instead of delete."""

import pytest
from django.urls import reverse

from peakos.models import AuditEvent, Team
from tests.factories import PersonFactory


def teams_url(tenant):
    return reverse("manage_teams", args=[tenant.org.slug])


def team_url(tenant, team):
    return reverse("manage_team", args=[tenant.org.slug, team.pk])


def edit(team, **overrides):
    data = {"name": team.name, "kind": team.kind, "parent": team.parent_id or "", "lead": ""}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_the_tree_shows_every_team_indented_with_head_counts(as_role, tenant_a):
    body = as_role("admin").get(teams_url(tenant_a)).content.decode()
    for team in (tenant_a.leadership, tenant_a.department, tenant_a.team, tenant_a.subteam):
        assert team.name in body
    assert 'class="depth-3"' in body  # the subteam, three levels down
    # Alpha Team has 2 people itself and 1 in its subteam.
    row = body[body.index(f">{tenant_a.team.name}</a>") :].split("</tr>")[0]
    assert f'?team={tenant_a.team.pk}">2</a>' in row and '<td class="num">3</td>' in row


@pytest.mark.django_db
def test_admin_adds_a_team_under_a_parent_and_it_is_audited(as_role, tenant_a):
    response = as_role("admin").post(
        teams_url(tenant_a), {"name": "Growth", "kind": "team", "parent": tenant_a.department.pk}
    )
    assert response.status_code == 302
    team = Team.objects.get(organization=tenant_a.org, name="Growth")
    assert team.parent == tenant_a.department
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="team.create", object_id=str(team.pk)).exists()


@pytest.mark.django_db
def test_a_duplicate_team_name_re_renders_with_an_error(as_role, tenant_a):
    response = as_role("admin").post(teams_url(tenant_a), {"name": "alpha team", "kind": "team"})
    assert response.status_code == 200
    assert "There is already a team called" in response.content.decode()
    assert Team.objects.filter(organization=tenant_a.org).count() == 6


@pytest.mark.django_db
def test_admin_renames_and_moves_a_team(as_role, tenant_a):
    response = as_role("admin").post(
        team_url(tenant_a, tenant_a.team), edit(tenant_a.team, name="Core Team", parent=tenant_a.leadership.pk)
    )
    assert response.status_code == 302
    team = Team.objects.get(pk=tenant_a.team.pk)
    assert (team.name, team.parent) == ("Core Team", tenant_a.leadership)
    event = AuditEvent.objects.get(organization=tenant_a.org, action="team.update")
    assert "parent Alpha Department → Alpha Leadership" in event.summary


@pytest.mark.django_db
def test_a_team_cannot_move_under_its_own_subtree(as_role, tenant_a):
    client = as_role("admin")
    body = client.get(team_url(tenant_a, tenant_a.department)).content.decode()
    select = body[body.index('name="parent"') : body.index("</select>", body.index('name="parent"'))]
    assert tenant_a.subteam.name not in select and tenant_a.other_team.name in select
    response = client.post(
        team_url(tenant_a, tenant_a.department), edit(tenant_a.department, parent=tenant_a.subteam.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Team.objects.get(pk=tenant_a.department.pk).parent == tenant_a.leadership


@pytest.mark.django_db
def test_the_lead_is_set_by_email(as_role, tenant_a):
    person = tenant_a.people[3]
    response = as_role("admin").post(team_url(tenant_a, tenant_a.subteam), edit(tenant_a.subteam, lead=person.email))
    assert response.status_code == 302
    assert Team.objects.get(pk=tenant_a.subteam.pk).lead == person


@pytest.mark.django_db
def test_archiving_keeps_the_team_and_its_people(as_role, tenant_a):
    client = as_role("admin")
    url = reverse("manage_team_archive", args=[tenant_a.org.slug, tenant_a.subteam.pk])
    assert client.post(url, {"archived": "1"}).status_code == 302
    team = Team.objects.get(pk=tenant_a.subteam.pk)
    assert team.archived and team.people.count() == 1
    link = f">{tenant_a.subteam.name}</a>"
    assert link not in client.get(teams_url(tenant_a)).content.decode()
    assert link in client.get(teams_url(tenant_a) + "?archived=1").content.decode()
    client.post(url, {"archived": "0"})
    assert not Team.objects.get(pk=tenant_a.subteam.pk).archived
    actions = list(AuditEvent.objects.filter(organization=tenant_a.org).values_list("action", flat=True))
    assert "team.archive" in actions and "team.restore" in actions


@pytest.mark.django_db
def test_a_team_with_active_subteams_cannot_be_archived(as_role, tenant_a):
    client = as_role("admin")
    response = client.post(
        reverse("manage_team_archive", args=[tenant_a.org.slug, tenant_a.team.pk]), {"archived": "1"}, follow=True
    )
    assert "Archive or move its child teams first." in response.content.decode()
    assert not Team.objects.get(pk=tenant_a.team.pk).archived


@pytest.mark.django_db
def test_the_tree_stays_at_a_constant_number_of_queries(as_role, tenant_a, django_assert_max_num_queries):
    for i in range(30):
        team = Team.objects.create(organization=tenant_a.org, name=f"Squad {i}", parent=tenant_a.team)
        PersonFactory(organization=tenant_a.org, team=team)
    client = as_role("admin")
    with django_assert_max_num_queries(12):
        assert client.get(teams_url(tenant_a)).status_code == 200


@pytest.mark.django_db
def test_the_navigation_shows_admin_entries_to_admins_only(as_role, tenant_a, client):
    body = as_role("admin").get(reverse("org_home", args=[tenant_a.org.slug])).content.decode()
    for label in ("Teams", "People", "Priorities", "Audit log"):
        assert f">{label}</a>" in body
    client.force_login(tenant_a.users["leader"])
    body = client.get(reverse("org_home", args=[tenant_a.org.slug])).content.decode()
    assert ">Teams</a>" not in body and ">Audit log</a>" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_roles_below_admin_get_403(as_role, tenant_a, role):
    client = as_role(role)
    assert client.get(teams_url(tenant_a)).status_code == 403
    assert client.post(teams_url(tenant_a), {"name": "X", "kind": "team"}).status_code == 403
    assert client.get(team_url(tenant_a, tenant_a.team)).status_code == 403
    assert not Team.objects.filter(name="X").exists()


@pytest.mark.django_db
def test_another_organizations_team_is_404(as_role, tenant_a, tenant_b):
    client = as_role("owner")
    assert client.get(team_url(tenant_a, tenant_b.team)).status_code == 404
    assert client.post(team_url(tenant_a, tenant_b.team), edit(tenant_b.team, name="Hacked")).status_code == 404
    archive = reverse("manage_team_archive", args=[tenant_a.org.slug, tenant_b.team.pk])
    assert client.post(archive, {"archived": "1"}).status_code == 404
    assert client.get(teams_url(tenant_b)).status_code == 404
    assert Team.objects.get(pk=tenant_b.team.pk).name == "Bravo Team"
