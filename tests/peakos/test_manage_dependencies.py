"""Dependencies between teams: edited on each team's page, listed and drawn as a small graph."""

import pytest
from django.urls import reverse

from peakos.models import AuditEvent, TeamDependency


def add_url(tenant, team):
    return reverse("manage_team_dependency_add", args=[tenant.org.slug, team.pk])


def depend(tenant, from_team, to_team):
    return TeamDependency.objects.create(organization=tenant.org, from_team=from_team, to_team=to_team)


@pytest.mark.django_db
def test_admin_adds_a_dependency_and_sees_it_listed_and_drawn(as_role, tenant_a):
    client = as_role("admin")
    response = client.post(add_url(tenant_a, tenant_a.team), {"to_team": tenant_a.other_team.pk, "note": "designs"})
    assert response.status_code == 302
    assert TeamDependency.objects.filter(from_team=tenant_a.team, to_team=tenant_a.other_team, note="designs").exists()
    body = client.get(reverse("manage_team", args=[tenant_a.org.slug, tenant_a.team.pk])).content.decode()
    assert "<svg" in body and "Alpha Team depends on Alpha Other Team" in body
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="dependency.add").exists()


@pytest.mark.django_db
def test_a_team_cannot_depend_on_itself_or_twice_on_the_same_team(as_role, tenant_a):
    client = as_role("admin")
    depend(tenant_a, tenant_a.team, tenant_a.other_team)
    response = client.post(add_url(tenant_a, tenant_a.team), {"to_team": tenant_a.other_team.pk})
    assert response.status_code == 400
    assert "already depends on" in response.content.decode()
    response = client.post(add_url(tenant_a, tenant_a.team), {"to_team": tenant_a.team.pk})
    assert response.status_code == 400
    assert TeamDependency.objects.filter(organization=tenant_a.org).count() == 1


@pytest.mark.django_db
def test_the_overview_lists_every_dependency_with_a_graph(as_role, tenant_a):
    depend(tenant_a, tenant_a.team, tenant_a.other_team)
    depend(tenant_a, tenant_a.other_team, tenant_a.department)
    body = as_role("admin").get(reverse("manage_dependencies", args=[tenant_a.org.slug])).content.decode()
    assert "2 dependencies" in body
    assert body.count("<circle") == 3  # three teams take part


@pytest.mark.django_db
def test_admin_removes_a_dependency(as_role, tenant_a):
    dependency = depend(tenant_a, tenant_a.team, tenant_a.other_team)
    url = reverse("manage_dependency_remove", args=[tenant_a.org.slug, dependency.pk])
    assert as_role("admin").post(url).status_code == 302
    assert not TeamDependency.objects.filter(pk=dependency.pk).exists()
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="dependency.remove").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "member"])
def test_roles_below_admin_get_403(as_role, tenant_a, role):
    dependency = depend(tenant_a, tenant_a.team, tenant_a.other_team)
    client = as_role(role)
    assert client.get(reverse("manage_dependencies", args=[tenant_a.org.slug])).status_code == 403
    assert client.post(add_url(tenant_a, tenant_a.team), {"to_team": tenant_a.department.pk}).status_code == 403
    remove = reverse("manage_dependency_remove", args=[tenant_a.org.slug, dependency.pk])
    assert client.post(remove).status_code == 403
    assert TeamDependency.objects.filter(organization=tenant_a.org).count() == 1


@pytest.mark.django_db
def test_another_organizations_dependency_and_teams_are_404(as_role, tenant_a, tenant_b):
    theirs = depend(tenant_b, tenant_b.team, tenant_b.other_team)
    client = as_role("owner")
    assert client.post(reverse("manage_dependency_remove", args=[tenant_a.org.slug, theirs.pk])).status_code == 404
    assert client.post(add_url(tenant_a, tenant_b.team), {"to_team": tenant_b.other_team.pk}).status_code == 404
    # B's team cannot be named as the target of A's dependency either.
    response = client.post(add_url(tenant_a, tenant_a.team), {"to_team": tenant_b.other_team.pk})
    assert response.status_code == 400
    assert TeamDependency.objects.filter(pk=theirs.pk).exists()
    assert not TeamDependency.objects.filter(organization=tenant_a.org).exists()
