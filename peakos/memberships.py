"""Writes of organizations and their members: creating an organization, its settings, member
invitations, roles, removing a member, a user's language.

Each service is one transaction and validates its input. (Teams and people are written by
``peakos.people.services``; the audit log is ``peakos.audit``, link tokens ``peakos.tokens``.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from peakos import permissions
from peakos.audit import record_audit
from peakos.i18n import shipped_languages
from peakos.models import MemberInvitation, Membership, Organization, Person, Role
from peakos.tenancy import org_scope
from peakos.tokens import hash_token, new_token

INVITATION_VALID_DAYS = 14


@transaction.atomic
def create_organization(*, name: str, slug: str, owner, timezone_name: str = "UTC") -> Organization:
    org = Organization(name=name, slug=slug, timezone=timezone_name)
    org.full_clean()
    org.save()
    with org_scope(org):
        Membership.objects.create(organization=org, user=owner, role=Role.OWNER)
        record_audit(organization=org, actor=owner, action="organization.create", obj=org, summary=name)
    return org


@transaction.atomic
def update_organization_settings(*, membership: Membership, actor, **fields) -> Organization:
    """Change name, timezone, languages and (owners only: promises to employees) the anonymity
    thresholds and the retention period."""
    org = Organization.objects.select_for_update().get(pk=membership.organization_id)
    privacy = {"anonymity_threshold", "comment_threshold", "retention_months"}
    changed = {k: v for k, v in fields.items() if getattr(org, k) != v}
    if privacy & changed.keys() and not permissions.can_edit_privacy(membership):
        raise PermissionDenied("Only an owner changes the anonymity thresholds and the retention period.")
    if not permissions.can_manage(membership):
        raise PermissionDenied("Your role does not allow this.")
    before = {k: getattr(org, k) for k in changed}
    for key, value in changed.items():
        setattr(org, key, value)
    org.full_clean()
    org.save()
    if changed:
        record_audit(
            organization=org,
            actor=actor,
            action="organization.settings",
            obj=org,
            summary=", ".join(f"{k}: {before[k]} → {v}" for k, v in changed.items()),
            data={"before": before, "after": changed},
        )
    return org


def set_user_language(*, user, language: str) -> str:
    """The language a user reads the app in (the account menu's chooser). Returns it."""
    if language not in shipped_languages():
        raise ValidationError({"language": "Choose one of the languages in the list."})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return language


def _invite_url(raw_token: str) -> str:
    return settings.SITE_URL + reverse("accept_invitation", args=[raw_token])


def create_invitation(*, organization: Organization, email: str, role: str, invited_by) -> tuple[MemberInvitation, str]:
    """Store an invitation (audit-logged) and return it with its raw token; sends nothing.

    invite_member mails it on its own; the review-cycle mail carries it inside the
    team lead's review e-mail instead. Call inside the organization's scope.
    """
    raw, digest = new_token()
    invitation = MemberInvitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        token_hash=digest,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=INVITATION_VALID_DAYS),
    )
    record_audit(
        organization=organization,
        actor=invited_by,
        action="member.invite",
        obj=invitation,
        summary=f"{email} as {role}",
    )
    return invitation, raw


def invitation_url(raw_token: str) -> str:
    return _invite_url(raw_token)


@transaction.atomic
def invite_member(*, membership: Membership, email: str, role: str) -> tuple[MemberInvitation, str]:
    """Invite someone by e-mail with a role; returns the invitation and the raw token."""
    org = membership.organization
    email = (email or "").strip().lower()
    if not permissions.can_grant(membership, role):
        raise ValidationError({"role": "You cannot grant a role above your own."})
    if Membership.objects.filter(organization=org, user__email=email).exists():
        raise ValidationError({"email": f"{email} is already a member of {org.name}."})
    invitation, raw = create_invitation(organization=org, email=email, role=role, invited_by=membership.user)
    context = {"organization": org, "inviter": membership.user, "role": role, "url": _invite_url(raw)}
    transaction.on_commit(
        lambda: send_mail(
            subject=f"You're invited to {org.name} on Peak OS",
            message=render_to_string("peakos/email/invitation.txt", context),
            from_email=None,
            recipient_list=[email],
            html_message=render_to_string("peakos/email/invitation.html", context),
        )
    )
    return invitation, raw


def find_invitation(raw_token: str) -> MemberInvitation | None:
    """Look an invitation up by its token. Unscoped on purpose: the token names the tenant."""
    return (
        MemberInvitation.objects.with_scopes_disabled()
        .select_related("organization")
        .filter(token_hash=hash_token(raw_token))
        .first()
    )


@transaction.atomic
def accept_invitation(*, invitation: MemberInvitation, user=None, name: str = "", password: str = ""):
    """Accept an invitation: create the user if needed, then the membership. Single use."""
    invitation = MemberInvitation.objects.with_scopes_disabled().select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError("This invitation has expired or was already used.")
    user_model = get_user_model()
    if user is None:
        if user_model.objects.filter(email=invitation.email).exists():
            raise ValidationError("An account with this e-mail exists: log in to accept.")
        user = user_model.objects.create_user(email=invitation.email, password=password, name=name)
    elif user.email != invitation.email:
        raise ValidationError(f"This invitation is for {invitation.email}; you are logged in as {user.email}.")
    org = invitation.organization
    with org_scope(org):
        membership, _ = Membership.objects.get_or_create(
            organization=org, user=user, defaults={"role": invitation.role}
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        record_audit(organization=org, actor=user, action="member.join", obj=membership, summary=user.email)
        link_person_to_login(organization=org, user=user)
    return user, membership


def link_person_to_login(*, organization: Organization, user) -> Person | None:
    """Link the organization's Person with the user's e-mail to the login, if it has none yet.

    Without it a manager who joins sees nothing of their own team: results and reviews
    follow ``Person.user`` ("leads this team", own_team_ids). Call inside the org scope.
    """
    person = (
        Person.objects.select_for_update()
        .filter(organization=organization, email=user.email.lower(), user__isnull=True)
        .first()
    )
    if person is None:
        return None
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    record_audit(
        organization=organization,
        actor=user,
        action="person.login",
        obj=person,
        summary=f"{person.name} linked to the login {user.email} (same e-mail, on joining)",
    )
    return person


@transaction.atomic
def set_person_login(*, membership: Membership, person: Person, user) -> Person:
    """Link a person to a member's login (or unlink with ``user=None``), from the person page."""
    if not permissions.can_manage(membership):
        raise PermissionDenied("Your role does not allow this.")
    org = membership.organization
    if person.organization_id != org.id:
        raise PermissionDenied
    if user is not None and not Membership.objects.filter(organization=org, user=user).exists():
        raise ValidationError({"user": f"{user.email} is not a member of {org.name}."})
    if user is not None and Person.objects.filter(organization=org, user=user).exclude(pk=person.pk).exists():
        other = Person.objects.filter(organization=org, user=user).exclude(pk=person.pk).first()
        raise ValidationError({"user": f"{user.email} is already linked to {other.name}; unlink it there first."})
    before = person.user
    if before == user:
        return person
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    record_audit(
        organization=org,
        actor=membership.user,
        action="person.login",
        obj=person,
        summary=(f"{person.name}: login {before.email if before else 'none'} → {user.email if user else 'none'}"),
        data={"before": before.pk if before else None, "after": user.pk if user else None},
    )
    return person


@dataclass
class PeopleInvited:
    invited: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "who: why"


@transaction.atomic
def invite_people(*, membership: Membership, person_ids: list[int], role: str) -> PeopleInvited:
    """Invite the selected people to log in with one role (the people list's bulk action).

    People who already have a login here or an unexpired invitation are skipped and
    named; everyone else gets the usual invitation e-mail (one audit event each).
    """
    if not permissions.can_manage(membership):
        raise PermissionDenied("Your role does not allow this.")
    if not permissions.can_grant(membership, role):
        raise ValidationError({"role": "You cannot grant a role above your own."})
    org = membership.organization
    ids = sorted({int(i) for i in person_ids})
    people = list(Person.objects.filter(organization=org, pk__in=ids).order_by("name"))
    if not ids or len(people) != len(ids):
        raise ValidationError("Select people of this organization.")
    members = set(Membership.objects.filter(organization=org).values_list("user__email", flat=True))
    pending = set(
        MemberInvitation.objects.filter(
            organization=org, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).values_list("email", flat=True)
    )
    result = PeopleInvited()
    for person in people:
        if person.email in members or person.user_id:
            result.skipped.append(f"{person.name}: already has a login")
        elif person.email in pending:
            result.skipped.append(f"{person.name}: already invited")
        else:
            invite_member(membership=membership, email=person.email, role=role)
            result.invited.append(person.name)
            pending.add(person.email)
    return result


@transaction.atomic
def change_role(*, membership: Membership, target: Membership, role: str) -> Membership:
    """Change a member's role; an organization always keeps at least one owner."""
    if target.organization_id != membership.organization_id:
        raise PermissionDenied
    if not permissions.can_grant(membership, role) or not permissions.can_grant(membership, target.role):
        raise ValidationError({"role": "You cannot change a member to or from a role above your own."})
    _keep_an_owner(target, new_role=role)
    set_role(target=target, role=role, actor=membership.user)
    return target


def set_role(*, target: Membership, role: str, actor, reason: str = "") -> None:
    """Give a member another role, audited, with what a demotion implies (``_role_lost``).
    Who may do it is the caller's check: a manager on the members page, an identity provider's
    role claim (identity.services)."""
    old = target.role
    target.role = role
    target.save(update_fields=["role"])
    record_audit(
        organization=target.organization,
        actor=actor,
        action="member.role",
        obj=target,
        summary=f"{target.user.email}: {old} → {role}" + (f" ({reason})" if reason else ""),
    )
    if permissions.ROLE_RANK[Role(role)] < permissions.ROLE_RANK[Role(old)]:
        _role_lost(target=target, old_role=old, new_role=role, actor=actor)


@transaction.atomic
def remove_member(*, membership: Membership, target: Membership) -> None:
    if target.organization_id != membership.organization_id:
        raise PermissionDenied
    if not permissions.can_grant(membership, target.role):
        raise ValidationError("You cannot remove a member whose role is above your own.")
    _keep_an_owner(target, new_role=None)
    record_audit(
        organization=target.organization,
        actor=membership.user,
        action="member.remove",
        obj=target,
        summary=target.user.email,
    )
    _role_lost(target=target, old_role=target.role, new_role=None, actor=membership.user)
    target.delete()


def end_sessions(user) -> None:
    """Log ``user`` out of every session (every browser, every device): their session hash
    includes ``session_epoch`` (peakos.models.User), so raising it invalidates them all. A view
    acting for the user themself keeps its own session with ``update_session_auth_hash``."""
    type(user).objects.filter(pk=user.pk).update(session_epoch=models.F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])


def _role_lost(*, target: Membership, old_role: str, new_role: str | None, actor) -> None:
    """What follows a demotion or a removal, inside the same transaction: sessions opened with
    the old privileges end (a browser left open must not keep admin pages), and the API tokens
    they created are flagged for the owners when they no longer manage tokens."""
    end_sessions(target.user)
    if old_role in permissions.MANAGING_ROLES and new_role not in permissions.MANAGING_ROLES:
        from peakos.api_auth import flag_tokens_of  # api_auth imports this module

        flag_tokens_of(user=target.user, organization=target.organization)


def _keep_an_owner(target: Membership, new_role: str | None) -> None:
    if target.role != Role.OWNER or new_role == Role.OWNER:
        return
    owners = (
        Membership.objects.select_for_update()
        .filter(organization_id=target.organization_id, role=Role.OWNER)
        .exclude(pk=target.pk)
    )
    if not owners.exists():
        raise ValidationError("An organization always keeps at least one owner.")
