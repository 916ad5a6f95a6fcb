"""The CSV's optional lead_email column: who leads each team (files its review, sees its results)."""

import pytest

from peakos.models import AuditEvent, Team
from tests.peakos.importing import csv_file, import_errors, run_import

HEADER = "email,name,team,parent_team,manager_email,layer,lead_email"
FILE = csv_file(
    "ceo@acme.example,Cleo Exec,Leadership,,,executive,ceo@acme.example",
    "head@acme.example,Sam Seller,Sales,Leadership,ceo@acme.example,manager,head@acme.example",
    "rep@acme.example,Rita Rep,Sales,,head@acme.example,individual,",
    header=HEADER,
)


def lead_of(org, name):
    team = Team.objects.select_related("lead").get(organization=org, name=name)
    return team.lead.email if team.lead else None


@pytest.mark.django_db
def test_lead_email_sets_the_team_lead_of_new_teams_and_is_idempotent(tenant_a):
    org = tenant_a.org
    plan = run_import(org, FILE, actor=tenant_a.users["admin"])
    assert plan.summary()["leads_set"] == 2
    assert lead_of(org, "Sales") == "head@acme.example" and lead_of(org, "Leadership") == "ceo@acme.example"
    assert "2 team leads set" in AuditEvent.objects.filter(action="people.import").first().summary
    again = run_import(org, FILE)
    assert not again.has_changes and again.summary()["leads_set"] == 0


@pytest.mark.django_db
def test_lead_email_changes_an_existing_teams_lead_to_someone_already_there(tenant_a):
    org = tenant_a.org
    existing = tenant_a.people[3]  # a person of the organization, not in the file
    text = csv_file(f"new@alpha.example,New One,{tenant_a.team.name},,,individual,{existing.email}", header=HEADER)
    plan = run_import(org, text)
    assert f"team {tenant_a.team.name}: lead {tenant_a.people[0].email} → {existing.email}" in plan.change_lines()
    assert lead_of(org, tenant_a.team.name) == existing.email


@pytest.mark.django_db
def test_a_file_without_the_column_or_an_empty_cell_leaves_leads_alone(tenant_a):
    org = tenant_a.org
    before = lead_of(org, tenant_a.team.name)
    run_import(org, csv_file(f"x@alpha.example,X,{tenant_a.team.name},,,"))
    run_import(org, csv_file(f"y@alpha.example,Y,{tenant_a.team.name},,,,", header=HEADER))
    assert lead_of(org, tenant_a.team.name) == before


@pytest.mark.django_db
def test_lead_errors_name_their_row_and_change_nothing(tenant_a, tenant_b):
    org = tenant_a.org
    errors = import_errors(
        org,
        csv_file(
            "a@acme.example,Ann,Sales,,,manager,nobody@acme.example",
            f"b@acme.example,Ben,Ops,,,manager,{tenant_b.people[1].email}",
            "c@acme.example,Cid,Sales,,,individual,a@acme.example",
            "d@acme.example,Dee,,,,individual,a@acme.example",
            "e@acme.example,Eve,Legal,,,individual,not-an-email",
            header=HEADER,
        ),
    )
    assert errors == [
        f"Row 2, column lead_email: unknown team lead “nobody@acme.example”: not in this file and not in {org.name}",
        f"Row 3, column lead_email: unknown team lead “{tenant_b.people[1].email}”: not in this file and not in "
        f"{org.name}",
        "Row 4, column lead_email: team “Sales” already has lead “nobody@acme.example” on row 2",
        "Row 5, column lead_email: a team lead is given but the team is empty",
        "Row 6, column lead_email: “not-an-email” is not a valid e-mail address",
    ]
