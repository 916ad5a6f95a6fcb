"""Writes of an organization's directory: teams, people, dependencies, priorities.

The one write path for them: the organization-admin pages (``peakos/orgadmin/``), the REST
API (``peakos/api.py``) and the CSV importer all call these. Each service is one transaction, validates its input (raising ``ValidationError``
with field names the forms know), and records an audit event. Callers are
inside the organization's scope; the organization is passed explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from peakos.audit import record_audit
from peakos.i18n import bcp47, normalize_language, organization_languages
from peakos.models import (
    Layer,
    Organization,
    Person,
    Priority,
    PriorityLevel,
    Team,
    TeamDependency,
    TeamKind,
)
from peakos.orgadmin.peoplecsv import RESERVED_COLUMNS, normalize_header
from peakos.selectors import subtree_ids, team_tree

# --------------------------------------------------------------------------- teams


def _check_team_name(organization: Organization, name: str, exclude_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A team needs a name."})
    clash = Team.objects.filter(organization=organization, name__iexact=name)
    if exclude_id:
        clash = clash.exclude(pk=exclude_id)
    if clash.exists():
        raise ValidationError({"name": f"There is already a team called “{name}”."})
    return name


def _check_parent(organization: Organization, team: Team | None, parent: Team | None) -> None:
    if parent is None:
        return
    if parent.organization_id != organization.id:
        raise ValidationError({"parent": "Choose a team of this organization."})
    if team is not None and team.pk and parent.pk in subtree_ids(team_tree(organization), team.pk):
        raise ValidationError({"parent": f"“{parent.name}” is {team.name} itself or below it: that would be a cycle."})


@transaction.atomic
def create_team(*, organization: Organization, actor, name: str, kind: str, parent: Team | None = None) -> Team:
    """Add a team to the tree."""
    name = _check_team_name(organization, name)
    _check_parent(organization, None, parent)
    team = Team(organization=organization, name=name, kind=kind, parent=parent)
    team.full_clean()
    team.save()
    record_audit(
        organization=organization,
        actor=actor,
        action="team.create",
        obj=team,
        summary=f"{name}" + (f" under {parent.name}" if parent else ""),
    )
    return team


@transaction.atomic
def update_team(
    *, organization: Organization, actor, team: Team, name: str, kind: str, parent: Team | None, lead: Person | None
) -> Team:
    """Rename, re-kind, move (never under itself or its own subtree) or change the lead of a team."""
    team = Team.objects.select_for_update().get(pk=team.pk)
    name = _check_team_name(organization, name, exclude_id=team.pk)
    _check_parent(organization, team, parent)
    if lead is not None and lead.organization_id != organization.id:
        raise ValidationError({"lead": "Choose a person of this organization."})
    before = {"name": team.name, "kind": team.kind, "parent": _name(team.parent), "lead": _label(team.lead)}
    team.name, team.kind, team.parent, team.lead = name, kind, parent, lead
    team.full_clean()
    team.save()
    after = {"name": team.name, "kind": team.kind, "parent": _name(parent), "lead": _label(lead)}
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    if changed:
        action = "team.move" if set(changed) == {"parent"} else "team.update"
        record_audit(
            organization=organization,
            actor=actor,
            action=action,
            obj=team,
            summary=f"{team.name}: "
            + "; ".join(f"{k} {b or '(none)'} → {a or '(none)'}" for k, (b, a) in changed.items()),
            data={"changed": changed},
        )
    return team


@transaction.atomic
def set_team_archived(*, organization: Organization, actor, team: Team, archived: bool) -> Team:
    """Archive a team instead of deleting it: its people, reviews and history stay.

    A team with active child teams cannot be archived: archive or move them first,
    so the live tree never hangs under an archived branch.
    """
    team = Team.objects.select_for_update().get(pk=team.pk)
    if archived and Team.objects.filter(parent=team, archived=False).exists():
        raise ValidationError("Archive or move its child teams first.")
    if not archived and team.parent_id and team.parent.archived:
        raise ValidationError(f"Restore its parent team {team.parent.name} first.")
    if team.archived == archived:
        return team
    team.archived = archived
    team.save(update_fields=["archived"])
    record_audit(
        organization=organization,
        actor=actor,
        action="team.archive" if archived else "team.restore",
        obj=team,
        summary=team.name,
    )
    return team


def _name(team: Team | None) -> str:
    return team.name if team else ""


def _label(person: Person | None) -> str:
    return person.email if person else ""


# --------------------------------------------------------------------------- dependencies


@transaction.atomic
def add_dependency(
    *, organization: Organization, actor, from_team: Team, to_team: Team, note: str = ""
) -> TeamDependency:
    """``from_team`` depends on ``to_team``."""
    if from_team.organization_id != organization.id or to_team.organization_id != organization.id:
        raise ValidationError({"to_team": "Choose a team of this organization."})
    if from_team.pk == to_team.pk:
        raise ValidationError({"to_team": "A team cannot depend on itself."})
    if TeamDependency.objects.filter(from_team=from_team, to_team=to_team).exists():
        raise ValidationError({"to_team": f"{from_team.name} already depends on {to_team.name}."})
    dependency = TeamDependency.objects.create(
        organization=organization, from_team=from_team, to_team=to_team, note=(note or "").strip()
    )
    record_audit(
        organization=organization,
        actor=actor,
        action="dependency.add",
        obj=dependency,
        summary=f"{from_team.name} depends on {to_team.name}",
    )
    return dependency


@transaction.atomic
def remove_dependency(*, organization: Organization, actor, dependency: TeamDependency) -> None:
    summary = f"{dependency.from_team.name} no longer depends on {dependency.to_team.name}"
    record_audit(organization=organization, actor=actor, action="dependency.remove", obj=dependency, summary=summary)
    dependency.delete()


# --------------------------------------------------------------------------- people


def _check_person(
    organization: Organization, *, person: Person | None, email: str, team: Team | None, manager: Person | None
) -> str:
    email = (email or "").strip().lower()
    clash = Person.objects.filter(organization=organization, email__iexact=email)
    if person is not None:
        clash = clash.exclude(pk=person.pk)
    if clash.exists():
        raise ValidationError({"email": f"{email} is already a person of {organization.name}."})
    if team is not None and team.organization_id != organization.id:
        raise ValidationError({"team": "Choose a team of this organization."})
    if manager is not None:
        if manager.organization_id != organization.id:
            raise ValidationError({"manager_email": "Choose a person of this organization."})
        if person is not None and person.pk and person.pk in _management_chain(organization, manager.pk):
            raise ValidationError(
                {"manager_email": f"{manager.email} reports to {person.email}: that would be a manager loop."}
            )
    return email


def _management_chain(organization: Organization, person_id: int) -> set[int]:
    """The person and everyone above them (one query for the whole organization)."""
    manager_of = dict(Person.objects.filter(organization=organization).values_list("id", "manager_id"))
    chain, current = set(), person_id
    while current is not None and current not in chain:
        chain.add(current)
        current = manager_of.get(current)
    return chain


def _check_attributes(attributes: dict) -> dict:
    reserved = set(RESERVED_COLUMNS)
    bad = [k for k in attributes if normalize_header(k) in reserved]
    if bad:
        raise ValidationError({"attributes": f"“{bad[0]}” is a column of its own, not an attribute."})
    return attributes


def _check_language(organization: Organization, language: str) -> str:
    """A person's language: blank (the organization's default) or one it offers; BCP 47
    tags are read as the CSV import reads them (``pt-BR``, ``de-AT`` → ``de``)."""
    if not (language or "").strip():
        return ""
    offered = organization_languages(organization)
    code = normalize_language(language, among=offered)
    if code is None:
        raise ValidationError(
            {
                "language": f"{organization.name} does not offer “{language}”; choose one of "
                + ", ".join(bcp47(c) for c in offered)
                + " or leave it empty for the default."
            }
        )
    return code


PERSON_FIELDS = ("email", "name", "team", "manager", "layer", "language", "active", "attributes")


def _snapshot(person: Person) -> dict:
    return {
        "email": person.email,
        "name": person.name,
        "team": _name(person.team),
        "manager": _label(person.manager),
        "layer": person.layer,
        "language": person.language,
        "active": "yes" if person.active else "no",
        "attributes": person.attributes,
    }


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
    language: str = "",
) -> Person:
    email = _check_person(organization, person=None, email=email, team=team, manager=manager)
    person = Person(
        organization=organization,
        email=email,
        name=(name or "").strip(),
        team=team,
        manager=manager,
        layer=layer,
        language=_check_language(organization, language),
        attributes=_check_attributes(attributes or {}),
    )
    person.full_clean(validate_constraints=False)
    person.save()
    record_audit(organization=organization, actor=actor, action="person.create", obj=person, summary=email)
    return person


@transaction.atomic
def update_person(
    *,
    organization: Organization,
    actor,
    person: Person,
    email: str,
    name: str,
    team: Team | None,
    manager: Person | None,
    layer: str,
    active: bool,
    attributes: dict,
    language: str | None = None,
) -> Person:
    """Edit a person; the audit event lists each changed field. ``language=None`` keeps theirs."""
    person = Person.objects.select_related("team", "manager").select_for_update(of=("self",)).get(pk=person.pk)
    email = _check_person(organization, person=person, email=email, team=team, manager=manager)
    before = _snapshot(person)
    person.email, person.name, person.team, person.manager = email, (name or "").strip(), team, manager
    person.layer, person.active, person.attributes = layer, active, _check_attributes(attributes)
    if language is not None:
        person.language = _check_language(organization, language)
    person.full_clean(validate_constraints=False)
    person.save()
    after = _snapshot(person)
    changed = {k: (before[k], after[k]) for k in PERSON_FIELDS if before[k] != after[k]}
    if changed:
        action = "person.update"
        if set(changed) == {"active"}:
            action = "person.activate" if active else "person.deactivate"
        record_audit(
            organization=organization,
            actor=actor,
            action=action,
            obj=person,
            summary=f"{person.email}: " + ", ".join(changed),
            data={"changed": {k: [str(b), str(a)] for k, (b, a) in changed.items()}},
        )
    return person


BULK_ACTIONS = {
    "deactivate": "Deactivate",
    "activate": "Activate",
    "move": "Move to team",
    "layer": "Set layer",
    "manager": "Set manager",
}


@transaction.atomic
def bulk_update_people(
    *,
    organization: Organization,
    actor,
    person_ids: Iterable[int],
    action: str,
    team: Team | None = None,
    layer: str | None = None,
    manager: Person | None = None,
) -> int:
    """Apply one action to many people in one UPDATE; returns how many changed."""
    ids = sorted({int(i) for i in person_ids})
    if not ids:
        raise ValidationError("Select at least one person.")
    people = Person.objects.filter(organization=organization, pk__in=ids)
    if people.count() != len(ids):
        raise ValidationError("Some of the selected people are not in this organization.")
    now = timezone.now()
    if action in ("deactivate", "activate"):
        fields = {"active": action == "activate"}
        summary = f"{BULK_ACTIONS[action].lower()}d"
    elif action == "move":
        if team is None or team.organization_id != organization.id:
            raise ValidationError({"team": "Choose the team to move them to."})
        fields, summary = {"team": team}, f"moved to {team.name}"
    elif action == "layer":
        if layer not in Layer.values:
            raise ValidationError({"layer": "Choose a layer."})
        fields, summary = {"layer": layer}, f"layer set to {layer}"
    elif action == "manager":
        if manager is None or manager.organization_id != organization.id:
            raise ValidationError({"manager_email": "Give the e-mail of a person of this organization."})
        if set(ids) & _management_chain(organization, manager.pk):
            raise ValidationError({"manager_email": f"{manager.email} is one of them or reports to one of them."})
        fields, summary = {"manager": manager}, f"manager set to {manager.email}"
    else:
        raise ValidationError({"action": "Choose an action."})
    changed = people.update(**fields, updated_at=now)
    record_audit(
        organization=organization,
        actor=actor,
        action=f"people.bulk_{action}",
        summary=f"{changed} people {summary}",
        data={"person_ids": ids[:1000]},
    )
    return changed


# --------------------------------------------------------------------------- priorities

PARENT_LEVELS = {
    PriorityLevel.COMPANY: (),
    PriorityLevel.DEPARTMENT: (PriorityLevel.COMPANY,),
    PriorityLevel.TEAM: (PriorityLevel.COMPANY, PriorityLevel.DEPARTMENT),
}


def _check_priority(organization: Organization, priority: Priority) -> None:
    """The cascade: company priorities stand alone; department and team priorities hang off a parent."""
    level = priority.level
    if level == PriorityLevel.COMPANY:
        if priority.team_id or priority.parent_id:
            raise ValidationError("A company priority has no team and no parent.")
        return
    errors = {}
    if priority.team is None:
        errors["team"] = "Choose the team this priority belongs to."
    elif priority.team.organization_id != organization.id:
        errors["team"] = "Choose a team of this organization."
    elif level == PriorityLevel.DEPARTMENT and priority.team.kind == TeamKind.TEAM:
        errors["team"] = f"{priority.team.name} is a team: give it a team priority."
    parent = priority.parent
    if parent is None:
        errors["parent"] = "Link it to the priority above it."
    elif parent.organization_id != organization.id:
        errors["parent"] = "Choose a priority of this organization."
    elif parent.level not in PARENT_LEVELS[level]:
        allowed = " or ".join(PARENT_LEVELS[level])
        errors["parent"] = f"A {level} priority is linked to a {allowed} priority."
    elif parent.period != priority.period:
        errors["parent"] = f"The parent priority is for {parent.period}, not {priority.period}."
    elif priority.pk and parent.pk == priority.pk:
        errors["parent"] = "A priority cannot be its own parent."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_priority(
    *,
    organization: Organization,
    actor,
    priority: Priority | None = None,
    title: str,
    level: str,
    period: str,
    team: Team | None = None,
    parent: Priority | None = None,
    rank: int = 1,
    description: str = "",
) -> Priority:
    """Create (``priority=None``) or update a priority of the cascade: company → department → team, per period."""
    creating = priority is None
    priority = (
        Priority(organization=organization) if creating else Priority.objects.select_for_update().get(pk=priority.pk)
    )
    if level == PriorityLevel.COMPANY:
        team, parent = None, None
    priority.title, priority.level, priority.period = (title or "").strip(), level, period
    priority.team, priority.parent, priority.rank, priority.description = team, parent, rank, description or ""
    _check_priority(organization, priority)
    if not creating and priority.children.exclude(period=period).exists():
        raise ValidationError({"period": "Its linked priorities are for another period: move them first."})
    if not creating and level != PriorityLevel.COMPANY and priority.children.exists() and level == PriorityLevel.TEAM:
        raise ValidationError({"level": "Priorities are linked to it: a team priority cannot have any."})
    priority.full_clean()
    priority.save()
    record_audit(
        organization=organization,
        actor=actor,
        action="priority.create" if creating else "priority.update",
        obj=priority,
        summary=f"{priority.get_level_display()} · {priority.period} · {priority.title}",
    )
    return priority


@transaction.atomic
def delete_priority(*, organization: Organization, actor, priority: Priority) -> None:
    """Delete a priority nothing hangs off (linked priorities would lose their parent)."""
    children = priority.children.count()
    if children:
        raise ValidationError(f"{children} priorities are linked to it: delete or re-link them first.")
    record_audit(
        organization=organization,
        actor=actor,
        action="priority.delete",
        obj=priority,
        summary=f"{priority.get_level_display()} · {priority.period} · {priority.title}",
    )
    try:
        with transaction.atomic():
            priority.delete()
    except (ProtectedError, IntegrityError):
        raise ValidationError("Reviews refer to this priority; it cannot be deleted.")
