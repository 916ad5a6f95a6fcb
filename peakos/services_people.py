"""Writes of the people directory used by the REST API: create, update, deactivate, and the
bulk upsert by e-mail that HRIS syncs call.

The bulk upsert is all-or-nothing: every row is validated first (against the organization's
teams and people, loaded once) and if any row is invalid a ``InvalidRowsError`` error lists each
bad row with its messages and nothing changes. Otherwise it applies in one transaction with
set-based writes (``bulk_create`` / ``bulk_update``), a constant number of queries whatever
the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from peakos.models import Layer, Organization, Person, Team
from peakos.services import record_audit

MAX_UPSERT_ROWS = 10_000
UPSERT_FIELDS = frozenset({"email", "name", "team", "manager_email", "layer", "active", "attributes"})
NAME_MAX = Person._meta.get_field("name").max_length
RACE_MESSAGE = "These people were changed by another request at the same time; send the request again."


class InvalidRowsError(ValidationError):
    """Some rows of a bulk request are invalid; ``api_errors`` lists them (the API's 400 body)."""

    def __init__(self, rows: list[dict], total: int):
        self.rows = rows
        self.api_errors = {"rows": rows}
        super().__init__(f"{len(rows)} of {total} rows are invalid; nothing was changed.")


# --- One person ----------------------------------------------------------------------------------


def _check_person(*, organization: Organization, person: Person) -> None:
    """The invariants a single create/update must keep (the bulk path checks them set-wise)."""
    errors: dict[str, list[str]] = {}
    clash = Person.objects.filter(organization=organization, email__iexact=person.email)
    if person.pk:
        clash = clash.exclude(pk=person.pk)
    if clash.exists():
        errors.setdefault("email", []).append(f"{person.email} is already in the directory.")
    if person.team_id and person.team.archived:
        errors.setdefault("team", []).append("This team is archived.")
    if person.manager_id and person.pk and person.manager_id == person.pk:
        errors.setdefault("manager", []).append("A person cannot be their own manager.")
    if errors:
        raise ValidationError(errors)


def _save(person: Person) -> None:
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # The unique e-mail constraint caught a concurrent request the check above could not see.
        raise ValidationError({"email": [f"{person.email} is already in the directory."]})


@transaction.atomic
def create_person(
    *,
    organization: Organization,
    actor,
    email: str,
    name: str,
    team: Team | None = None,
    manager: Person | None = None,
    layer: str = Layer.INDIVIDUAL,
    attributes: dict | None = None,
    active: bool = True,
) -> Person:
    person = Person(
        organization=organization,
        email=(email or "").strip().lower(),
        name=name,
        team=team,
        manager=manager,
        layer=layer,
        attributes=attributes or {},
        active=active,
    )
    _check_person(organization=organization, person=person)
    person.full_clean(validate_constraints=False)
    _save(person)
    record_audit(organization=organization, actor=actor, action="person.create", obj=person, summary=person.email)
    return person


@transaction.atomic
def update_person(*, organization: Organization, actor, person: Person, **fields) -> Person:
    """Change the given fields of a person (email, name, team, manager, layer, attributes, active)."""
    changed = {}
    for key, value in fields.items():
        if key == "email":
            value = (value or "").strip().lower()
        if getattr(person, key) != value:
            changed[key] = value
            setattr(person, key, value)
    if not changed:
        return person
    _check_person(organization=organization, person=person)
    person.full_clean(validate_constraints=False)
    _save(person)
    record_audit(
        organization=organization,
        actor=actor,
        action="person.update",
        obj=person,
        summary=f"{person.email}: {', '.join(sorted(changed))}",
    )
    return person


@transaction.atomic
def deactivate_person(*, organization: Organization, actor, person: Person) -> Person:
    """A person who left: kept for history, no longer invited to surveys. Twice changes nothing."""
    if person.active:
        person.active = False
        person.save(update_fields=["active", "updated_at"])
        record_audit(
            organization=organization, actor=actor, action="person.deactivate", obj=person, summary=person.email
        )
    return person


# --- Bulk upsert by e-mail -----------------------------------------------------------------------


@dataclass
class _Row:
    index: int
    email: str
    values: dict = field(default_factory=dict)  # model field -> value (team as Team, manager as e-mail)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def error(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _parse_row(index: int, raw, teams_by_name: dict[str, Team]) -> _Row:
    """Check one row on its own (types, formats, team names); cross-row checks come after."""
    if not isinstance(raw, dict):
        row = _Row(index=index, email="")
        row.error("non_field_errors", "Each row is an object with at least an email.")
        return row
    email = raw.get("email")
    row = _Row(index=index, email=email.strip().lower() if isinstance(email, str) else "")
    for key in sorted(set(raw) - UPSERT_FIELDS):
        row.error(key, f"Unknown field; use {', '.join(sorted(UPSERT_FIELDS))}.")
    if not row.email:
        row.error("email", "An e-mail address is required.")
    else:
        try:
            validate_email(row.email)
        except ValidationError:
            row.error("email", "Enter a valid e-mail address.")
    if "name" in raw:
        name = raw["name"]
        if not isinstance(name, str) or not name.strip():
            row.error("name", "A name is required.")
        elif len(name.strip()) > NAME_MAX:
            row.error("name", f"Keep the name under {NAME_MAX} characters.")
        else:
            row.values["name"] = name.strip()
    if "team" in raw:
        team_name = raw["team"]
        if team_name in (None, ""):
            row.values["team"] = None
        elif not isinstance(team_name, str):
            row.error("team", "A team is given by its name.")
        else:
            team = teams_by_name.get(team_name.strip().lower())
            if team is None:
                row.error("team", f"No team named “{team_name.strip()}” in this organization.")
            elif team.archived:
                row.error("team", f"The team “{team.name}” is archived.")
            else:
                row.values["team"] = team
    if "manager_email" in raw:
        manager_email = raw["manager_email"]
        if manager_email in (None, ""):
            row.values["manager"] = None
        elif not isinstance(manager_email, str):
            row.error("manager_email", "A manager is given by their e-mail address.")
        else:
            row.values["manager"] = manager_email.strip().lower()
    if "layer" in raw:
        if raw["layer"] not in Layer.values:
            row.error("layer", f"Use one of: {', '.join(Layer.values)}.")
        else:
            row.values["layer"] = raw["layer"]
    if "active" in raw:
        if not isinstance(raw["active"], bool):
            row.error("active", "Use true or false.")
        else:
            row.values["active"] = raw["active"]
    if "attributes" in raw:
        if not isinstance(raw["attributes"], dict):
            row.error("attributes", "Attributes are an object of names to values.")
        else:
            row.values["attributes"] = raw["attributes"]
    return row


def validate_upsert_rows(*, organization: Organization, rows: list) -> tuple[list[_Row], dict[str, Person]]:
    """Parse and check every row; return them with the existing people by e-mail. Raises InvalidRowsError."""
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"people": "Send a non-empty list of people."})
    if len(rows) > MAX_UPSERT_ROWS:
        raise ValidationError({"people": f"At most {MAX_UPSERT_ROWS} people per request; split the list."})
    teams_by_name = {t.name.lower(): t for t in Team.objects.filter(organization=organization)}
    existing = {
        p.email_lower: p
        for p in Person.objects.filter(organization=organization)
        .annotate(email_lower=Lower("email"))
        .only("id", "email", "name", "team_id", "manager_id", "layer", "active", "attributes")
    }
    parsed = [_parse_row(i, raw, teams_by_name) for i, raw in enumerate(rows)]
    first_index: dict[str, int] = {}
    for row in parsed:
        if not row.email:
            continue
        if row.email in first_index:
            row.error("email", f"Appears twice: also row {first_index[row.email]}.")
        else:
            first_index[row.email] = row.index
    known = set(existing) | set(first_index)
    for row in parsed:
        if row.email and row.email not in existing and "name" not in row.values and "name" not in row.errors:
            row.error("name", "A name is required for a new person.")
        manager = row.values.get("manager")
        if manager:
            if manager == row.email:
                row.error("manager_email", "A person cannot be their own manager.")
            elif manager not in known:
                row.error("manager_email", f"No person {manager} in the directory or in this request.")
    invalid = [
        {"index": r.index, "email": r.email or None, "errors": r.errors}
        for r in parsed
        if r.errors  # one entry per bad row, in request order
    ]
    if invalid:
        raise InvalidRowsError(invalid, total=len(parsed))
    return parsed, existing


@transaction.atomic
def bulk_upsert_people(*, organization: Organization, actor, rows: list, deactivate_missing: bool = False) -> dict:
    """Create or update people by e-mail, all or nothing. Returns the counts and each row's result.

    A row changes only the fields it names (``active`` defaults to true for new people).
    ``deactivate_missing`` deactivates active people absent from the request (a full HRIS export).
    """
    # One sync per organization at a time: a second one waits instead of racing on the same e-mails.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    parsed, existing = validate_upsert_rows(organization=organization, rows=rows)
    now = timezone.now()
    to_create, to_update, results = [], {}, []
    update_fields: set[str] = set()
    for row in parsed:
        values = {k: v for k, v in row.values.items() if k != "manager"}
        person = existing.get(row.email)
        if person is None:
            person = Person(
                organization=organization,
                email=row.email,
                layer=Layer.INDIVIDUAL,
                attributes={},
                **values,
            )
            to_create.append(person)
            results.append([row, person, "created"])
            continue
        changed = [k for k, v in values.items() if _current(person, k) != _comparable(v)]
        for key in changed:
            setattr(person, key, values[key])
        if changed:
            to_update[person.pk] = person
            update_fields.update(changed)
        results.append([row, person, "updated" if changed else "unchanged"])
    try:
        Person.objects.bulk_create(to_create, batch_size=500)
    except IntegrityError:
        raise ValidationError(RACE_MESSAGE)
    # Ids of the new rows (bulk_create does not return them on every database).
    created_ids = dict(
        Person.objects.filter(organization=organization, email__in=[p.email for p in to_create]).values_list(
            "email", "id"
        )
    )
    for person in to_create:
        person.pk = person.id = created_ids[person.email]
    ids_by_email = {email: p.pk for email, p in existing.items()} | created_ids

    # Managers last: a row may name a manager created by this same request.
    for entry in results:
        row, person, outcome = entry
        if "manager" not in row.values:
            continue
        manager_id = ids_by_email[row.values["manager"]] if row.values["manager"] else None
        if person.manager_id != manager_id:
            person.manager_id = manager_id
            update_fields.add("manager")
            to_update[person.pk] = person
            if outcome == "unchanged":
                entry[2] = "updated"
    if to_update:
        for person in to_update.values():
            person.updated_at = now
        Person.objects.bulk_update(list(to_update.values()), sorted(update_fields | {"updated_at"}), batch_size=500)

    deactivated = 0
    if deactivate_missing:
        deactivated = (
            Person.objects.filter(organization=organization, active=True)
            .exclude(pk__in=[person.pk for _, person, _ in results])
            .update(active=False, updated_at=now)
        )
    counts = {
        "created": sum(1 for _, _, outcome in results if outcome == "created"),
        "updated": sum(1 for _, _, outcome in results if outcome == "updated"),
        "unchanged": sum(1 for _, _, outcome in results if outcome == "unchanged"),
        "deactivated": deactivated,
    }
    record_audit(
        organization=organization,
        actor=actor,
        action="person.bulk_upsert",
        summary=", ".join(f"{k} {v}" for k, v in counts.items()),
        data=counts,
    )
    return {
        **counts,
        "results": [
            {"index": row.index, "email": row.email, "id": person.pk, "result": outcome}
            for row, person, outcome in results
        ],
    }


def _current(person: Person, key: str):
    return person.team_id if key == "team" else getattr(person, key)


def _comparable(value):
    return value.pk if isinstance(value, Team) else value
