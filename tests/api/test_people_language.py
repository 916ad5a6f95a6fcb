"""A person's language through the API: the HRIS bulk upsert (a ``language`` per row, BCP 47),
one person's record, and the organization's languages."""

import pytest

from peakos.models import Organization, Person

pytestmark = pytest.mark.django_db


def language_of(org, email):
    return Person.objects.get(organization=org, email=email).language


BULK = "/api/v1/people/bulk-upsert/"


def test_the_bulk_upsert_takes_a_language_per_row(api, tenant_a):
    people = [
        {"email": "ana@alpha.example", "name": "Ana", "language": "pt-BR"},
        {"email": "bo@alpha.example", "name": "Bo", "language": "ja"},
        {"email": "cy@alpha.example", "name": "Cy"},
    ]
    response = api("admin").post(BULK, {"people": people}, format="json")
    assert response.status_code == 200, response.json()
    assert [language_of(tenant_a.org, p["email"]) for p in people] == ["pt-br", "ja", ""]


def test_the_bulk_upsert_names_the_row_with_a_bad_language_and_changes_nothing(api, tenant_a):
    Organization.objects.filter(pk=tenant_a.org.pk).update(languages=["en", "fr"], default_language="en")
    people = [
        {"email": "ana@alpha.example", "name": "Ana", "language": "fr"},
        {"email": "bo@alpha.example", "name": "Bo", "language": "de"},
    ]
    response = api("admin").post(BULK, {"people": people}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["rows"] == [
        {
            "index": 1,
            "email": "bo@alpha.example",
            "errors": {
                "language": [
                    "Alpha Corp does not offer “de”; its languages are en, fr (an admin can turn on more in Organization settings)"
                ]
            },
        }
    ]
    assert not Person.objects.filter(organization=tenant_a.org, email="ana@alpha.example").exists()


def test_a_person_reads_and_writes_its_language_through_the_api(api, tenant_a):
    client = api("admin")
    created = client.post(
        "/api/v1/people/", {"email": "ana@alpha.example", "name": "Ana", "language": "PT-br"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["language"] == "pt-BR"
    pid = created.json()["id"]
    bad = client.patch(f"/api/v1/people/{pid}/", {"language": "xx"}, format="json")
    assert bad.status_code == 400 and "language" in bad.json()["errors"]
    assert language_of(tenant_a.org, "ana@alpha.example") == "pt-br"
    assert client.patch(f"/api/v1/people/{pid}/", {"language": ""}, format="json").json()["language"] == ""
    assert client.get("/api/v1/organization/").json()["languages"][:2] == ["en", "de"]
