"""The HRIS sync of the REST API: a bulk upsert of people by e-mail, all or nothing.

It is the people CSV import (peakos/orgadmin/importer.py) fed with JSON: each row is
written as a CSV line and the importer parses, checks and applies the whole request,
so the API and the browser import share one set of rules — people matched by e-mail,
teams by name (created when missing), managers in the request or the directory, no
manager loops, set-based writes in one transaction. What is left here is what JSON
adds: checking value types, and turning the importer's row errors back into the
request's row indexes.
"""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError

from peakos.models import Organization, Person
from peakos.orgadmin.importer import CsvImportError, import_people, preview_import
from peakos.orgadmin.peoplecsv import EXPORT_COLUMNS, RESERVED_COLUMNS, RowError, escape_cell, normalize_header

MAX_UPSERT_ROWS = 10_000
TEXT_FIELDS = ("email", "name", "team", "parent_team", "manager_email", "layer", "language", "lead_email")
# Written after EXPORT_COLUMNS: unlike the other fields, a lead left out leaves the team's lead alone
# (a team has many rows; one person's record should not unset it).
EXTRA_COLUMNS = ("lead_email",)
ROW_FIELDS = frozenset({*TEXT_FIELDS, "attributes"})
FIRST_ROW = 2  # CSV line of the first person (line 1 is the header)


class InvalidRowsError(ValidationError):
    """Some rows of a bulk request are invalid; ``api_errors`` lists them (the API's 400 body)."""

    def __init__(self, rows: list[dict], total: int):
        self.rows = rows
        self.api_errors = {"rows": rows}
        super().__init__(f"{len(rows)} of {total} rows are invalid; nothing was changed.")


def _cell(value) -> str:
    return "" if value is None else str(value)


def _check_types(raw) -> dict[str, list[str]]:
    """What JSON can get wrong that a CSV cannot: value types, unknown fields, line breaks."""
    errors: dict[str, list[str]] = {}
    if not isinstance(raw, dict):
        return {"non_field_errors": ["Each row is an object with at least email and name."]}
    for key in sorted(set(raw) - ROW_FIELDS):
        errors.setdefault(key, []).append(f"Unknown field; use {', '.join(sorted(ROW_FIELDS))}.")
    if not isinstance(raw.get("email"), str) or not raw["email"].strip():
        errors.setdefault("email", []).append("An e-mail address is required.")
    for key in TEXT_FIELDS:
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            errors.setdefault(key, []).append("Give this as text (or null).")
        elif isinstance(value, str) and ("\n" in value or "\r" in value):
            errors.setdefault(key, []).append("Keep this on one line.")
    attributes = raw.get("attributes")
    if attributes is not None:
        if not isinstance(attributes, dict):
            errors.setdefault("attributes", []).append("Attributes are an object of names to text values.")
        else:
            for name, value in attributes.items():
                key = normalize_header(name)
                if not key or key in RESERVED_COLUMNS:
                    errors.setdefault("attributes", []).append(f"“{name}” cannot be an attribute name.")
                elif isinstance(value, dict | list) or "\n" in _cell(value) or "\r" in _cell(value):
                    errors.setdefault("attributes", []).append(f"“{name}”: give a one-line text value (or null).")
    return errors


def rows_to_csv(rows: list[dict]) -> str:
    """The request as the importer's CSV: one line per row, in order, cells escaped as the export does."""
    attribute_columns: dict[str, str] = {}  # normalized -> first spelling
    for raw in rows:
        for name in raw.get("attributes") or {}:
            attribute_columns.setdefault(normalize_header(name), name)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # Always with the language column: a row is the whole record, so a language left out is
    # the organization's default, as a layer left out is "individual".
    writer.writerow([*EXPORT_COLUMNS, *EXTRA_COLUMNS, *attribute_columns.values()])
    for raw in rows:
        attributes = {normalize_header(k): v for k, v in (raw.get("attributes") or {}).items()}
        cells = [_cell(raw.get(column)) for column in (*EXPORT_COLUMNS, *EXTRA_COLUMNS)]
        # An attribute a row does not name is left alone, not removed (empty cells remove): the
        # importer merges attributes, so send its current value.
        cells += [_cell(attributes.get(key, "")) for key in attribute_columns]
        writer.writerow([escape_cell(c.strip()) for c in cells])
    return out.getvalue()


def bulk_upsert_people(*, organization: Organization, actor, rows, deactivate_missing: bool = False) -> dict:
    """Create or update people by e-mail; all or nothing. Returns the counts and each row's result.

    A row is a person's whole record, as a line of the CSV import: ``email`` and ``name``;
    ``team`` (by name, created when missing, under ``parent_team`` if given), ``manager_email``,
    ``layer`` and ``language`` are cleared or reset (no team, no manager, individual, the
    organization's default language) when left out; ``lead_email`` makes someone the lead of the
    row's team (left out: the lead stays); ``attributes`` are merged
    (an empty value removes one). People in the request are active again;
    ``deactivate_missing`` deactivates active people absent from it (a full HRIS export).
    """
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"people": "Send a non-empty list of people."})
    if len(rows) > MAX_UPSERT_ROWS:
        raise ValidationError({"people": f"At most {MAX_UPSERT_ROWS} people per request; split the list."})
    errors = {i: found for i, raw in enumerate(rows) if (found := _check_types(raw))}
    if errors:
        # Still run the importer's checks on what is usable, so one answer lists every problem.
        text = rows_to_csv([_usable(raw) for raw in rows])
        _merge(errors, preview_import(organization, text, deactivate_missing=deactivate_missing).errors)
        raise InvalidRowsError([_row_error(rows, i, e) for i, e in sorted(errors.items())], total=len(rows))
    try:
        plan = import_people(
            organization=organization,
            text=rows_to_csv(_with_existing_attributes(organization, rows)),
            actor=actor,
            filename="REST API bulk upsert",
            deactivate_missing=deactivate_missing,
        )
    except CsvImportError as exc:
        _merge(errors, exc.row_errors)
        raise InvalidRowsError([_row_error(rows, i, e) for i, e in sorted(errors.items())], total=len(rows))
    created = {p.email for p in plan.people_to_create}
    updated = {u.source.email for u in plan.people_to_update}
    ids = dict(Person.objects.filter(organization=organization).values_list("email", "id"))
    results = []
    for index, raw in enumerate(rows):
        email = raw["email"].strip().lower()
        outcome = "created" if email in created else "updated" if email in updated else "unchanged"
        results.append({"index": index, "email": email, "id": ids[email], "result": outcome})
    summary = plan.summary()
    return {
        "created": summary["created"],
        "updated": summary["updated"],
        "unchanged": summary["unchanged"],
        "deactivated": summary["deactivated"],
        "teams_created": summary["teams_created"],
        "teams_moved": summary["teams_moved"],
        "leads_set": summary["leads_set"],
        "results": results,
    }


def _with_existing_attributes(organization: Organization, rows: list[dict]) -> list[dict]:
    """Rows whose missing attribute columns carry the person's current value (so nothing is removed
    by another row's column); attributes the row names are kept as given."""
    columns = {normalize_header(name) for raw in rows for name in raw.get("attributes") or {}}
    if not columns:
        return rows
    current = {
        email: attrs or {}
        for email, attrs in Person.objects.filter(organization=organization).values_list("email", "attributes")
    }
    out = []
    for raw in rows:
        given = raw.get("attributes") or {}
        named = {normalize_header(k) for k in given}
        existing = current.get(raw["email"].strip().lower(), {})
        keep = {k: v for k, v in existing.items() if normalize_header(k) in columns - named}
        out.append({**raw, "attributes": {**keep, **given}})
    return out


def _usable(raw) -> dict:
    """A row without its ill-typed values, for the importer's checks of the rest."""
    if not isinstance(raw, dict):
        return {}
    row = {k: v for k in TEXT_FIELDS if isinstance(v := raw.get(k), str) and "\n" not in v and "\r" not in v}
    if isinstance(raw.get("attributes"), dict) and not _check_types({"email": "x", "attributes": raw["attributes"]}):
        row["attributes"] = raw["attributes"]
    return row


def _merge(errors: dict[int, dict[str, list[str]]], row_errors: list[RowError]) -> None:
    """Add the importer's errors (CSV line, column) to ``errors`` (request index, field)."""
    for error in row_errors:
        field = error.column if error.column in TEXT_FIELDS else "attributes" if error.column else "non_field_errors"
        messages = errors.setdefault(max(error.row - FIRST_ROW, 0), {}).setdefault(field, [])
        if error.message not in messages:
            messages.append(error.message)


def _row_error(rows: list, index: int, errors: dict[str, list[str]]) -> dict:
    raw = rows[index] if index < len(rows) else None
    email = raw.get("email") if isinstance(raw, dict) and isinstance(raw.get("email"), str) else None
    return {"index": index, "email": email, "errors": errors}
