"""The audit log viewer: owners and admins read who did what, filtered by action, actor and date."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peakos.models import AuditEvent


def audit_url(tenant):
    return reverse("manage_audit", args=[tenant.org.slug])


def event(tenant, action, summary, actor=None, days_ago=0):
    return AuditEvent.objects.create(
        organization=tenant.org,
        actor=actor,
        action=action,
        summary=summary,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.mark.django_db
def test_changes_made_in_the_screens_show_up_in_the_log(as_role, tenant_a):
    client = as_role("admin")
    client.post(reverse("manage_teams", args=[tenant_a.org.slug]), {"name": "Growth", "kind": "team"})
    body = client.get(audit_url(tenant_a)).content.decode()
    assert "team.create" in body and "Growth" in body and tenant_a.users["admin"].email in body


@pytest.mark.django_db
def test_the_log_filters_by_action_family_actor_and_dates(as_role, tenant_a):
    admin, owner = tenant_a.users["admin"], tenant_a.users["owner"]
    event(tenant_a, "team.create", "made Growth", actor=admin)
    event(tenant_a, "person.update", "renamed Ann", actor=owner, days_ago=10)
    event(tenant_a, "people.import", "imported acme.csv", actor=admin, days_ago=40)
    client = as_role("owner")
    body = client.get(audit_url(tenant_a), {"action": "team"}).content.decode()
    assert "made Growth" in body and "renamed Ann" not in body
    body = client.get(audit_url(tenant_a), {"actor": owner.pk}).content.decode()
    assert "renamed Ann" in body and "made Growth" not in body
    since = (timezone.localdate() - timedelta(days=20)).isoformat()
    until = (timezone.localdate() - timedelta(days=5)).isoformat()
    body = client.get(audit_url(tenant_a), {"since": since, "until": until}).content.decode()
    assert "renamed Ann" in body and "made Growth" not in body and "imported acme.csv" not in body


@pytest.mark.django_db
def test_the_log_is_paginated_newest_first(as_role, tenant_a):
    for i in range(60):
        event(tenant_a, "team.create", f"event number {i:02d}", days_ago=60 - i)
    body = as_role("admin").get(audit_url(tenant_a)).content.decode()
    assert "event number 59" in body and "event number 05" not in body
    assert body.index("event number 59") < body.index("event number 58")
    assert "Page 1 of 2" in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_roles_below_admin_get_403(as_role, tenant_a, role):
    assert as_role(role).get(audit_url(tenant_a)).status_code == 403


@pytest.mark.django_db
def test_another_organizations_events_never_show(as_role, tenant_a, tenant_b):
    event(tenant_b, "team.create", "Bravo private change")
    client = as_role("owner")
    assert "Bravo private change" not in client.get(audit_url(tenant_a)).content.decode()
    assert client.get(audit_url(tenant_b)).status_code == 404
