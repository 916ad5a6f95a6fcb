"""The priority cascade: company priorities per period, department and team priorities linked to a parent."""

import pytest
from django.urls import reverse

from peakos.models import AuditEvent, Priority


def priorities_url(tenant, period="2026-Q4"):
    return reverse("manage_priorities", args=[tenant.org.slug]) + f"?period={period}"


def company_priority(tenant, title="Win the mid-market", period="2026-Q4", rank=1):
    return Priority.objects.create(organization=tenant.org, title=title, level="company", period=period, rank=rank)


def form(**overrides):
    data = {
        "title": "T",
        "level": "company",
        "period": "2026-Q4",
        "team": "",
        "parent": "",
        "rank": 1,
        "description": "",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_builds_a_cascade_and_sees_it_nested(as_role, tenant_a):
    client = as_role("admin")
    client.post(priorities_url(tenant_a), form(title="Win the mid-market"))
    company = Priority.objects.get(organization=tenant_a.org, title="Win the mid-market")
    client.post(
        priorities_url(tenant_a),
        form(title="Launch partner channel", level="department", team=tenant_a.department.pk, parent=company.pk),
    )
    department = Priority.objects.get(title="Launch partner channel")
    client.post(
        priorities_url(tenant_a),
        form(title="Partner portal", level="team", team=tenant_a.team.pk, parent=department.pk),
    )
    assert Priority.objects.get(title="Partner portal").parent == department
    body = client.get(priorities_url(tenant_a)).content.decode()
    # Nested: the team priority sits inside the department's list, inside the company's.
    assert body.index("Win the mid-market") < body.index("Launch partner channel") < body.index("Partner portal")
    assert body.count('class="prio-children"') == 2
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="priority.create").count() == 3


@pytest.mark.django_db
def test_department_and_team_priorities_need_a_team_and_a_parent(as_role, tenant_a):
    client = as_role("admin")
    response = client.post(priorities_url(tenant_a), form(title="Loose", level="department"))
    body = response.content.decode()
    assert "Choose the team this priority belongs to." in body and "Link it to the priority above it." in body
    assert not Priority.objects.filter(title="Loose").exists()


@pytest.mark.django_db
def test_a_parent_from_another_period_is_refused(as_role, tenant_a):
    old = company_priority(tenant_a, period="2026-Q3")
    response = as_role("admin").post(
        priorities_url(tenant_a), form(title="Late", level="department", team=tenant_a.department.pk, parent=old.pk)
    )
    assert "The parent priority is for 2026-Q3, not 2026-Q4." in response.content.decode()


@pytest.mark.django_db
def test_a_company_priority_never_keeps_a_team(as_role, tenant_a):
    as_role("admin").post(priorities_url(tenant_a), form(title="Focus", team=tenant_a.team.pk))
    assert Priority.objects.get(title="Focus").team is None


@pytest.mark.django_db
def test_admin_edits_a_priority_and_cannot_delete_one_with_linked_priorities(as_role, tenant_a):
    company = company_priority(tenant_a)
    child = Priority.objects.create(
        organization=tenant_a.org, title="Child", level="team", team=tenant_a.team, parent=company, period="2026-Q4"
    )
    client = as_role("admin")
    url = reverse("manage_priority", args=[tenant_a.org.slug, company.pk])
    assert client.post(url, form(title="Win the enterprise", rank=2)).status_code == 302
    company.refresh_from_db()
    assert (company.title, company.rank) == ("Win the enterprise", 2)
    delete = reverse("manage_priority_delete", args=[tenant_a.org.slug, company.pk])
    response = client.post(delete, follow=True)
    assert "1 priorities are linked to it" in response.content.decode()
    assert Priority.objects.filter(pk=company.pk).exists()
    client.post(reverse("manage_priority_delete", args=[tenant_a.org.slug, child.pk]))
    client.post(delete)
    assert not Priority.objects.filter(organization=tenant_a.org).exists()
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="priority.delete").count() == 2


@pytest.mark.django_db
def test_a_bad_period_is_refused(as_role, tenant_a):
    response = as_role("admin").post(priorities_url(tenant_a), form(title="When", period="Q4"))
    assert "A period is a year (2026) or a quarter (2026-Q4)." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "member"])
def test_roles_below_admin_get_403(as_role, tenant_a, role):
    company = company_priority(tenant_a)
    client = as_role(role)
    assert client.get(priorities_url(tenant_a)).status_code == 403
    assert client.post(priorities_url(tenant_a), form(title="Nope")).status_code == 403
    assert client.post(reverse("manage_priority_delete", args=[tenant_a.org.slug, company.pk])).status_code == 403
    assert Priority.objects.filter(organization=tenant_a.org).count() == 1


@pytest.mark.django_db
def test_another_organizations_priorities_are_404_and_not_offered_as_parents(as_role, tenant_a, tenant_b):
    theirs = company_priority(tenant_b, title="Bravo secret plan")
    client = as_role("owner")
    assert client.get(reverse("manage_priority", args=[tenant_a.org.slug, theirs.pk])).status_code == 404
    assert client.post(reverse("manage_priority_delete", args=[tenant_a.org.slug, theirs.pk])).status_code == 404
    body = client.get(priorities_url(tenant_a)).content.decode()
    assert "Bravo secret plan" not in body
    response = client.post(
        priorities_url(tenant_a),
        form(title="Sneaky", level="department", team=tenant_a.department.pk, parent=theirs.pk),
    )
    assert response.status_code == 200 and not Priority.objects.filter(title="Sneaky").exists()
