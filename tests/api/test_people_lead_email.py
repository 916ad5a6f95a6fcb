"""The HRIS sync's lead_email: who leads each team, with row-numbered errors for unknown people."""

import pytest

from peakos.models import Team

pytestmark = pytest.mark.django_db
URL = "/api/v1/people/bulk-upsert/"


def test_lead_email_sets_the_lead_of_the_rows_team(api, tenant_a):
    people = [
        {"email": "boss@alpha.example", "name": "Bo Boss", "team": "Growth", "lead_email": "boss@alpha.example"},
        {"email": "ivy@alpha.example", "name": "Ivy", "team": "Growth"},
    ]
    response = api("admin").post(URL, {"people": people}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["leads_set"] == 1
    team = Team.objects.select_related("lead").get(organization=tenant_a.org, name="Growth")
    assert team.lead.email == "boss@alpha.example"
    # A later request that leaves lead_email out leaves the lead alone.
    again = api("admin").post(URL, {"people": people[1:]}, format="json").json()
    assert again["leads_set"] == 0
    team.refresh_from_db()
    assert team.lead.email == "boss@alpha.example"


def test_an_unknown_lead_is_an_error_of_its_row_and_changes_nothing(api, tenant_a, tenant_b):
    before = Team.objects.get(pk=tenant_a.team.pk).lead_id
    people = [
        {"email": "ok@alpha.example", "name": "Ok", "team": tenant_a.team.name},
        {"email": "x@alpha.example", "name": "X", "team": tenant_a.team.name, "lead_email": tenant_b.people[1].email},
    ]
    response = api("admin").post(URL, {"people": people}, format="json")
    assert response.status_code == 400
    rows = response.json()["errors"]["rows"]
    assert [r["index"] for r in rows] == [1]
    assert "unknown team lead" in rows[0]["errors"]["lead_email"][0]
    assert Team.objects.get(pk=tenant_a.team.pk).lead_id == before
    assert not tenant_a.org.people.filter(email="ok@alpha.example").exists()


def test_a_malformed_lead_email_is_refused(api, tenant_a):
    people = [{"email": "y@alpha.example", "name": "Y", "team": "Ops", "lead_email": "not-an-address"}]
    response = api("admin").post(URL, {"people": people}, format="json")
    assert response.status_code == 400
    assert "lead_email" in response.json()["errors"]["rows"][0]["errors"]
