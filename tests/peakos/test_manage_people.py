"""The people screen: searchable, paginated, fast at size; add, edit, deactivate; bulk actions."""

import pytest
from django.urls import reverse

from peakos.models import AuditEvent, Person


def people_url(tenant):
    return reverse("manage_people", args=[tenant.org.slug])


def person_url(tenant, person):
    return reverse("manage_person", args=[tenant.org.slug, person.pk])


def bulk_url(tenant):
    return reverse("manage_people_bulk", args=[tenant.org.slug])


def person_form(person, **overrides):
    data = {
        "email": person.email,
        "name": person.name,
        "team": person.team_id or "",
        "manager_email": person.manager.email if person.manager else "",
        "layer": person.layer,
        "active": "on" if person.active else "",
        "attributes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != "" or k in ("team", "manager_email", "attributes")}


def many_people(tenant, n):
    Person.objects.bulk_create(
        Person(organization=tenant.org, email=f"bulk{i:05d}@alpha.example", name=f"Zed {i:05d}", team=tenant.team)
        for i in range(n)
    )


@pytest.mark.django_db
def test_the_list_searches_by_name_or_email(as_role, tenant_a):
    client = as_role("admin")
    body = client.get(people_url(tenant_a), {"q": "person 3"}).content.decode()
    assert "p3@alpha.example" in body and "p2@alpha.example" not in body
    body = client.get(people_url(tenant_a), {"q": "P2@ALPHA"}).content.decode()
    assert "Alpha Person 2" in body and "Alpha Person 3" not in body


@pytest.mark.django_db
def test_the_list_filters_by_team_layer_and_status(as_role, tenant_a):
    Person.objects.filter(pk=tenant_a.people[2].pk).update(active=False)
    client = as_role("admin")
    body = client.get(people_url(tenant_a), {"team": tenant_a.team.pk}).content.decode()
    assert "Alpha Manager Person" in body and "Alpha Person 0" not in body
    body = client.get(people_url(tenant_a), {"layer": "manager"}).content.decode()
    assert "Alpha Manager Person" in body and "Alpha Person 2" not in body
    assert "Alpha Person 1" not in client.get(people_url(tenant_a)).content.decode()
    assert "Alpha Person 1" in client.get(people_url(tenant_a), {"status": "inactive"}).content.decode()


@pytest.mark.django_db
def test_the_list_is_paginated_and_takes_the_same_queries_at_any_size(as_role, tenant_a, django_assert_max_num_queries):
    many_people(tenant_a, 2000)
    client = as_role("admin")
    # A fixed budget whatever the size: session, user, organization, membership, the two-factor
    # check, the count, the page's people, their logins, the team filter and tree, and the
    # first request's session write (savepoint, update, release).
    with django_assert_max_num_queries(13):
        response = client.get(people_url(tenant_a), {"page": 3})
    body = response.content.decode()
    assert "Page 3 of 41" in body and body.count('name="people"') == 50
    assert "Zed 00100" in body  # names sort: "Alpha …" first, then page 3 starts at Zed 00094


@pytest.mark.django_db
def test_admin_adds_a_person_with_a_manager_and_attributes(as_role, tenant_a):
    manager = tenant_a.people[0]
    response = as_role("admin").post(
        reverse("manage_person_new", args=[tenant_a.org.slug]),
        {
            "email": "New.Hire@Alpha.example",
            "name": "New Hire",
            "team": tenant_a.subteam.pk,
            "manager_email": manager.email,
            "layer": "individual",
            "attributes": "location: Berlin\nstart: 2026-01-05",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(organization=tenant_a.org, email="new.hire@alpha.example")
    assert (person.team, person.manager, person.attributes) == (
        tenant_a.subteam,
        manager,
        {"location": "Berlin", "start": "2026-01-05"},
    )
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="person.create").exists()


@pytest.mark.django_db
def test_an_email_already_taken_or_an_unknown_manager_re_renders(as_role, tenant_a):
    client = as_role("admin")
    url = reverse("manage_person_new", args=[tenant_a.org.slug])
    response = client.post(url, {"email": tenant_a.people[1].email.upper(), "name": "Dup", "layer": "individual"})
    assert "is already a person of Alpha Corp" in response.content.decode()
    response = client.post(
        url, {"email": "x@alpha.example", "name": "X", "layer": "individual", "manager_email": "ghost@alpha.example"}
    )
    assert "No person with the e-mail ghost@alpha.example" in response.content.decode()
    assert not Person.objects.filter(name__in=["Dup", "X"]).exists()


@pytest.mark.django_db
def test_admin_edits_and_deactivates_a_person(as_role, tenant_a):
    person = tenant_a.people[2]
    response = as_role("admin").post(
        person_url(tenant_a, person), person_form(person, name="Renamed", layer="lead", active="")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.layer, person.active) == ("Renamed", "lead", False)
    event = AuditEvent.objects.get(organization=tenant_a.org, action="person.update")
    assert set(event.data["changed"]) == {"name", "layer", "active"}


@pytest.mark.django_db
def test_a_manager_loop_is_refused_on_edit(as_role, tenant_a):
    boss, report = tenant_a.people[1], tenant_a.people[2]
    report.manager = boss
    report.save()
    response = as_role("admin").post(person_url(tenant_a, boss), person_form(boss, manager_email=report.email))
    assert "that would be a manager loop" in response.content.decode()
    boss.refresh_from_db()
    assert boss.manager is None


@pytest.mark.django_db
def test_bulk_actions_deactivate_move_and_set_layer(as_role, tenant_a):
    client = as_role("admin")
    ids = [tenant_a.people[1].pk, tenant_a.people[2].pk]
    client.post(bulk_url(tenant_a), {"people": ids, "action": "move", "team": tenant_a.other_team.pk})
    client.post(bulk_url(tenant_a), {"people": ids, "action": "layer", "layer": "lead"})
    client.post(bulk_url(tenant_a), {"people": ids, "action": "deactivate"})
    rows = set(Person.objects.filter(pk__in=ids).values_list("team_id", "layer", "active"))
    assert rows == {(tenant_a.other_team.pk, "lead", False)}
    actions = set(AuditEvent.objects.filter(organization=tenant_a.org).values_list("action", flat=True))
    assert {"people.bulk_move", "people.bulk_layer", "people.bulk_deactivate"} <= actions


@pytest.mark.django_db
def test_bulk_set_manager_refuses_a_loop(as_role, tenant_a):
    boss, report = tenant_a.people[1], tenant_a.people[2]
    report.manager = boss
    report.save()
    response = as_role("admin").post(
        bulk_url(tenant_a), {"people": [boss.pk], "action": "manager", "manager_email": report.email}, follow=True
    )
    assert "reports to one of them" in response.content.decode()
    boss.refresh_from_db()
    assert boss.manager is None


@pytest.mark.django_db
def test_bulk_without_a_selection_says_so(as_role, tenant_a):
    response = as_role("admin").post(bulk_url(tenant_a), {"action": "deactivate"}, follow=True)
    assert "Select at least one person." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_roles_below_admin_get_403(as_role, tenant_a, role):
    client = as_role(role)
    person = tenant_a.people[1]
    assert client.get(people_url(tenant_a)).status_code == 403
    assert client.get(person_url(tenant_a, person)).status_code == 403
    assert client.post(person_url(tenant_a, person), person_form(person, name="Nope")).status_code == 403
    assert client.post(bulk_url(tenant_a), {"people": [person.pk], "action": "deactivate"}).status_code == 403
    person.refresh_from_db()
    assert person.active and person.name != "Nope"


@pytest.mark.django_db
def test_another_organizations_people_are_404_and_never_bulk_edited(as_role, tenant_a, tenant_b):
    client = as_role("owner")
    theirs = tenant_b.people[1]
    assert client.get(person_url(tenant_a, theirs)).status_code == 404
    assert client.post(person_url(tenant_a, theirs), person_form(theirs, name="Hacked")).status_code == 404
    response = client.post(bulk_url(tenant_a), {"people": [theirs.pk], "action": "deactivate"}, follow=True)
    assert "not in this organization" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.active and theirs.name != "Hacked"
    assert tenant_b.people[1].email not in client.get(people_url(tenant_a), {"status": "all"}).content.decode()
