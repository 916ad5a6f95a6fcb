"""Helpers for the CSV import tests: write a file, and take a snapshot of what an import may touch."""

from __future__ import annotations

from peakos.models import AuditEvent, Person, Team
from peakos.orgadmin import importer
from peakos.orgadmin.peoplecsv import REQUIRED_COLUMNS
from peakos.tenancy import org_scope

HEADER = ",".join(REQUIRED_COLUMNS)


def csv_file(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def snapshot(org) -> dict:
    """Every field an import writes, for the organization's people and teams."""
    return {
        "people": sorted(
            Person.objects.filter(organization=org).values_list(
                "id",
                "email",
                "name",
                "team_id",
                "manager_id",
                "layer",
                "language",
                "active",
                "attributes",
                "updated_at",
            )
        ),
        "teams": sorted(
            Team.objects.filter(organization=org).values_list("id", "name", "kind", "parent_id", "lead_id", "archived")
        ),
    }


def audit_count(org) -> int:
    return AuditEvent.objects.filter(organization=org).count()


def run_import(org, text: str, **kwargs) -> importer.Plan:
    with org_scope(org):
        return importer.import_people(organization=org, text=text, **kwargs)


def import_errors(org, text: str, **kwargs) -> list[str]:
    """Import a bad file; assert it changed nothing and return its error lines."""
    before, events = snapshot(org), audit_count(org)
    try:
        run_import(org, text, **kwargs)
    except importer.CsvImportError as exc:
        errors = [str(e) for e in exc.row_errors]
    else:
        raise AssertionError("the import was expected to fail")
    assert snapshot(org) == before, "a failed import changed the database"
    assert audit_count(org) == events
    return errors


def people_import_for(tenant):
    """A previewed upload of the tenant (the isolation harness's source for ``import_id``)."""
    from peakos.models import PeopleImport

    return PeopleImport.objects.create(
        organization=tenant.org,
        filename="people.csv",
        content=csv_file(f"{tenant.people[1].email},{tenant.people[1].name},{tenant.team.name},,,"),
        fingerprint="0" * 64,
    )
