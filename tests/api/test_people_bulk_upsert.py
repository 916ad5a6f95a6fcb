"""POST /api/v1/people/bulk-upsert/: the HRIS sync. By e-mail, all or nothing, per-row errors.

The rules are the people CSV import's (peakos/orgadmin/importer.py): a row is a person's whole record.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peakos.models import AuditEvent, Person

pytestmark = pytest.mark.django_db
URL = "/api/v1/people/bulk-upsert/"


def rows(n, team="Alpha Team", start=0):
    return [{"email": f"hris{i}@alpha.example", "name": f"Hris Person {i}", "team": team} for i in range(start, n)]


def test_a_thousand_people_are_created_in_one_call(api, tenant_a):
    response = api("admin").post(URL, {"people": rows(1000)}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1000, 0, 0)
    assert len(body["results"]) == 1000
    assert Person.objects.filter(organization=tenant_a.org, email__startswith="hris").count() == 1000
    assert AuditEvent.objects.filter(action="people.import", summary__startswith="REST API").count() == 1


def test_the_same_request_twice_changes_nothing(api, tenant_a):
    client = api("admin")
    client.post(URL, {"people": rows(20)}, format="json")
    body = client.post(URL, {"people": rows(20)}, format="json").json()
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 20)


def test_writes_are_set_based_not_one_query_per_row(api, tenant_a):
    client = api("admin")
    client.post(URL, {"people": rows(400)}, format="json")
    renamed = [{**row, "name": row["name"] + " Jr"} for row in rows(400)]
    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, {"people": renamed + rows(800, start=400)}, format="json")
    assert response.json()["updated"] == 400 and response.json()["created"] == 400
    assert len(queries) < 40  # batches of bulk_create / bulk_update, not 800 statements


def test_existing_people_are_matched_by_email_in_any_case(api, tenant_a):
    person = tenant_a.people[1]
    row = {"email": person.email.upper(), "name": "Renamed", "team": "alpha team", "layer": "lead"}
    response = api("admin").post(URL, {"people": [row]}, format="json")
    assert response.json()["updated"] == 1
    assert response.json()["results"] == [{"index": 0, "email": person.email, "id": person.pk, "result": "updated"}]
    person.refresh_from_db()
    assert (person.name, person.layer, person.team) == ("Renamed", "lead", tenant_a.team)


def test_a_missing_team_is_created_under_its_parent(api, tenant_a):
    row = {"email": "new@alpha.example", "name": "New", "team": "Growth", "parent_team": "Alpha Department"}
    body = api("admin").post(URL, {"people": [row]}, format="json").json()
    assert body["teams_created"] == 1
    person = Person.objects.get(email="new@alpha.example")
    assert (person.team.name, person.team.parent) == ("Growth", tenant_a.department)


def test_attributes_are_merged_and_an_empty_value_removes_one(api, tenant_a):
    person = tenant_a.people[1]
    Person.objects.filter(pk=person.pk).update(attributes={"location": "Oslo", "badge": "7"})
    client = api("admin")
    rows_ = [
        {"email": person.email, "name": person.name, "team": person.team.name, "attributes": {"badge": ""}},
        {"email": "other@alpha.example", "name": "Other", "attributes": {"location": "Lisbon", "floor": 3}},
    ]
    assert client.post(URL, {"people": rows_}, format="json").status_code == 200
    person.refresh_from_db()
    assert person.attributes == {"location": "Oslo"}
    assert Person.objects.get(email="other@alpha.example").attributes == {"location": "Lisbon", "floor": "3"}


def test_a_manager_may_be_someone_created_in_the_same_request(api, tenant_a):
    people = [
        {"email": "report@alpha.example", "name": "Report", "manager_email": "boss@alpha.example"},
        {"email": "boss@alpha.example", "name": "Boss", "team": "Alpha Department"},
    ]
    assert api("admin").post(URL, {"people": people}, format="json").status_code == 200
    report = Person.objects.get(email="report@alpha.example")
    assert report.manager.email == "boss@alpha.example"


def test_one_bad_row_rejects_the_whole_request_with_every_row_error(api, tenant_a):
    people = [
        *rows(3),
        {"email": "not-an-email", "name": "X"},
        {"email": "ghost@alpha.example", "name": "Ghost", "layer": "boss"},
        {"email": "hris0@alpha.example", "name": "Twin"},
        {"email": "lost@alpha.example"},
        {"email": "self@alpha.example", "name": "S", "manager_email": "nobody@alpha.example", "salary": 1},
        {"email": "typed@alpha.example", "name": 42},
    ]
    response = api("admin").post(URL, {"people": people}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"] == "6 of 9 rows are invalid; nothing was changed."
    by_index = {r["index"]: r["errors"] for r in body["errors"]["rows"]}
    assert set(by_index) == {3, 4, 5, 6, 7, 8}
    assert "email" in by_index[3]
    assert set(by_index[4]) == {"layer"}
    assert "duplicate" in by_index[5]["email"][0]
    assert "name" in by_index[6]
    assert set(by_index[7]) == {"manager_email", "salary"}
    assert set(by_index[8]) == {"name"}
    assert not Person.objects.filter(email__startswith="hris").exists()


def test_a_manager_loop_is_refused(api, tenant_a):
    people = [
        {"email": "a@alpha.example", "name": "A", "manager_email": "b@alpha.example"},
        {"email": "b@alpha.example", "name": "B", "manager_email": "a@alpha.example"},
    ]
    response = api("admin").post(URL, {"people": people}, format="json")
    assert response.status_code == 400
    assert "manager loop" in response.json()["errors"]["rows"][0]["errors"]["manager_email"][0]


def test_people_of_another_organization_are_unknown_here(api, tenant_a, tenant_b):
    people = [{"email": "y@alpha.example", "name": "Y", "manager_email": tenant_b.people[1].email}]
    response = api("admin").post(URL, {"people": people}, format="json")
    assert response.status_code == 400
    assert "unknown manager" in response.json()["errors"]["rows"][0]["errors"]["manager_email"][0]
    assert "Bravo" not in response.content.decode()


def test_a_team_named_like_another_organizations_is_a_new_team_here(api, tenant_a, tenant_b):
    people = [{"email": "x@alpha.example", "name": "X", "team": tenant_b.team.name}]
    api("admin").post(URL, {"people": people}, format="json")
    person = Person.objects.get(email="x@alpha.example")
    assert person.team.organization == tenant_a.org and person.team != tenant_b.team


def test_deactivate_missing_deactivates_active_people_not_in_the_request(api, tenant_a):
    keep = tenant_a.people[0]
    row = {"email": keep.email, "name": keep.name, "team": keep.team.name, "layer": keep.layer}
    body = api("admin").post(URL, {"people": [row], "deactivate_missing": True}, format="json").json()
    assert body["deactivated"] == len(tenant_a.people) - 1
    assert list(Person.objects.filter(organization=tenant_a.org, active=True)) == [keep]


def test_people_in_the_request_are_active_again(api, tenant_a):
    person = tenant_a.people[1]
    Person.objects.filter(pk=person.pk).update(active=False)
    api("admin").post(URL, {"people": [{"email": person.email, "name": person.name}]}, format="json")
    person.refresh_from_db()
    assert person.active


@pytest.mark.parametrize(
    "payload",
    [{}, {"people": []}, {"people": "everyone"}, {"people": [1, 2]}, {"people": rows(1), "deactivate_missing": "yes"}],
)
def test_a_malformed_request_is_a_400_and_changes_nothing(api, tenant_a, payload):
    response = api("admin").post(URL, payload, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]
    assert not Person.objects.filter(email__startswith="hris").exists()


def test_leader_tokens_may_not_upsert(api, tenant_a):
    assert api("leader").post(URL, {"people": rows(1)}, format="json").status_code == 403
    assert not Person.objects.filter(email__startswith="hris").exists()
