"""/api/v1/people/: list, create, update, deactivate; admins write, leaders read, others are refused."""

import pytest

from peakos.models import AuditEvent, Person

pytestmark = pytest.mark.django_db


def test_leaders_list_the_people_of_their_organization_only(api, tenant_a, tenant_b):
    response = api("leader").get("/api/v1/people/?page_size=100")
    assert response.status_code == 200
    emails = {p["email"] for p in response.json()["results"]}
    assert emails == {p.email for p in tenant_a.people}


def test_people_filter_by_team_and_order_by_email(api, tenant_a):
    response = api("leader").get(f"/api/v1/people/?team={tenant_a.team.pk}&ordering=-email")
    emails = [p["email"] for p in response.json()["results"]]
    assert emails == sorted((p.email for p in tenant_a.people if p.team_id == tenant_a.team.pk), reverse=True)


def test_member_tokens_may_not_read_people(api, tenant_a):
    assert api("member").get("/api/v1/people/").status_code == 403


def test_an_admin_token_adds_a_person(api, tenant_a):
    response = api("admin").post(
        "/api/v1/people/",
        {"email": "Nia.Okafor@Alpha.example", "name": "Nia Okafor", "team": tenant_a.team.pk, "layer": "lead"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "nia.okafor@alpha.example"
    assert body["team_name"] == "Alpha Team"
    person = Person.objects.get(pk=body["id"])
    assert person.organization == tenant_a.org
    assert AuditEvent.objects.filter(action="person.create", object_id=str(person.pk)).exists()


def test_a_leader_token_may_not_add_people(api, tenant_a):
    response = api("leader").post("/api/v1/people/", {"email": "x@alpha.example", "name": "X"}, format="json")
    assert response.status_code == 403
    assert not Person.objects.filter(email="x@alpha.example").exists()


def test_adding_an_email_already_in_the_directory_is_a_field_error(api, tenant_a):
    taken = tenant_a.people[1].email.upper()
    response = api("admin").post("/api/v1/people/", {"email": taken, "name": "Twin"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "already a person of Alpha Corp" in response.json()["errors"]["email"][0]


def test_a_team_of_another_organization_is_not_found(api, tenant_a, tenant_b):
    response = api("admin").post(
        "/api/v1/people/", {"email": "x@alpha.example", "name": "X", "team": tenant_b.team.pk}, format="json"
    )
    assert response.status_code == 400
    assert "team" in response.json()["errors"]
    assert "Bravo" not in response.content.decode()


def test_an_admin_moves_a_person_to_another_team(api, tenant_a):
    person = tenant_a.people[1]
    response = api("admin").patch(f"/api/v1/people/{person.pk}/", {"team": tenant_a.other_team.pk}, format="json")
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.team == tenant_a.other_team


def test_a_person_cannot_manage_themselves(api, tenant_a):
    person = tenant_a.people[1]
    response = api("admin").patch(f"/api/v1/people/{person.pk}/", {"manager": person.pk}, format="json")
    assert response.status_code == 400
    assert "manager" in response.json()["errors"]


def test_deactivating_keeps_the_person_but_marks_them_inactive(api, tenant_a):
    person = tenant_a.people[2]
    client = api("admin")
    response = client.post(f"/api/v1/people/{person.pk}/deactivate/")
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert client.post(f"/api/v1/people/{person.pk}/deactivate/").status_code == 200  # twice: no change
    assert AuditEvent.objects.filter(action="person.deactivate", object_id=str(person.pk)).count() == 1
    assert client.get("/api/v1/people/?active=false").json()["count"] == 1


def test_people_of_another_organization_are_404(api, tenant_b):
    client = api("admin")
    other = tenant_b.people[1]
    assert client.get(f"/api/v1/people/{other.pk}/").status_code == 404
    assert client.patch(f"/api/v1/people/{other.pk}/", {"name": "Hacked"}, format="json").status_code == 404
    assert client.post(f"/api/v1/people/{other.pk}/deactivate/").status_code == 404
    other.refresh_from_db()
    assert other.name != "Hacked" and other.active
