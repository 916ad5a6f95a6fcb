"""The people import: check a parsed CSV against the organization, plan every
change, then apply the plan set-based in one transaction (see ``peoplecsv`` for
the file format and the row checks).

The plan reads the organization's teams and people once each. Applying it is a
handful of ``bulk_create`` / ``bulk_update`` / ``UPDATE … WHERE id IN`` queries,
whatever the file's size, under a lock on the organization row so that two
imports of one organization run one after the other. Errors are collected, not
raised one by one, so a person fixes the whole file in one go.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from peakos.audit import record_audit
from peakos.i18n import bcp47, organization_languages
from peakos.models import Organization, PeopleImport, Person, Team, TeamKind
from peakos.orgadmin.peoplecsv import BATCH, ParsedFile, PersonRow, Progress, RowError, no_progress, parse_csv

PREVIEW_KEPT_DAYS = 7


class CsvImportError(ValidationError):
    """The file has errors; nothing was written."""

    def __init__(self, errors: list[RowError]):
        self.row_errors = sorted(errors)
        super().__init__([str(e) for e in self.row_errors])


class PlanChangedError(ValidationError):
    """The organization changed between the preview and the confirmation."""


# --------------------------------------------------------------------------- planning


@dataclass
class NewTeam:
    key: str
    name: str
    parent: int | str | None  # an existing team id, a new team's key, or None
    kind: str
    row: int
    parent_name: str = ""


@dataclass
class TeamMove:
    team_id: int
    name: str
    parent: int | str  # an existing team id or a new team's key
    before: str
    after: str
    row: int


@dataclass
class PersonUpdate:
    person_id: int
    source: PersonRow
    attributes: dict
    changes: list[tuple[str, str, str]]  # (field, before, after), for people to read
    language: str = ""  # as it will be: the file's, or the current one when the file has no language column


@dataclass
class LeadChange:
    team: int | str  # an existing team id or a new team's key
    name: str
    before: str  # the current lead's e-mail, "" for none
    after: str
    row: int


@dataclass
class Plan:
    """What an import would do. Built from the file and one read of the organization."""

    people_to_create: list[PersonRow] = field(default_factory=list)
    people_to_update: list[PersonUpdate] = field(default_factory=list)
    people_to_deactivate: list[tuple[int, str, str]] = field(default_factory=list)  # id, email, name
    teams_to_create: list[NewTeam] = field(default_factory=list)
    teams_to_move: list[TeamMove] = field(default_factory=list)
    leads_to_set: list[LeadChange] = field(default_factory=list)
    unchanged: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    team_ids: dict[str, int] = field(default_factory=dict)  # casefolded name -> existing id
    team_names: dict[int, str] = field(default_factory=dict)  # existing id -> name

    @property
    def has_changes(self) -> bool:
        return bool(
            self.people_to_create
            or self.people_to_update
            or self.people_to_deactivate
            or self.teams_to_create
            or self.teams_to_move
            or self.leads_to_set
        )

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": len(self.people_to_create),
            "updated": len(self.people_to_update),
            "deactivated": len(self.people_to_deactivate),
            "unchanged": self.unchanged,
            "teams_created": len(self.teams_to_create),
            "teams_moved": len(self.teams_to_move),
            "leads_set": len(self.leads_to_set),
        }

    def summary_line(self) -> str:
        s = self.summary()
        return (
            f"{s['created']} created, {s['updated']} updated, {s['deactivated']} deactivated, "
            f"{s['unchanged']} unchanged; {s['teams_created']} teams created, {s['teams_moved']} moved"
            + (f", {s['leads_set']} team leads set" if s["leads_set"] else "")
        )

    def change_lines(self, limit: int | None = None) -> list[str]:
        """Readable lines of every change, for previews, the command and the audit log."""
        lines = [f"new team {t.name}" for t in self.teams_to_create]
        lines += [f"team {m.name}: parent {m.before or '(none)'} → {m.after}" for m in self.teams_to_move]
        lines += [f"new person {p.email}" for p in self.people_to_create]
        for update in self.people_to_update:
            what = "; ".join(f"{f}: {b or '(none)'} → {a or '(none)'}" for f, b, a in update.changes)
            lines.append(f"{update.source.email}: {what}")
        lines += [f"deactivate {email}" for _, email, _ in self.people_to_deactivate]
        lines += [f"team {c.name}: lead {c.before or '(none)'} → {c.after}" for c in self.leads_to_set]
        return lines if limit is None else lines[:limit]

    def fingerprint(self) -> str:
        """Same changes ⇔ same fingerprint: confirm checks the preview still holds."""
        payload = json.dumps(self.change_lines(), ensure_ascii=False).encode()
        return hashlib.sha256(payload).hexdigest()


def build_plan(
    organization: Organization,
    parsed: ParsedFile,
    *,
    deactivate_missing: bool = False,
    progress: Progress = no_progress,
) -> Plan:
    """Check the parsed file against the organization and work out every change.

    Reads the organization's teams and people once each; runs inside its scope.
    """
    plan = Plan(rows=parsed.rows, errors=list(parsed.errors))
    if any(e.row == 1 for e in parsed.errors):
        return plan  # the header is wrong: the rows cannot be read
    teams = list(Team.objects.filter(organization=organization).values_list("id", "name", "parent_id"))
    name_of = {tid: name for tid, name, _ in teams}
    team_by_key: dict[str, int] = {}
    for tid, name, _ in sorted(teams, key=lambda t: t[0]):
        team_by_key.setdefault(name.casefold(), tid)
    plan.team_ids, plan.team_names = team_by_key, name_of
    _plan_teams(plan, parsed, teams, name_of, team_by_key)
    progress("checked the team tree")
    _plan_people(organization, plan, parsed, deactivate_missing)
    progress("checked people against the organization")
    return plan


def _plan_teams(plan: Plan, parsed: ParsedFile, teams, name_of, team_by_key) -> None:
    parent_of: dict[int | str, int | str | None] = {tid: parent for tid, _, parent in teams}
    parent_before = dict(parent_of)
    node_of: dict[str, int | str] = {}
    for key in parsed.teams:
        node_of[key] = team_by_key.get(key, key)  # existing id, or the new team's key
        if key not in team_by_key:
            parent_of[key] = None
    explicit_row: dict[int | str, int] = {}
    for key, mention in parsed.teams.items():
        if not mention.parent_key:
            continue
        node, parent = node_of[key], node_of[mention.parent_key]
        explicit_row[node] = mention.parent_row
        if parent_of.get(node) != parent:
            parent_of[node] = parent
            if isinstance(node, int):
                plan.teams_to_move.append(
                    TeamMove(
                        node,
                        name_of[node],
                        parent,
                        _team_name(parent_before[node], name_of, parsed),
                        _team_name(parent, name_of, parsed),
                        mention.parent_row,
                    )
                )
    for cycle in _cycles(parent_of):
        in_file = [n for n in cycle if n in explicit_row]
        if not in_file:
            continue  # an old loop the file did not touch (the database forbids making one)
        cycle = _rotate(cycle, min(in_file, key=explicit_row.get))
        path = " → ".join(_team_name(n, name_of, parsed) for n in [*cycle, cycle[0]])
        plan.errors.append(RowError(explicit_row[cycle[0]], "parent_team", f"team cycle: {path}"))
    if plan.errors:
        return
    for key, mention in parsed.teams.items():
        if key in team_by_key:
            continue
        depth = _depth(parent_of, key)
        kind = TeamKind.LEADERSHIP if depth == 0 else TeamKind.DEPARTMENT if depth == 1 else TeamKind.TEAM
        plan.teams_to_create.append(
            NewTeam(
                key,
                mention.name,
                parent_of[key],
                str(kind),
                mention.first_row,
                _team_name(parent_of[key], name_of, parsed),
            )
        )


def _team_name(node, name_of: dict[int, str], parsed: ParsedFile) -> str:
    if node is None:
        return ""
    if isinstance(node, int):
        return name_of[node]
    return parsed.teams[node].name


def _rotate(cycle: list, first) -> list:
    """The same cycle, starting at ``first`` (the node of the row the error names)."""
    i = cycle.index(first)
    return cycle[i:] + cycle[:i]


def _depth(parent_of: dict, node) -> int:
    depth, current = 0, parent_of.get(node)
    while current is not None:
        depth += 1
        current = parent_of.get(current)
    return depth


def _cycles(parent_of: dict) -> list[list]:
    """Every cycle of a graph where each node has at most one parent (linear time)."""
    state: dict = {}  # node -> 1 while on the current path, 2 when done
    cycles = []
    for start in parent_of:
        if start in state:
            continue
        path, node = [], start
        while node is not None and node not in state:
            state[node] = 1
            path.append(node)
            node = parent_of.get(node)
        if node is not None and state.get(node) == 1:
            cycles.append(path[path.index(node) :])
        for n in path:
            state[n] = 2
    return cycles


def _plan_people(organization: Organization, plan: Plan, parsed: ParsedFile, deactivate_missing: bool) -> None:  # noqa: C901 (one check per CSV column and change kind, read top to bottom)
    existing = {
        email: (pid, name, team_id, manager_id, layer, active, attributes, language)
        for pid, email, name, team_id, manager_id, layer, active, attributes, language in Person.objects.filter(
            organization=organization
        ).values_list("id", "email", "name", "team_id", "manager_id", "layer", "active", "attributes", "language")
    }
    email_of = {values[0]: email for email, values in existing.items()}
    in_file = {p.email: p for p in parsed.people}
    team_name = plan.team_names

    # Managers: known, and no loops once the file is applied.
    manager_of: dict[str, str | None] = {
        email: email_of.get(values[3]) for email, values in existing.items() if email not in in_file
    }
    for person in parsed.people:
        manager_of[person.email] = person.manager_email or None
        if person.manager_email and person.manager_email not in in_file and person.manager_email not in existing:
            plan.errors.append(
                RowError(
                    person.row,
                    "manager_email",
                    f"unknown manager “{person.manager_email}”: not in this file and not in {organization.name}",
                )
            )
    offered = organization_languages(organization)
    for person in parsed.people:
        if person.language and person.language not in offered:
            plan.errors.append(
                RowError(
                    person.row,
                    "language",
                    f"{organization.name} does not offer “{person.language_tag}”; its languages are "
                    + ", ".join(bcp47(c) for c in offered)
                    + " (an admin can turn on more in Organization settings)",
                )
            )
    for cycle in _cycles({e: (m if m in manager_of else None) for e, m in manager_of.items()}):
        rows = [e for e in cycle if e in in_file]
        if rows:
            cycle = _rotate(cycle, min(rows, key=lambda e: in_file[e].row))
            path = " → ".join([*cycle, cycle[0]])
            plan.errors.append(RowError(in_file[cycle[0]].row, "manager_email", f"manager loop: {path}"))
    _plan_leads(organization, plan, parsed, in_file, existing, email_of)
    if plan.errors:
        return

    new_team_names = {t.key: t.name for t in plan.teams_to_create}
    for person in parsed.people:
        current = existing.get(person.email)
        if current is None:
            plan.people_to_create.append(person)
            continue
        pid, name, team_id, manager_id, layer, active, attributes, language = current
        changes: list[tuple[str, str, str]] = []
        if name != person.name:
            changes.append(("name", name, person.name))
        new_team_id = plan.team_ids.get(person.team_key) if person.team_key else None
        if person.team_key and new_team_id is None:
            changes.append(("team", team_name.get(team_id, ""), new_team_names[person.team_key]))
        elif new_team_id != team_id:
            changes.append(("team", team_name.get(team_id, ""), team_name.get(new_team_id, "")))
        if (email_of.get(manager_id) or "") != person.manager_email:
            changes.append(("manager", email_of.get(manager_id) or "", person.manager_email))
        if layer != person.layer:
            changes.append(("layer", layer, person.layer))
        new_language = language if person.language is None else person.language
        if new_language != language:
            changes.append(("language", bcp47(language), bcp47(new_language)))
        if not active:
            changes.append(("active", "no", "yes"))
        merged = {k: str(v) for k, v in (attributes or {}).items()}
        before = dict(merged)
        for column, value in person.attributes.items():
            if value:
                merged[column] = value
            else:
                merged.pop(column, None)
        for column in sorted(set(before) | set(merged)):
            if before.get(column) != merged.get(column):
                changes.append((column, before.get(column, ""), merged.get(column, "")))
        if changes:
            plan.people_to_update.append(PersonUpdate(pid, person, merged, changes, new_language))
        else:
            plan.unchanged += 1
    if deactivate_missing:
        plan.people_to_deactivate = sorted(
            (values[0], email, values[1]) for email, values in existing.items() if values[5] and email not in in_file
        )


def _plan_leads(organization: Organization, plan: Plan, parsed: ParsedFile, in_file, existing, email_of) -> None:
    """Team leads named by ``lead_email``: a person of the file or of the organization."""
    mentions = [(key, m) for key, m in parsed.teams.items() if m.lead_email]
    if not mentions:
        return
    lead_of = dict(Team.objects.filter(organization=organization).values_list("id", "lead_id"))
    for key, mention in mentions:
        if mention.lead_email not in in_file and mention.lead_email not in existing:
            plan.errors.append(
                RowError(
                    mention.lead_row,
                    "lead_email",
                    f"unknown team lead “{mention.lead_email}”: not in this file and not in {organization.name}",
                )
            )
            continue
        team = plan.team_ids.get(key, key)
        before = email_of.get(lead_of.get(team)) or "" if isinstance(team, int) else ""
        if before != mention.lead_email:
            plan.leads_to_set.append(LeadChange(team, mention.name, before, mention.lead_email, mention.lead_row))


# --------------------------------------------------------------------------- applying


def preview_import(
    organization: Organization, text: str, *, deactivate_missing: bool = False, progress: Progress = no_progress
) -> Plan:
    """Parse and plan without writing anything (the browser's preview, ``--dry-run``)."""
    parsed = parse_csv(text, progress=progress)
    return build_plan(organization, parsed, deactivate_missing=deactivate_missing, progress=progress)


@transaction.atomic
def import_people(
    *,
    organization: Organization,
    text: str,
    actor=None,
    filename: str = "",
    deactivate_missing: bool = False,
    expected_fingerprint: str | None = None,
    progress: Progress = no_progress,
) -> Plan:
    """Import a people CSV: all or nothing. Raises ``CsvImportError`` listing every error.

    Plans again inside the transaction, with the organization row locked so two
    imports of one organization run one after the other. With
    ``expected_fingerprint`` (the browser's confirm step) it raises ``PlanChangedError``
    when the organization changed since the preview.
    """
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    plan = preview_import(organization, text, deactivate_missing=deactivate_missing, progress=progress)
    if plan.errors:
        raise CsvImportError(plan.errors)
    if expected_fingerprint is not None and plan.fingerprint() != expected_fingerprint:
        raise PlanChangedError("People or teams changed since the preview. Check the new preview, then confirm again.")
    if not plan.has_changes:
        record_audit(
            organization=organization,
            actor=actor,
            action="people.import",
            summary=f"{filename or 'CSV'}: no changes ({plan.rows} rows)",
            data={"filename": filename, "sha256": _sha(text), **plan.summary()},
        )
        return plan
    _apply(organization, plan, progress)
    record_audit(
        organization=organization,
        actor=actor,
        action="people.import",
        summary=f"{filename or 'CSV'}: {plan.summary_line()}",
        data={
            "filename": filename,
            "sha256": _sha(text),
            "deactivate_missing": deactivate_missing,
            **plan.summary(),
            "changes": plan.change_lines(limit=200),
        },
    )
    return plan


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _apply(organization: Organization, plan: Plan, progress: Progress) -> None:
    now = timezone.now()
    team_id_of = dict(plan.team_ids)
    if plan.teams_to_create:
        created = Team.objects.bulk_create(
            [Team(organization=organization, name=t.name, kind=t.kind) for t in plan.teams_to_create]
        )
        if any(t.pk is None for t in created):  # databases that cannot return ids
            ids = dict(Team.objects.filter(organization=organization).values_list("name", "id"))
            for team in created:
                team.pk = team.id = ids[team.name]
        for spec, team in zip(plan.teams_to_create, created, strict=True):
            team_id_of[spec.key] = team.pk

    def resolve(node):
        return node if isinstance(node, int) or node is None else team_id_of[node]

    parents = [Team(id=team_id_of[t.key], parent_id=resolve(t.parent)) for t in plan.teams_to_create if t.parent]
    parents += [Team(id=m.team_id, parent_id=resolve(m.parent)) for m in plan.teams_to_move]
    if parents:
        Team.objects.bulk_update(parents, ["parent"], batch_size=BATCH)
    progress(f"wrote {len(plan.teams_to_create)} new teams, moved {len(plan.teams_to_move)}")

    # New people are inserted managers first (level by level down the reporting
    # lines), so every row is written once with its manager_id: no second pass.
    id_of = dict(Person.objects.filter(organization=organization).values_list("email", "id"))
    created = 0
    for level in _manager_levels(plan.people_to_create):
        rows = [
            Person(
                organization=organization,
                email=p.email,
                name=p.name,
                team_id=team_id_of.get(p.team_key) if p.team_key else None,
                manager_id=id_of[p.manager_email] if p.manager_email else None,
                layer=p.layer,
                language=p.language or "",
                active=True,
                attributes={k: v for k, v in p.attributes.items() if v},
            )
            for p in level
        ]
        for start in range(0, len(rows), BATCH):
            Person.objects.bulk_create(rows[start : start + BATCH])
            created += len(rows[start : start + BATCH])
            progress(f"created {created} of {len(plan.people_to_create)} people")
        if any(p.pk is None for p in rows):  # databases that cannot return ids
            id_of = dict(Person.objects.filter(organization=organization).values_list("email", "id"))
        else:
            id_of.update((p.email, p.pk) for p in rows)

    updates = [
        (
            u.person_id,
            u.source.name,
            team_id_of.get(u.source.team_key) if u.source.team_key else None,
            id_of[u.source.manager_email] if u.source.manager_email else None,
            u.source.layer,
            u.language,
            u.attributes,
        )
        for u in plan.people_to_update
    ]
    for start in range(0, len(updates), BATCH):
        _update_people(organization, updates[start : start + BATCH], now)
        progress(f"updated {min(start + BATCH, len(updates))} of {len(updates)} people")
    if plan.leads_to_set:
        Team.objects.bulk_update(
            [Team(id=resolve(c.team), lead_id=id_of[c.after]) for c in plan.leads_to_set], ["lead"], batch_size=BATCH
        )
    ids = [pid for pid, _, _ in plan.people_to_deactivate]
    for start in range(0, len(ids), 500):  # SQLite limits the number of query parameters
        Person.objects.filter(id__in=ids[start : start + 500]).update(active=False, updated_at=now)
    if ids:
        progress(f"deactivated {len(ids)} people")


def _manager_levels(people: list[PersonRow]) -> list[list[PersonRow]]:
    """New people grouped so that each one's manager is in an earlier group (or not new)."""
    new = {p.email: p for p in people}
    level: dict[str, int] = {}

    def depth(email: str) -> int:
        chain = []
        while email in new and email not in level:
            chain.append(email)
            email = new[email].manager_email
        base = level.get(email, -1) if email in new else -1
        for e in reversed(chain):  # the file has no manager loops (checked before)
            base += 1
            level[e] = base
        return level[chain[0]] if chain else base

    groups: dict[int, list[PersonRow]] = {}
    for p in people:
        groups.setdefault(depth(p.email), []).append(p)
    return [groups[k] for k in sorted(groups)]


UPDATE_FIELDS = ["name", "team", "manager", "layer", "language", "active", "attributes", "updated_at"]


def _update_people(organization: Organization, rows: list[tuple], now) -> None:
    """Write changed people: one ``UPDATE … FROM (VALUES …)`` on PostgreSQL, ``bulk_update`` elsewhere.

    Django's ``bulk_update`` builds a CASE expression per field and row, which
    costs seconds at 10,000 rows; the VALUES join is one statement per batch.
    """
    if connection.vendor != "postgresql":
        Person.objects.bulk_update(
            [
                Person(
                    id=pid,
                    name=name,
                    team_id=team_id,
                    manager_id=manager_id,
                    layer=layer,
                    language=language,
                    active=True,
                    attributes=attributes,
                    updated_at=now,
                )
                for pid, name, team_id, manager_id, layer, language, attributes in rows
            ],
            UPDATE_FIELDS,
        )
        return
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    params = [
        v
        for pid, name, team_id, manager_id, layer, language, attributes in rows
        for v in (pid, name, team_id, manager_id, layer, language, json.dumps(attributes))
    ]
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS p SET
                name = v.name, team_id = v.team_id::bigint, manager_id = v.manager_id::bigint,
                layer = v.layer, language = v.language, active = TRUE, attributes = v.attributes::jsonb,
                updated_at = %s
            FROM (VALUES {values}) AS v (id, name, team_id, manager_id, layer, language, attributes)
            WHERE p.id = v.id::bigint AND p.organization_id = %s
            """,  # noqa: S608 - only placeholders are interpolated
            [now, *params, organization.pk],
        )


# --------------------------------------------------------------------------- preview storage (browser)


@transaction.atomic
def store_preview(
    *, organization: Organization, actor, text: str, filename: str, deactivate_missing: bool, plan: Plan
) -> PeopleImport:
    """Keep an uploaded file between its preview and its confirmation.

    Previews nobody confirmed within a week are dropped: they hold personal data.
    """
    stale = timezone.now() - timedelta(days=PREVIEW_KEPT_DAYS)
    PeopleImport.objects.filter(
        organization=organization, status=PeopleImport.Status.PREVIEW, created_at__lt=stale
    ).delete()
    return PeopleImport.objects.create(
        organization=organization,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        filename=filename[:200],
        content=text,
        deactivate_missing=deactivate_missing,
        fingerprint=plan.fingerprint(),
        summary=plan.summary(),
    )


def confirm_import(*, people_import: PeopleImport, actor) -> Plan:
    """Apply a previewed upload. Raises ``PlanChangedError`` (with a fresh preview stored) if it no longer holds."""
    if people_import.status == PeopleImport.Status.APPLIED:
        raise ValidationError("This file was already imported.")
    try:
        with transaction.atomic():
            plan = import_people(
                organization=people_import.organization,
                text=people_import.content,
                actor=actor,
                filename=people_import.filename,
                deactivate_missing=people_import.deactivate_missing,
                expected_fingerprint=people_import.fingerprint,
            )
            people_import.status = PeopleImport.Status.APPLIED
            people_import.applied_at = timezone.now()
            people_import.summary = plan.summary()
            people_import.save(update_fields=["status", "applied_at", "summary"])
    except PlanChangedError:
        fresh = preview_import(
            people_import.organization, people_import.content, deactivate_missing=people_import.deactivate_missing
        )
        people_import.fingerprint = fresh.fingerprint()
        people_import.summary = fresh.summary()
        people_import.save(update_fields=["fingerprint", "summary"])
        raise
    return plan
