"""Writes of the identity app: an owner configures and tests the organization's provider.

Every change is one transaction and one audit event (the secret itself is never logged).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from identity import net
from identity.models import SSO_ROLES, IdentityProvider, SsoIdentity
from peakos import memberships, permissions
from peakos.audit import record_audit
from peakos.models import Membership, Person, Role, Team
from peakos.tenancy import org_scope, scopes_disabled

# What a provider's discovery document must name for the authorization code flow.
REQUIRED_METADATA = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
AUDITED_FIELDS = (
    "enabled",
    "issuer",
    "client_id",
    "email_domains",
    "default_role",
    "role_claim",
    "team_claim",
    "sso_required",
    "break_glass_owner_id",
)


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def normalise_domains(domains: list[str]) -> list[str]:
    cleaned = []
    for domain in domains:
        domain = domain.strip().lower().lstrip("@")
        if not domain:
            continue
        if "." not in domain or any(c in domain for c in " /@:"):
            raise ValidationError({"email_domains": _("%(domain)s is not an e-mail domain.") % {"domain": domain}})
        if domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def _check_domains_free(provider: IdentityProvider) -> None:
    """One organization per e-mail domain: the login page must know where to send an address."""
    with scopes_disabled():
        others = IdentityProvider.objects.exclude(organization=provider.organization).values_list(
            "email_domains", flat=True
        )
        taken = {d for domains in others for d in domains}
    clash = sorted(set(provider.email_domains) & taken)
    if clash:
        raise ValidationError(
            {"email_domains": _("Another organization signs in %(domains)s already.") % {"domains": ", ".join(clash)}}
        )


def _check(provider: IdentityProvider) -> None:
    organization = provider.organization
    if provider.default_role not in dict(SSO_ROLES):
        raise ValidationError({"default_role": _("Choose a role other than owner.")})
    if provider.enabled and not provider.tested_at:
        raise ValidationError({"enabled": _("Test the connection successfully before switching SSO on.")})
    if provider.sso_required:
        if not provider.enabled:
            raise ValidationError({"sso_required": _("SSO must be switched on before it can be required.")})
        owner = provider.break_glass_owner
        if (
            owner is None
            or not Membership.objects.filter(organization=organization, user=owner, role=Role.OWNER).exists()
        ):
            raise ValidationError(
                {"break_glass_owner": _("Choose an owner who may still log in with a password when SSO is required.")}
            )
    _check_domains_free(provider)


@transaction.atomic
def save_provider(
    *,
    membership: Membership,
    issuer: str,
    client_id: str,
    client_secret: str = "",
    email_domains: list[str],
    default_role: str = Role.MEMBER,
    role_claim: str = "",
    team_claim: str = "",
    enabled: bool = False,
    sso_required: bool = False,
    break_glass_owner=None,
) -> IdentityProvider:
    """Create or update the organization's provider (owners only). A blank ``client_secret``
    keeps the stored one; a new issuer or client id needs a new "Test connection"."""
    if not permissions.is_owner(membership):
        raise PermissionDenied(_("Only an owner configures single sign-on."))
    organization = membership.organization
    provider = IdentityProvider.objects.select_for_update().filter(organization=organization).first()
    created = provider is None
    if created:
        provider = IdentityProvider(organization=organization)
    before = {f: getattr(provider, f) for f in AUDITED_FIELDS}
    issuer = issuer.strip().rstrip("/")
    if issuer != provider.issuer or client_id.strip() != provider.client_id:
        provider.discovery, provider.tested_at = {}, None
    provider.issuer = issuer
    provider.client_id = client_id.strip()
    if client_secret:
        provider.client_secret = client_secret
    provider.email_domains = normalise_domains(email_domains)
    provider.default_role = default_role
    provider.role_claim = role_claim.strip()
    provider.team_claim = team_claim.strip()
    provider.enabled = enabled
    provider.sso_required = sso_required
    provider.break_glass_owner = break_glass_owner
    provider.full_clean(exclude=["organization", "break_glass_owner"])
    _check(provider)
    provider.save()
    changed = {
        f: [str(before[f]), str(getattr(provider, f))] for f in AUDITED_FIELDS if before[f] != getattr(provider, f)
    }
    if client_secret:
        changed["client_secret"] = ["…", "… (new)"]
    record_audit(
        organization=organization,
        actor=membership.user,
        action="identity.provider.create" if created else "identity.provider.update",
        obj=provider,
        summary=f"Single sign-on: {provider.issuer}" + (" (required)" if provider.sso_required else ""),
        data={"changed": changed},
    )
    return provider


def fetch_discovery(issuer: str) -> dict:
    """The provider's metadata, checked as OpenID Connect Discovery 1.0 (§4.3) asks: its
    ``issuer`` is exactly the configured one, and every endpoint we will call may be called."""
    metadata = net.get_json(discovery_url(issuer))
    missing = [key for key in REQUIRED_METADATA if not metadata.get(key)]
    if missing:
        raise ValidationError(
            _("The discovery document lacks %(fields)s.") % {"fields": ", ".join(missing)}, code="discovery"
        )
    if str(metadata["issuer"]).rstrip("/") != issuer.rstrip("/"):
        raise ValidationError(
            _("The provider calls itself %(found)s, not %(issuer)s.") % {"found": metadata["issuer"], "issuer": issuer}
        )
    if "code" not in metadata.get("response_types_supported", ["code"]):
        raise ValidationError(_("The provider does not offer the authorization code flow."))
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint", "end_session_endpoint"):
        if metadata.get(key):
            net.check_url(str(metadata[key]))
    jwks = net.get_json(str(metadata["jwks_uri"]))
    if not jwks.get("keys"):
        raise ValidationError(_("The provider publishes no signing keys (jwks_uri)."))
    return metadata


def test_connection(*, membership: Membership) -> IdentityProvider:
    """Fetch and check the provider's discovery document and keys; keep them on success.

    On failure the ValidationError says what is wrong, the last good metadata stays (a
    provider down for a minute does not switch SSO off) and the attempt is audited."""
    if not permissions.is_owner(membership):
        raise PermissionDenied(_("Only an owner configures single sign-on."))
    organization = membership.organization
    provider = IdentityProvider.objects.filter(organization=organization).first()
    if provider is None:
        raise ValidationError(_("Save the provider's settings first."))
    try:
        metadata = fetch_discovery(provider.issuer)
    except ValidationError as exc:
        record_audit(
            organization=organization,
            actor=membership.user,
            action="identity.provider.test_failed",
            obj=provider,
            summary="; ".join(exc.messages)[:500],
        )
        raise
    with transaction.atomic():
        provider = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
        provider.discovery = metadata
        provider.tested_at = timezone.now()
        provider.save(update_fields=["discovery", "tested_at", "updated_at"])
        record_audit(
            organization=organization,
            actor=membership.user,
            action="identity.provider.test",
            obj=provider,
            summary=f"Connection to {provider.issuer} works",
        )
    return provider


# --- Signing in ---------------------------------------------------------------------------------


class SignInRefusedError(ValidationError):
    """The provider vouched for someone Peak OS will not log in; the message says why."""


def _claim(claims: dict, name: str) -> str:
    value = claims.get(name) if name else None
    if isinstance(value, list):  # groups-style claims: the first value
        value = value[0] if value else None
    return str(value).strip() if value is not None else ""


def _verified(claims: dict) -> bool:
    return claims.get("email_verified") in (True, "true", "True")


def _find_or_create_user(provider: IdentityProvider, claims: dict):
    """The login for these claims: linked before (issuer + sub), or the existing login with
    this verified e-mail, or a new one. Refused, with the reason, otherwise."""
    organization = provider.organization
    issuer, subject = provider.issuer, _claim(claims, "sub")
    if not subject:
        raise SignInRefusedError(_("The identity provider sent no subject (sub)."))
    identity = (
        SsoIdentity.objects.select_related("user")
        .filter(organization=organization, issuer=issuer, subject=subject)
        .first()
    )
    if identity is not None:
        return identity.user, identity
    email = _claim(claims, "email").lower()
    if not email or not _verified(claims):
        raise SignInRefusedError(
            _(
                "Your identity provider did not confirm that this e-mail address is yours, so Peak OS cannot sign you in."
            )
        )
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).first()
    if user is None:
        name = _claim(claims, "name") or " ".join(
            filter(None, [_claim(claims, "given_name"), _claim(claims, "family_name")])
        )
        user = user_model.objects.create_user(email=email, password=None, name=name[:150])
        created = True
    else:
        created = False
    if SsoIdentity.objects.filter(organization=organization, user=user).exists():
        # Linked to another subject of this provider: an address reused for someone else.
        raise SignInRefusedError(_("This e-mail address is linked to another account of your identity provider."))
    identity = SsoIdentity.objects.create(organization=organization, user=user, issuer=issuer, subject=subject)
    record_audit(
        organization=organization,
        actor=user,
        action="identity.sso.link",
        obj=identity,
        summary=f"{email} {'created' if created else 'linked'} by single sign-on",
    )
    return user, identity


def _refuse_other_tenants(organization, user) -> None:
    """An organization's provider vouches for its own people only: it must never open a login
    that has another organization's pages (its owner controls what the provider asserts), nor
    an operator's."""
    if user.is_staff or user.is_superuser:
        raise SignInRefusedError(_("Operator accounts cannot sign in with single sign-on."))
    if not user.is_active:
        raise SignInRefusedError(_("This account is deactivated."))
    with scopes_disabled():
        elsewhere = Membership.objects.filter(user=user).exclude(organization=organization).exists()
    if elsewhere:
        raise SignInRefusedError(
            _(
                "This login belongs to another organization too, so %(org)s's single sign-on cannot open it: "
                "log in with your password."
            )
            % {"org": organization.name}
        )


def _apply_role_claim(provider: IdentityProvider, membership: Membership, claims: dict) -> None:
    role = _claim(claims, provider.role_claim).lower()
    if not role or role not in dict(SSO_ROLES) or membership.role in (role, Role.OWNER):
        return  # unknown values are ignored; an owner stays an owner (only an owner changes that)
    memberships.set_role(
        target=membership,
        role=role,
        actor=membership.user,
        reason=f"claim {provider.role_claim} of the identity provider",
    )


def _apply_team_claim(provider: IdentityProvider, user, claims: dict) -> None:
    name = _claim(claims, provider.team_claim)
    if not name:
        return
    organization = provider.organization
    team = Team.objects.filter(organization=organization, name__iexact=name, archived=False).first()
    person = Person.objects.filter(organization=organization, user=user).first()
    if team is None or person is None or person.team_id == team.pk:
        return  # a team name Peak OS does not know is ignored, not created
    before = person.team.name if person.team_id else "—"
    person.team = team
    person.save(update_fields=["team", "updated_at"])
    record_audit(
        organization=organization,
        actor=user,
        action="person.update",
        obj=person,
        summary=f"{person.name}: team {before} → {team.name} (claim {provider.team_claim} of the identity provider)",
    )


@transaction.atomic
def sign_in(*, provider: IdentityProvider, claims: dict):
    """The login and membership for a verified ID token's ``claims`` from ``provider``.

    First login: links the existing login with the same *verified* e-mail, or creates one,
    with the organization's default SSO role, and links the person with that e-mail. Every
    login: the role and team claims (when configured) are applied. Raises SignInRefusedError."""
    organization = provider.organization
    with org_scope(organization):
        user, identity = _find_or_create_user(provider, claims)
        _refuse_other_tenants(organization, user)
        membership, joined = Membership.objects.get_or_create(
            organization=organization, user=user, defaults={"role": provider.default_role}
        )
        if joined:
            record_audit(
                organization=organization,
                actor=user,
                action="member.join",
                obj=membership,
                summary=f"{user.email} (single sign-on)",
            )
        memberships.link_person_to_login(organization=organization, user=user)
        _apply_role_claim(provider, membership, claims)
        _apply_team_claim(provider, user, claims)
        identity.last_login_at = timezone.now()
        identity.save(update_fields=["last_login_at"])
        record_audit(
            organization=organization, actor=user, action="identity.sso.login", obj=membership, summary=user.email
        )
    return user, membership
