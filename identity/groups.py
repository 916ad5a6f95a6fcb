"""SCIM 2.0 Groups (RFC 7643 §4.2) of an organization: its teams, the writes.

A Group is a Team (``id`` is the team's id, ``displayName`` its name); its ``members`` are the
people whose team it is (a person is in one team, so adding them moves them here, removing
them leaves them without a team). A new group goes under the team given by the Peak OS
extension's ``parent`` (a Group id), else under the organization's one root team. Names and
parents follow the team services' rules (``peakos.people.services``). DELETE archives the
team, as the organization-admin pages do: people, reviews, answers and scores stay; a team
with active child teams answers 409. Archived teams are gone for SCIM (404, not listed).
Every request is one transaction, audit-logged under the SCIM token's name.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from identity.models import ScimToken
from identity.provisioning import ScimError
from peakos.audit import record_audit
from peakos.models import Person, Team, TeamKind
from peakos.people import services

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PEAKOS_GROUP = "urn:peakos:params:scim:schemas:extension:2.0:Group"
MEMBER_FILTER = re.compile(r'^members\[\s*value\s+eq\s+"([^"]*)"\s*\]$', re.IGNORECASE)


def active_teams(organization):
    return Team.objects.filter(organization=organization, archived=False)


def group_resource(team: Team, base_url: str) -> dict:
    members = Person.objects.filter(organization_id=team.organization_id, team=team, active=True).order_by("pk")
    return {
        "schemas": [GROUP, PEAKOS_GROUP],
        "id": str(team.pk),
        "displayName": team.name,
        "members": [
            {"value": str(p.pk), "display": p.email, "$ref": f"{base_url}/Users/{p.pk}", "type": "User"}
            for p in members.only("pk", "email")
        ],
        PEAKOS_GROUP: {"parent": {"value": str(team.parent_id)} if team.parent_id else None, "kind": team.kind},
        "meta": {"resourceType": "Group", "location": f"{base_url}/Groups/{team.pk}"},
    }


def _scim_from(exc: ValidationError) -> ScimError:
    text = " ".join(exc.messages)
    if hasattr(exc, "error_dict") and "name" in exc.error_dict and "already" in text:
        return ScimError(409, text, "uniqueness")
    return ScimError(400, text, "invalidValue")


def _display_name(resource: dict) -> str:
    name = resource.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise ScimError(400, "displayName (the team's name) is required.", "invalidValue")
    if len(name.strip()) > 200:
        raise ScimError(400, "displayName is at most 200 characters.", "invalidValue")
    return name.strip()


def _parent(token: ScimToken, resource: dict, default: Team | None) -> Team | None:
    extension = resource.get(PEAKOS_GROUP)
    if extension is None or not isinstance(extension, dict) or "parent" not in extension:
        if extension is not None and not isinstance(extension, dict):
            raise ScimError(400, f"{PEAKOS_GROUP} must be an object.", "invalidValue")
        return default
    value = extension["parent"]
    value = value.get("value") if isinstance(value, dict) else value
    if value in (None, ""):
        return None
    found = active_teams(token.organization).filter(pk=int(value) if str(value).isdigit() else -1).first()
    if found is None:
        raise ScimError(400, f"parent {value} is not a group of this organization.", "invalidValue")
    return found


def _root(token: ScimToken) -> Team | None:
    roots = list(active_teams(token.organization).filter(parent__isnull=True)[:2])
    return roots[0] if len(roots) == 1 else None


def _member_ids(token: ScimToken, members) -> list[int]:
    """The people ``members`` names, all of them of this organization, or a 400."""
    if members is None:
        return []
    if isinstance(members, dict):
        members = [members]
    if not isinstance(members, list):
        raise ScimError(400, "members must be a list of {value: <user id>}.", "invalidValue")
    ids = []
    for member in members:
        value = member.get("value") if isinstance(member, dict) else member
        if not str(value or "").isdigit():
            raise ScimError(400, f"member {value!r} is not a user id.", "invalidValue")
        ids.append(int(value))
    found = set(Person.objects.filter(organization=token.organization, pk__in=ids).values_list("pk", flat=True))
    missing = [i for i in ids if i not in found]
    if missing:
        raise ScimError(400, f"member {missing[0]} is not a user of this organization.", "invalidValue")
    return sorted(set(ids))


def _set_members(token: ScimToken, team: Team, *, add=(), remove=(), replace=None) -> None:
    """People moved into ``team`` or out of it (to no team); one audit event names the change."""
    organization = token.organization
    # The members a provider sees are the active people: replacing them leaves deactivated ones be.
    current = set(Person.objects.filter(organization=organization, team=team, active=True).values_list("pk", flat=True))
    if replace is not None:
        add, remove = set(replace) - current, current - set(replace)
    add = set(add) - current
    remove = set(remove) & current
    if add:
        services.bulk_update_people(organization=organization, actor=None, person_ids=add, action="move", team=team)
    if remove:
        Person.objects.filter(organization=organization, team=team, pk__in=remove).update(
            team=None, updated_at=timezone.now()
        )
    if add or remove:
        record_audit(
            organization=organization,
            actor=None,
            action="scim.group.members",
            obj=team,
            summary=f"{team.name}: {len(add)} added, {len(remove)} removed (SCIM token {token.name})",
            data={"added": sorted(add)[:1000], "removed": sorted(remove)[:1000]},
        )


def _audit(token: ScimToken, team: Team, action: str) -> None:
    record_audit(
        organization=token.organization,
        actor=None,
        action=action,
        obj=team,
        summary=f"{team.name} (SCIM token {token.name})",
    )


@transaction.atomic
def create_group(*, token: ScimToken, resource) -> Team:
    if not isinstance(resource, dict):
        raise ScimError(400, "The body must be a SCIM Group object.", "invalidSyntax")
    name = _display_name(resource)
    parent = _parent(token, resource, _root(token))
    members = _member_ids(token, resource.get("members"))
    try:
        team = services.create_team(
            organization=token.organization, actor=None, name=name, kind=TeamKind.TEAM, parent=parent
        )
    except ValidationError as exc:
        raise _scim_from(exc)
    _set_members(token, team, add=members)
    _audit(token, team, "scim.group.create")
    return team


def _update(token: ScimToken, team: Team, *, name: str, parent: Team | None) -> Team:
    if name == team.name and parent == team.parent:
        return team
    try:
        team = services.update_team(
            organization=token.organization,
            actor=None,
            team=team,
            name=name,
            kind=team.kind,
            parent=parent,
            lead=team.lead,
        )
    except ValidationError as exc:
        raise _scim_from(exc)
    _audit(token, team, "scim.group.update")
    return team


@transaction.atomic
def replace_group(*, token: ScimToken, team: Team, resource) -> Team:
    if not isinstance(resource, dict):
        raise ScimError(400, "The body must be a SCIM Group object.", "invalidSyntax")
    name = _display_name(resource)
    parent = _parent(token, resource, team.parent)
    members = _member_ids(token, resource.get("members")) if "members" in resource else None
    team = _update(token, team, name=name, parent=parent)
    if members is not None:
        _set_members(token, team, replace=members)
    return team


@transaction.atomic
def patch_group(*, token: ScimToken, team: Team, operations) -> Team:
    """RFC 7644 §3.5.2: Okta's (path-less replace, members[value eq "…"] removal) and Azure AD's
    (capitalised ops, members add/remove with a value list) operations, applied in order."""
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Operations must be a non-empty list.", "invalidSyntax")
    for op in operations:
        if not isinstance(op, dict) or str(op.get("op", "")).lower() not in ("add", "replace", "remove"):
            raise ScimError(400, "Each operation's op is add, replace or remove.", "invalidSyntax")
        kind, path, value = str(op["op"]).lower(), str(op.get("path") or ""), op.get("value")
        if not path:
            if not isinstance(value, dict):
                raise ScimError(400, "An operation without a path needs an object value.", "invalidValue")
            changes = value.items()
        else:
            changes = [(path, value)]
        for key, item in changes:
            team = _patch_one(token, team, kind, key, item)
    return team


def _patch_one(token: ScimToken, team: Team, kind: str, path: str, value) -> Team:
    match = MEMBER_FILTER.match(path.strip())
    if match:
        if kind != "remove":
            raise ScimError(400, "A members[value eq …] path is only for remove.", "invalidPath")
        _set_members(token, team, remove=_member_ids(token, [match.group(1)]))
    elif path.lower() == "members":
        if kind == "remove" and value is None:
            _set_members(token, team, replace=[])
        else:
            ids = _member_ids(token, value)
            _set_members(token, team, **{kind: ids})
    elif path.lower() == "displayname":
        if kind == "remove":
            raise ScimError(400, "displayName cannot be removed.", "mutability")
        team = _update(token, team, name=_display_name({"displayName": value}), parent=team.parent)
    elif path.lower() in ("id", "externalid"):
        pass  # Okta repeats the id in a path-less replace; Peak OS keeps no externalId
    elif path == PEAKOS_GROUP or path.startswith(PEAKOS_GROUP + ":parent"):
        parent_value = value.get("parent") if path == PEAKOS_GROUP and isinstance(value, dict) else value
        parent = _parent(token, {PEAKOS_GROUP: {"parent": None if kind == "remove" else parent_value}}, None)
        team = _update(token, team, name=team.name, parent=parent)
    else:
        raise ScimError(400, f"Peak OS does not store {path} on a group.", "invalidPath")
    return team


@transaction.atomic
def archive_group(*, token: ScimToken, team: Team) -> None:
    try:
        services.set_team_archived(organization=token.organization, actor=None, team=team, archived=True)
    except ValidationError as exc:
        raise ScimError(409, f"{team.name} cannot be archived: {' '.join(exc.messages)} Nothing was changed.")
    _audit(token, team, "scim.group.archive")
