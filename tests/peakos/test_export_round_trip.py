"""Export → import is a round trip that changes nothing."""

import io

import pytest

from peakos.models import Person, Team
from peakos.orgadmin.peoplecsv import export_people_csv
from peakos.tenancy import org_scope
from tests.factories import TeamFactory
from tests.peakos.importing import csv_file, run_import, snapshot


def export(org) -> str:
    out = io.StringIO()
    with org_scope(org):
        export_people_csv(org, out)
    return out.getvalue()


@pytest.mark.django_db
def test_export_then_import_changes_nothing(tenant_a):
    org = tenant_a.org
    # A richer organization: attributes, managers, a deactivated manager, an empty team, an archived team.
    run_import(
        org,
        csv_file(
            "boss@a.example,Bo Boss,Alpha Leadership,,,executive,Berlin,",
            "mid@a.example,Mia Middle,Alpha Team,Alpha Department,boss@a.example,manager,,2021-04-01",
            "ic@a.example,Ian Contributor,Alpha Subteam,Alpha Team,mid@a.example,individual,Lisbon,2024-01-15",
            header="email,name,team,parent_team,manager_email,layer,location,start date",
        ),
    )
    Person.objects.filter(email="boss@a.example").update(active=False)
    TeamFactory(organization=org, name="Empty Research", parent=tenant_a.department)
    TeamFactory(organization=org, name="Old Team", parent=tenant_a.department, archived=True)
    Person.objects.filter(pk=tenant_a.people[0].pk).update(attributes={"level": 3})  # not a string
    before = snapshot(org)

    exported = export(org)
    plan = run_import(org, exported, deactivate_missing=True)

    assert plan.change_lines() == []
    assert snapshot(org) == before
    assert export(org) == exported


@pytest.mark.django_db
def test_the_export_has_the_import_columns_and_one_row_per_active_person(tenant_a):
    Person.objects.filter(pk=tenant_a.people[1].pk).update(active=False, attributes={"site": "Oslo"})
    Person.objects.filter(pk=tenant_a.people[2].pk).update(attributes={"site": "Rome"})
    lines = export(tenant_a.org).splitlines()
    assert lines[0] == "email,name,team,parent_team,manager_email,layer,language,site"
    emails = [line.split(",")[0] for line in lines[1:] if line.split(",")[0]]
    active = Person.objects.filter(organization=tenant_a.org, active=True).count()
    assert len(emails) == active and tenant_a.people[1].email not in emails
    assert f"{tenant_a.people[2].email},Alpha Person 1,Alpha Department,Alpha Leadership,,individual,,Rome" in lines


@pytest.mark.django_db
def test_teams_without_people_get_a_row_so_the_tree_survives(tenant_a):
    Team.objects.create(organization=tenant_a.org, name="Lab", parent=tenant_a.other_team)
    assert ",,Lab,Alpha Other Team,,," in export(tenant_a.org).splitlines()
