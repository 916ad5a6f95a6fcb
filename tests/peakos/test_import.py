"""Importing people and teams from CSV: what gets created and updated, idempotence, full sync."""

import io

import pytest

from peakos.models import AuditEvent, Person, Team, TeamKind
from peakos.orgadmin.peoplecsv import export_people_csv
from peakos.tenancy import org_scope
from tests.peakos.importing import csv_file, run_import, snapshot

COMPANY = csv_file(
    "ceo@acme.example,Cleo Exec,Leadership,,,executive",
    "sales.head@acme.example,Sam Seller,Sales,Leadership,ceo@acme.example,director",
    "rep@acme.example,Rita Rep,Inside Sales,Sales,sales.head@acme.example,individual",
    "eng.head@acme.example,Eve Engineer,Engineering,Leadership,ceo@acme.example,Director",
    "dev@acme.example,Dev Null,Platform,Engineering,eng.head@acme.example,Individual contributor",
    header="email,name,team,parent_team,manager_email,layer,location",
)


def company(extra_location: str = "Berlin") -> str:
    lines = COMPANY.strip().split("\n")
    return "\n".join([lines[0]] + [f"{line},{extra_location}" for line in lines[1:]]) + "\n"


def people(org):
    return {p.email: p for p in Person.objects.filter(organization=org).select_related("team", "manager")}


@pytest.mark.django_db
def test_import_creates_the_team_tree_people_managers_and_attributes(tenant_a):
    org = tenant_a.org
    plan = run_import(org, company(), actor=tenant_a.users["admin"], filename="acme.csv")
    assert plan.summary() == {
        "rows": 5,
        "created": 5,
        "updated": 0,
        "deactivated": 0,
        "unchanged": 0,
        "teams_created": 5,
        "teams_moved": 0,
        "leads_set": 0,
    }
    teams = {t.name: t for t in Team.objects.filter(organization=org).select_related("parent")}
    assert teams["Leadership"].parent is None and teams["Leadership"].kind == TeamKind.LEADERSHIP
    assert teams["Sales"].parent == teams["Leadership"] and teams["Sales"].kind == TeamKind.DEPARTMENT
    assert teams["Inside Sales"].parent == teams["Sales"] and teams["Inside Sales"].kind == TeamKind.TEAM
    found = people(org)
    assert found["rep@acme.example"].manager.email == "sales.head@acme.example"
    assert found["rep@acme.example"].team.name == "Inside Sales"
    assert found["eng.head@acme.example"].layer == "director"
    assert found["dev@acme.example"].layer == "individual"
    assert found["dev@acme.example"].attributes == {"location": "Berlin"}
    event = AuditEvent.objects.get(organization=org, action="people.import")
    assert event.actor == tenant_a.users["admin"]
    assert "acme.csv: 5 created" in event.summary


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(tenant_a):
    run_import(tenant_a.org, company())
    before = snapshot(tenant_a.org)
    plan = run_import(tenant_a.org, company())
    assert not plan.has_changes
    assert plan.unchanged == 5
    assert snapshot(tenant_a.org) == before


@pytest.mark.django_db
def test_an_updated_file_updates_by_email_and_reports_what_changed(tenant_a):
    run_import(tenant_a.org, company())
    updated = (
        company()
        .replace(
            "Rita Rep,Inside Sales,Sales,sales.head@acme.example,individual,Berlin",
            "Rita Reppington,Inside Sales,Sales,ceo@acme.example,lead,Lisbon",
        )
        .replace("Platform,Engineering", "Platform,Sales")
    )
    plan = run_import(tenant_a.org, updated)
    assert (plan.summary()["updated"], plan.summary()["created"], plan.summary()["teams_moved"]) == (1, 0, 1)
    lines = plan.change_lines()
    assert "team Platform: parent Engineering → Sales" in lines
    assert (
        "rep@acme.example: name: Rita Rep → Rita Reppington; manager: sales.head@acme.example → ceo@acme.example; "
        "layer: individual → lead; location: Berlin → Lisbon" in lines
    )
    rita = people(tenant_a.org)["rep@acme.example"]
    assert (rita.name, rita.manager.email, rita.layer, rita.attributes) == (
        "Rita Reppington",
        "ceo@acme.example",
        "lead",
        {"location": "Lisbon"},
    )
    assert Team.objects.get(organization=tenant_a.org, name="Platform").parent.name == "Sales"


@pytest.mark.django_db
def test_people_missing_from_the_file_are_deactivated_only_when_asked(tenant_a):
    run_import(tenant_a.org, company())
    shorter = "\n".join(line for line in company().split("\n") if "dev@acme.example" not in line)
    plan = run_import(tenant_a.org, shorter)
    assert plan.summary()["deactivated"] == 0
    assert people(tenant_a.org)["dev@acme.example"].active

    plan = run_import(tenant_a.org, shorter, deactivate_missing=True)
    everyone_else = {p.email for p in tenant_a.people} | {"dev@acme.example"}
    assert {email for _, email, _ in plan.people_to_deactivate} == everyone_else
    found = people(tenant_a.org)
    assert not found["dev@acme.example"].active
    assert not found[tenant_a.people[0].email].active
    assert found["rep@acme.example"].active


@pytest.mark.django_db
def test_a_deactivated_person_in_the_file_is_reactivated(tenant_a):
    run_import(tenant_a.org, company())
    Person.objects.filter(email="rep@acme.example").update(active=False)
    plan = run_import(tenant_a.org, company())
    assert plan.change_lines() == ["rep@acme.example: active: no → yes"]
    assert people(tenant_a.org)["rep@acme.example"].active


@pytest.mark.django_db
def test_an_empty_attribute_cell_removes_it_and_other_attributes_stay(tenant_a):
    run_import(tenant_a.org, company())
    Person.objects.filter(email="dev@acme.example").update(attributes={"location": "Berlin", "badge": "42"})
    plan = run_import(
        tenant_a.org,
        company().replace(
            "eng.head@acme.example,Individual contributor,Berlin", "eng.head@acme.example,Individual contributor,"
        ),
    )
    assert plan.change_lines() == ["dev@acme.example: location: Berlin → (none)"]
    assert people(tenant_a.org)["dev@acme.example"].attributes == {"badge": "42"}


@pytest.mark.django_db
def test_headers_are_matched_loosely_and_semicolons_and_a_bom_are_understood(tenant_a):
    text = "\ufeffE-mail;Name;Team;Parent Team;Manager E-mail;LAYER\nann@a.example;Ann;Alpha Team;;;Team lead\n"
    plan = run_import(tenant_a.org, text)
    assert plan.summary()["created"] == 1
    ann = people(tenant_a.org)["ann@a.example"]
    assert (ann.team, ann.layer) == (tenant_a.team, "lead")


@pytest.mark.django_db
def test_team_names_match_existing_teams_whatever_their_case(tenant_a):
    plan = run_import(tenant_a.org, csv_file("ann@a.example,Ann,alpha team,,,"))
    assert plan.summary()["teams_created"] == 0
    assert people(tenant_a.org)["ann@a.example"].team == tenant_a.team


@pytest.mark.django_db
def test_an_empty_parent_team_leaves_an_existing_team_where_it_is(tenant_a):
    run_import(tenant_a.org, csv_file("ann@a.example,Ann,Alpha Subteam,,,"))
    assert Team.objects.get(pk=tenant_a.subteam.pk).parent == tenant_a.team


@pytest.mark.django_db
def test_a_row_with_only_a_team_declares_an_empty_team(tenant_a):
    plan = run_import(tenant_a.org, csv_file(",,Research,Alpha Department,,"))
    assert plan.summary()["teams_created"] == 1 and plan.summary()["created"] == 0
    assert Team.objects.get(organization=tenant_a.org, name="Research").parent == tenant_a.department


@pytest.mark.django_db
def test_the_import_touches_only_its_own_organization(tenant_a, tenant_b):
    before_b = snapshot(tenant_b.org)
    shared = tenant_b.people[1].email  # the same address may exist in both organizations
    run_import(tenant_a.org, csv_file(f"{shared},Same Address,Alpha Team,,,"), deactivate_missing=True)
    assert snapshot(tenant_b.org) == before_b
    assert Person.objects.get(organization=tenant_a.org, email=shared).name == "Same Address"


@pytest.mark.django_db
def test_formula_cells_are_escaped_on_export_and_read_back_unchanged(tenant_a):
    run_import(tenant_a.org, csv_file("ann@a.example,'=HYPERLINK(x),Alpha Team,,,"))
    assert people(tenant_a.org)["ann@a.example"].name == "=HYPERLINK(x)"
    out = io.StringIO()
    with org_scope(tenant_a.org):
        export_people_csv(tenant_a.org, out)
    assert "ann@a.example,'=HYPERLINK(x)" in out.getvalue()
