"""SCIM 2.0 provisioning (RFC 7643/7644) of an organization's people: the writes.

A SCIM User is a Person (``id`` is the person's id, ``userName`` the e-mail); the enterprise
extension's ``department`` is the team (by name) and ``manager.value`` the manager's id. Every
write goes through the people importer (``peakos.people.bulk_upsert``), so SCIM, the REST API
and the CSV import share one rule set and one transaction: a request that breaks a rule
changes nothing. ``active: false`` (and DELETE) deactivate the person and remove their login's
membership of this organization only; nothing is deleted, anonymous answers least of all.
Each change is audit-logged under the SCIM token's name.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from identity.models import ScimToken
from peakos import memberships
from peakos.audit import record_audit
from peakos.models import Membership, Organization, Person, Role
from peakos.people.bulk_upsert import InvalidRowsError, bulk_upsert_people

CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class ScimError(Exception):
    """An RFC 7644 §3.12 error: HTTP ``status``, ``scim_type`` (invalidValue, uniqueness...), ``detail``."""

    def __init__(self, status: int, detail: str, scim_type: str = ""):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


# --- Tokens (the owner's settings page) ------------------------------------------------------


@transaction.atomic
def create_scim_token(*, membership: Membership, name: str) -> tuple[ScimToken, str]:
    """A new SCIM token of the owner's organization; returns it and the raw token (shown once)."""
    from django.core.exceptions import PermissionDenied

    from peakos import permissions

    if not permissions.is_owner(membership):
        raise PermissionDenied("Only an owner creates SCIM tokens.")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": "Give the token a name of at most 100 characters, e.g. “Okta”."})
    organization = membership.organization
    token, raw = ScimToken.mint(organization=organization, name=name, created_by=membership.user)
    record_audit(organization=organization, actor=membership.user, action="scim_token.create", obj=token, summary=name)
    return token, raw


@transaction.atomic
def revoke_scim_token(*, membership: Membership, token: ScimToken) -> ScimToken:
    from django.core.exceptions import PermissionDenied

    from peakos import permissions

    if not permissions.is_owner(membership) or token.organization_id != membership.organization_id:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(
            organization=token.organization,
            actor=membership.user,
            action="scim_token.revoke",
            obj=token,
            summary=token.name,
        )
    return token


def find_scim_token(raw: str) -> ScimToken | None:
    """The active token (unscoped on purpose: the token names the organization)."""
    token = ScimToken.unrevoked(raw)
    if token is not None:
        token.mark_used()
    return token


# --- Users ------------------------------------------------------------------------------------


def user_resource(person: Person, base_url: str) -> dict:
    manager = {"value": str(person.manager_id)} if person.manager_id else None
    enterprise = {"department": person.team.name if person.team_id else ""}
    if manager:
        enterprise["manager"] = manager
    return {
        "schemas": [CORE, ENTERPRISE],
        "id": str(person.pk),
        "userName": person.email,
        "name": {"formatted": person.name},
        "displayName": person.name,
        "emails": [{"value": person.email, "primary": True, "type": "work"}],
        "active": person.active,
        ENTERPRISE: enterprise,
        "meta": {"resourceType": "User", "location": f"{base_url}/Users/{person.pk}"},
    }


def _text(value, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(400, f"{field} must be a string.", "invalidValue")
    return value.strip()


def _email_of(resource: dict) -> str:
    email = _text(resource.get("userName"), "userName")
    if not email:
        emails = resource.get("emails") or []
        if not isinstance(emails, list):
            raise ScimError(400, "emails must be a list.", "invalidValue")
        primary = [e for e in emails if isinstance(e, dict) and e.get("primary")] or [
            e for e in emails if isinstance(e, dict)
        ]
        email = _text(primary[0].get("value"), "emails.value") if primary else ""
    if not email:
        raise ScimError(400, "userName (the work e-mail) is required.", "invalidValue")
    return email.lower()


def _name_of(resource: dict, email: str) -> str:
    name = resource.get("name") or {}
    if not isinstance(name, dict):
        raise ScimError(400, "name must be an object.", "invalidValue")
    formatted = _text(name.get("formatted"), "name.formatted")
    parts = " ".join(
        filter(None, [_text(name.get("givenName"), "name.givenName"), _text(name.get("familyName"), "name.familyName")])
    )
    return formatted or parts or _text(resource.get("displayName"), "displayName") or email.split("@")[0]


def _row(organization: Organization, resource: dict, current: Person | None) -> dict:
    """The importer's row for ``resource``; what SCIM does not carry (layer, language) stays."""
    if not isinstance(resource, dict):
        raise ScimError(400, "The body must be a SCIM User object.", "invalidSyntax")
    email = _email_of(resource)
    enterprise = resource.get(ENTERPRISE) or {}
    if not isinstance(enterprise, dict):
        raise ScimError(400, f"{ENTERPRISE} must be an object.", "invalidValue")
    row = {"email": email, "name": _name_of(resource, email)}
    if current is not None:
        row.update(layer=current.layer, language=current.language or None)
    department = _text(enterprise.get("department"), "department")
    if department:
        row["team"] = department
    manager = enterprise.get("manager")
    manager_id = manager.get("value") if isinstance(manager, dict) else manager
    if manager_id not in (None, ""):
        found = Person.objects.filter(
            organization=organization, pk=int(manager_id) if str(manager_id).isdigit() else -1
        ).first()
        if found is None:
            raise ScimError(400, f"manager {manager_id} is not a user of this organization.", "invalidValue")
        row["manager_email"] = found.email
    return row


def _apply(token: ScimToken, row: dict, action: str) -> Person:
    organization = token.organization
    try:
        bulk_upsert_people(organization=organization, actor=None, rows=[row])
    except InvalidRowsError as exc:
        errors = exc.rows[0].get("errors", {}) if exc.rows else {}
        detail = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()) or exc.messages[0]
        raise ScimError(400, detail, "invalidValue")
    except ValidationError as exc:
        raise ScimError(400, " ".join(exc.messages), "invalidValue")
    person = Person.objects.select_related("team").get(organization=organization, email=row["email"])
    record_audit(
        organization=organization,
        actor=None,
        action=action,
        obj=person,
        summary=f"{person.email} (SCIM token {token.name})",
    )
    return person


def _set_active(token: ScimToken, person: Person, active: bool) -> None:
    if person.active == active:
        return
    organization = token.organization
    if not active and person.user_id:
        membership = Membership.objects.filter(organization=organization, user_id=person.user_id).first()
        if membership is not None:
            if (
                membership.role == Role.OWNER
                and not Membership.objects.filter(organization=organization, role=Role.OWNER)
                .exclude(pk=membership.pk)
                .exists()
            ):
                raise ScimError(400, "This is the organization's last owner: give another owner first.", "mutability")
            memberships.end_sessions(membership.user)
            membership.delete()
    person.active = active
    person.save(update_fields=["active", "updated_at"])
    record_audit(
        organization=organization,
        actor=None,
        action="scim.user.activate" if active else "scim.user.deactivate",
        obj=person,
        summary=f"{person.email} (SCIM token {token.name})",
    )


def _active_of(resource: dict) -> bool | None:
    active = resource.get("active")
    if active is None:
        return None
    if isinstance(active, str) and active.lower() in ("true", "false"):  # Azure AD sends strings
        return active.lower() == "true"
    if not isinstance(active, bool):
        raise ScimError(400, "active must be true or false.", "invalidValue")
    return active


@transaction.atomic
def create_user(*, token: ScimToken, resource: dict) -> Person:
    email = _email_of(resource) if isinstance(resource, dict) else ""
    if Person.objects.filter(organization=token.organization, email=email).exists():
        raise ScimError(409, f"A user with userName {email} exists.", "uniqueness")
    person = _apply(token, _row(token.organization, resource, None), "scim.user.create")
    if _active_of(resource) is False:
        _set_active(token, person, False)
    return person


@transaction.atomic
def replace_user(*, token: ScimToken, person: Person, resource: dict) -> Person:
    row = _row(token.organization, resource, person)
    if (
        row["email"] != person.email
        and Person.objects.filter(organization=token.organization, email=row["email"]).exists()
    ):
        raise ScimError(409, f"A user with userName {row['email']} exists.", "uniqueness")
    if row["email"] != person.email:
        person.email = row["email"]  # the importer matches by e-mail: move the record first
        person.save(update_fields=["email", "updated_at"])
    active = _active_of(resource)
    was_active = person.active
    person = _apply(token, row, "scim.user.replace")
    _set_active(token, person, was_active if active is None else active)
    return person


def _patched(resource: dict, operations) -> dict:
    """RFC 7644 §3.5.2 operations applied to the current representation (the paths IdPs send)."""
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, "Operations must be a non-empty list.", "invalidSyntax")
    for op in operations:
        if not isinstance(op, dict) or str(op.get("op", "")).lower() not in ("add", "replace", "remove"):
            raise ScimError(400, "Each operation's op is add, replace or remove.", "invalidSyntax")
        kind, path, value = str(op["op"]).lower(), op.get("path"), op.get("value")
        if not path:
            if not isinstance(value, dict):
                raise ScimError(400, "An operation without a path needs an object value.", "invalidValue")
            for key, item in value.items():
                _set_path(resource, key, item, kind)
        else:
            _set_path(resource, str(path), value, kind)
    return resource


def _set_path(resource: dict, path: str, value, kind: str) -> None:
    enterprise = resource.setdefault(ENTERPRISE, {})
    if path.startswith(ENTERPRISE + ":"):
        path = path[len(ENTERPRISE) + 1 :]
        target = enterprise
    elif path == ENTERPRISE and isinstance(value, dict):
        enterprise.update(value)
        return
    else:
        target = resource
    if path in ("department", "manager") and target is resource:
        target = enterprise
    head, _, rest = path.partition(".")
    if kind == "remove":
        value = None
    if head == "emails" or path.startswith("emails["):
        if isinstance(value, list) and value:
            resource["userName"] = value[0].get("value") if isinstance(value[0], dict) else value[0]
        elif isinstance(value, str):
            resource["userName"] = value
        return
    if rest:
        sub = target.setdefault(head, {})
        if not isinstance(sub, dict):
            raise ScimError(400, f"{head} is not an object.", "invalidPath")
        sub[rest] = value
    elif head in ("userName", "displayName", "active", "name", "department", "manager", "externalId", "title"):
        target[head] = value
    else:
        raise ScimError(400, f"Peak OS does not store {path}.", "invalidPath")


@transaction.atomic
def patch_user(*, token: ScimToken, person: Person, operations, base_url: str) -> Person:
    resource = _patched(user_resource(person, base_url), operations)
    return replace_user(token=token, person=person, resource=resource)


@transaction.atomic
def deactivate_user(*, token: ScimToken, person: Person) -> None:
    _set_active(token, person, False)
