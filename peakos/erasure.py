"""Erasing a person (GDPR Art. 17), and deleting a whole organization.

Erasing a person: everything that names them goes, every result stays.

What goes: the Person row and every row that hangs off it (their survey invitations and
the extra tokens of those invitations: Django's delete collector follows every foreign
key), the double-submit guard rows of their invitations (keyed by a keyed hash, not a
foreign key: found by computing it, ``surveys.services.guard.guard_digest``),
their login's membership of this organization (and the login itself when it belongs to
no other organization), pending member invitations to their address, and their name and
e-mail address wherever this organization's audit log or people imports wrote them
(replaced by a pseudonym, "erased person #N"; the events themselves stay).

What stays: anonymous responses and answers (they never named anyone) and every stored
result (snapshots, participation, releases, priority alignment, coordination). The
round's invited counts keep the erased person's invitations as a per team × layer tally
(``insights.models.ErasedInvitations``), so a recompute shows leaders what it showed
before.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q

from insights.models import ErasedInvitations
from peakos import permissions
from peakos.audit import record_audit
from peakos.models import (
    AuditEvent,
    MemberInvitation,
    Membership,
    Organization,
    OrganizationDeletion,
    PeopleImport,
    Person,
    Role,
    User,
)
from surveys.models import Invitation, SubmissionGuard
from surveys.services.guard import guard_digest

ERASE_ACTION = "person.erase"


@dataclass
class ErasureReport:
    pseudonym: str
    invitations: int
    rows_deleted: int
    login_deleted: bool
    membership_removed: bool
    audit_events_rewritten: int


def _pseudonym(organization) -> str:
    number = AuditEvent.objects.filter(organization=organization, action=ERASE_ACTION).count() + 1
    return f"erased person #{number}"


def _scrub(value, needles: list[str], pseudonym: str):
    """``value`` (JSON-like) with every needle (case-insensitive) replaced by the pseudonym."""
    if isinstance(value, str):
        out = value
        for needle in needles:
            lowered = out.lower()
            start = lowered.find(needle.lower())
            while start != -1:
                out = out[:start] + pseudonym + out[start + len(needle) :]
                lowered = out.lower()
                start = lowered.find(needle.lower(), start + len(pseudonym))
        return out
    if isinstance(value, list):
        return [_scrub(v, needles, pseudonym) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, needles, pseudonym): _scrub(v, needles, pseudonym) for k, v in value.items()}
    return value


def _mentions(value, needles: list[str]) -> bool:
    text = json.dumps(value, ensure_ascii=False).lower() if not isinstance(value, str) else value.lower()
    return any(needle.lower() in text for needle in needles)


def _rewrite_audit(organization, person: Person, user, needles: list[str], pseudonym: str) -> int:
    """Replace the person's name and address in this organization's audit log; keep the events.

    Events about the person themselves lose their summary and data (it held their fields);
    other events keep theirs with the name and address replaced. Events the person's login
    did here no longer name the login. Reads the log once (names can sit anywhere in JSON).
    """
    changed = []
    for event in AuditEvent.objects.filter(organization=organization).iterator(chunk_size=2000):
        about_person = event.object_type == "person" and event.object_id == str(person.pk)
        by_login = user is not None and event.actor_id == user.pk
        if not (about_person or by_login or _mentions(event.summary, needles) or _mentions(event.data, needles)):
            continue
        if about_person:
            event.summary = f"{event.action}: {pseudonym}"
            event.data = {"person": pseudonym}
        else:
            event.summary = _scrub(event.summary, needles, pseudonym)[:500]
            event.data = _scrub(event.data, needles, pseudonym)
        if by_login:
            event.actor = None
            if isinstance(event.data, dict):
                event.data = {**event.data, "actor": pseudonym}
        changed.append(event)
    AuditEvent.objects.bulk_update(changed, ["summary", "data", "actor"], batch_size=500)
    return len(changed)


def _rewrite_imports(organization, needles: list[str], pseudonym: str) -> None:
    """Uploaded people files keep their text (between preview and confirm, and as a record):
    replace the person's name and address in them."""
    filters = Q()
    for needle in needles:
        filters |= Q(content__icontains=needle)
    changed = []
    for upload in PeopleImport.objects.filter(organization=organization).filter(filters):
        upload.content = _scrub(upload.content, needles, pseudonym)
        upload.summary = _scrub(upload.summary, needles, pseudonym)
        changed.append(upload)
    PeopleImport.objects.bulk_update(changed, ["content", "summary"])


def _tally_invitations(person: Person) -> int:
    """Keep the person's invitations as counts per round × team × layer (no person)."""
    rows = list(Invitation.objects.filter(person=person).values("round_id", "team_id", "layer").annotate(n=Count("id")))
    for row in rows:
        updated = ErasedInvitations.objects.filter(
            organization=person.organization, round_id=row["round_id"], team_id=row["team_id"], layer=row["layer"]
        ).update(invitations=F("invitations") + row["n"])
        if not updated:
            ErasedInvitations.objects.create(
                organization=person.organization,
                round_id=row["round_id"],
                team_id=row["team_id"],
                layer=row["layer"],
                invitations=row["n"],
            )
    return sum(row["n"] for row in rows)


@transaction.atomic
def erase_person(*, membership: Membership, actor, person: Person) -> ErasureReport:
    """Erase one person of the membership's organization (owners only); see the module docstring.

    Refused (``ValidationError``, nothing changed) when the person's login is the
    organization's only owner: the organization would be left without one.
    """
    if not permissions.is_owner(membership):
        raise PermissionDenied("Only an owner can erase a person.")
    organization = membership.organization
    person = Person.objects.select_for_update().get(pk=person.pk, organization=organization)
    user = person.user
    login_membership = (
        Membership.objects.filter(organization=organization, user=user).first() if user is not None else None
    )
    if login_membership is not None and login_membership.role == Role.OWNER:
        owners = Membership.objects.filter(organization=organization, role=Role.OWNER).count()
        if owners <= 1:
            raise ValidationError(f"{person.name} is this organization's only owner: make someone else an owner first.")
    pseudonym = _pseudonym(organization)
    needles = sorted({n for n in (person.email, person.name, getattr(user, "email", ""), getattr(user, "name", "")) if n and len(n) >= 3}, key=len, reverse=True)  # fmt: skip
    invitations = _tally_invitations(person)
    rewritten = _rewrite_audit(organization, person, user, needles, pseudonym)
    _rewrite_imports(organization, needles, pseudonym)
    emails = {person.email} | ({user.email} if user is not None else set())
    MemberInvitation.objects.filter(organization=organization, email__in=emails).delete()
    invitation_ids = Invitation.objects.filter(person=person).values_list("pk", flat=True)
    guards, _ = SubmissionGuard.objects.filter(pk__in=[guard_digest(pk) for pk in invitation_ids]).delete()
    deleted, _ = person.delete()  # cascades: invitations and their tokens
    deleted += guards
    login_deleted = False
    if login_membership is not None:
        login_membership.delete()
        deleted += 1
        if not Membership.objects.with_scopes_disabled().filter(user=user).exists():
            User.objects.filter(pk=user.pk).delete()
            login_deleted = True
    if user is not None and getattr(actor, "pk", None) == user.pk:
        actor = None  # someone erasing themselves: the record must not name them either
    record_audit(
        organization=organization,
        actor=actor,
        action=ERASE_ACTION,
        summary=f"{pseudonym} erased",
        data={"person": pseudonym, "invitations": invitations, "login_deleted": login_deleted},
    )
    return ErasureReport(
        pseudonym=pseudonym,
        invitations=invitations,
        rows_deleted=deleted,
        login_deleted=login_deleted,
        membership_removed=login_membership is not None,
        audit_events_rewritten=rewritten,
    )


# --------------------------------------------------------------------------- organizations

logger = logging.getLogger("peakos.erasure")


def _organization_paths() -> list[tuple[type[models.Model], str]]:
    """Every model (all apps) with the lookup that finds an organization's rows in it:
    its own foreign key to Organization, or one hop through a tenant model (tables that do
    not carry ``organization`` themselves). Organization itself comes last."""
    tenant = {}
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is Organization:
                tenant[model] = f.name
                break
    paths = [(m, name) for m, name in tenant.items() if m is not Organization]
    for model in apps.get_models():
        if model in tenant or model is Organization or model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model in tenant:
                paths.append((model, f"{f.name}__{tenant[f.related_model]}"))
                break
    return paths


@transaction.atomic
def delete_organization(*, membership: Membership, actor, confirm: str) -> OrganizationDeletion:
    """Delete every row of every table that belongs to the organization (owners only).

    ``confirm`` must repeat the slug. The organization's audit log goes with it, so an
    operator-level ``OrganizationDeletion`` (slug, acting user, time; nothing else) and a
    log line record it. Logins that belonged to no other organization are deleted too,
    except the acting owner's own (they may start another organization).

    Rows are deleted table by table without Django's collector (``_raw_delete``): the
    team tree and questions are PROTECTed against piecemeal deletes, and every foreign
    key is DEFERRABLE INITIALLY DEFERRED, so the checks run at commit, when nothing of the
    organization is left to point at.
    """
    if not permissions.is_owner(membership):
        raise PermissionDenied("Only an owner can delete the organization.")
    organization = Organization.objects.select_for_update().get(pk=membership.organization_id)
    if (confirm or "").strip().lower() != organization.slug:
        raise ValidationError({"confirm": f"Type the organization's slug, “{organization.slug}”, to confirm."})
    slug = organization.slug
    member_ids = list(Membership.objects.filter(organization=organization).values_list("user_id", flat=True))
    record = OrganizationDeletion.objects.create(
        slug=slug,
        deleted_by=actor if getattr(actor, "pk", None) else None,
        deleted_by_email=getattr(actor, "email", ""),
    )
    for model, lookup in _organization_paths():
        model._base_manager.filter(**{lookup: organization.pk})._raw_delete(model._base_manager.db)
    Organization.objects.filter(pk=organization.pk)._raw_delete(Organization.objects.db)
    orphans = (
        User.objects.filter(pk__in=member_ids)
        .exclude(pk=getattr(actor, "pk", None))
        .exclude(pk__in=Membership.objects.with_scopes_disabled().values("user_id"))
    )
    orphans.delete()
    logger.warning("organization %s deleted by %s", slug, record.deleted_by_email or "an operator")
    return record
