"""Database-level tenant integrity for migrations.

A plain foreign key cannot say "the parent team is in the same organization".
A composite foreign key can: (organization_id, parent_id) must reference a row
whose (organization_id, id) matches. Each tenant table has a unique constraint
on (organization, id) to make that possible. PostgreSQL only (SQLite cannot add
constraints to an existing table); the embedded SQLite default relies on the
services' validation.
"""

from django.db import migrations


def same_organization_fk(table: str, column: str, ref_table: str) -> migrations.RunPython:
    """A migration operation adding FOREIGN KEY (organization_id, column) → ref_table (organization_id, id)."""
    name = f"{table}_{column}_same_org"[:63]

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" FOREIGN KEY ("organization_id", "{column}") '
            f'REFERENCES "{ref_table}" ("organization_id", "id") DEFERRABLE INITIALLY DEFERRED'
        )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"')

    return migrations.RunPython(forwards, backwards, elidable=False)
