"""Who is calling the REST API, for which organization, and how often.

* API tokens belong to one organization and carry a role. Only the SHA-256 of a
  token is stored (``peakos.tokens.hash_token``); the raw token is shown once.
  ``create_api_token`` / ``revoke_api_token`` are the services, used by the
  admin page (/o/<slug>/api-tokens/) and the ``create_api_token`` command.
* ``ApiTokenAuthentication`` reads ``Authorization: Bearer <token>``. A token has
  no user: the request runs as ``TokenMembership``, a stand-in Membership with the
  token's role and no user, so the rules of ``peakos.permissions`` apply unchanged
  and rules that follow a user (team leads, a manager's own teams) match nothing.
* Browser sessions use Django's session (with CSRF) and name the organization
  with the ``X-Organization`` header or the ``organization`` query parameter.
* ``TokenRateThrottle`` counts requests per token (per user for sessions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from peakos import permissions
from peakos.audit import record_audit
from peakos.models import ApiToken, Membership, Organization, Role
from peakos.tenancy.middleware import membership_for

ORG_HEADER = "X-Organization"
ORG_QUERY_PARAM = "organization"

# Roles a token may carry. Not manager: a manager sees the teams their own Person
# leads, and a token is nobody. Not owner: privacy settings are a person's promise.
TOKEN_ROLES = (Role.ADMIN, Role.LEADER, Role.MEMBER)

# A user id no row has: rules that follow the caller's user (team lead, own team) match nothing.
NO_USER_ID = 0


@dataclass(frozen=True)
class TokenMembership:
    """The membership a token request runs as: the token's organization and role, no user."""

    organization: Organization
    role: str
    token: ApiToken
    user: ClassVar[None] = None
    user_id: ClassVar[int] = NO_USER_ID
    pk: ClassVar[None] = None

    @property
    def organization_id(self) -> int:
        return self.organization.pk

    def get_role_display(self) -> str:
        return Role(self.role).label


class TokenUser:
    """``request.user`` of a token request: authenticated, but no account behind it."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken):
        self.token = token

    def __str__(self) -> str:
        return f"API token {self.token.name}"


# --- Services ----------------------------------------------------------------------------------


@transaction.atomic
def create_api_token(
    *, organization: Organization, membership, name: str, role: str, expires_on: date | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``organization``; returns it and the raw token (shown once, never stored).

    ``membership`` is the creator's (None from the management command, which runs as the operator).
    ``expires_on``: the last day the token works, in the organization's time zone (None: no end).
    """
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Give the token a name, e.g. the system that will use it."
    elif len(name) > ApiToken._meta.get_field("name").max_length:
        errors["name"] = "Keep the name under 100 characters."
    if role not in TOKEN_ROLES:
        errors["role"] = "A token's role is admin, leader or member."
    elif membership is not None and not permissions.can_grant(membership, role):
        errors["role"] = "You cannot create a token with a role above your own."
    expires_at = None
    if expires_on is not None:
        # Works through the whole of that day where the organization is.
        zone = ZoneInfo(organization.timezone)
        expires_at = datetime.combine(expires_on + timedelta(days=1), time.min, tzinfo=zone)
        if expires_at <= timezone.now():
            errors["expires_on"] = "That day is over: choose today or a later day, or leave it empty for no end."
    if errors:
        raise ValidationError(errors)
    actor = getattr(membership, "user", None)
    token, raw = ApiToken.mint(organization=organization, name=name, created_by=actor, role=role, expires_at=expires_at)
    until = f", until {expires_on.isoformat()}" if expires_on else ""
    record_audit(
        organization=organization,
        actor=actor,
        action="api_token.create",
        obj=token,
        summary=f"{name} ({role}{until})",
    )
    return token, raw


@transaction.atomic
def revoke_api_tokens(*, membership, only_flagged: bool) -> int:
    """Revoke, in one step, every active token of the organization (or only those whose creator
    lost the role to manage them). Owners only: it can cut off every integration at once.
    One audit event lists them. Returns how many were revoked."""
    if not permissions.is_owner(membership):
        raise PermissionDenied("Only an owner revokes tokens in bulk.")
    tokens = ApiToken.objects.select_for_update().filter(revoked_at__isnull=True)
    if only_flagged:
        tokens = tokens.filter(creator_lost_role_at__isnull=False)
    tokens = list(tokens)
    if not tokens:
        return 0
    now = timezone.now()
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
    record_audit(
        organization=membership.organization,
        actor=membership.user,
        action="api_token.revoke_flagged" if only_flagged else "api_token.revoke_all",
        summary=f"{len(tokens)} token{'s' if len(tokens) != 1 else ''}: " + ", ".join(t.name for t in tokens),
        data={"token_ids": [t.pk for t in tokens]},
    )
    return len(tokens)


@transaction.atomic
def flag_tokens_of(*, user, organization: Organization) -> list[ApiToken]:
    """Flag the active tokens ``user`` created in ``organization`` when they lose the role that
    manages tokens, and e-mail the remaining owners (after commit). A token keeps working — it may
    run a real integration — until an owner revokes it; the page shows it flagged."""
    tokens = list(
        ApiToken.objects.with_scope(organization=organization)
        .select_for_update()
        .filter(created_by=user, revoked_at__isnull=True, creator_lost_role_at__isnull=True)
    )
    if not tokens:
        return []
    now = timezone.now()
    ApiToken.objects.with_scope(organization=organization).filter(pk__in=[t.pk for t in tokens]).update(
        creator_lost_role_at=now
    )
    record_audit(
        organization=organization,
        actor=None,
        action="api_token.flag",
        summary=f"{user.email} no longer manages tokens: " + ", ".join(t.name for t in tokens),
        data={"token_ids": [t.pk for t in tokens]},
    )
    owners = list(
        Membership.objects.with_scope(organization=organization)
        .filter(role=Role.OWNER)
        .exclude(user=user)
        .values_list("user__email", flat=True)
    )
    if owners:
        context = {
            "organization": organization,
            "user": user,
            "tokens": tokens,
            "url": settings.SITE_URL + reverse("api_tokens", args=[organization.slug]),
        }
        transaction.on_commit(
            lambda: send_mail(
                subject=f"{organization.name}: API tokens of {user.email} need a decision",
                message=render_to_string("peakos/email/api_tokens_flagged.txt", context),
                from_email=None,
                recipient_list=owners,
            )
        )
    return tokens


@transaction.atomic
def revoke_api_token(*, token: ApiToken, membership) -> ApiToken:
    """Revoke a token: it stops working at once. Revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(
            organization=token.organization,
            actor=getattr(membership, "user", None),
            action="api_token.revoke",
            obj=token,
            summary=token.name,
        )
    return token


# --- Authentication ----------------------------------------------------------------------------


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` (``Token <token>`` works too)."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        raw = parts[1].decode(errors="replace")
        token = ApiToken.unrevoked(raw)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                f"This token expired on {token.expires_at.isoformat()}. Ask an admin of the organization for a new one."
            )
        token.mark_used()
        return TokenUser(token), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def requested_org_slug(request) -> str:
    return (request.headers.get(ORG_HEADER) or request.query_params.get(ORG_QUERY_PARAM) or "").strip()


def resolve_organization(request):
    """The organization and membership of an authenticated API request.

    A token's organization is the token's; naming another one is a 404. A session
    user names it (header or query parameter) or, with a single membership, may omit it;
    a slug they are not a member of is a 404, like the /o/<slug>/ pages.
    """
    slug = requested_org_slug(request)
    token = request.auth if isinstance(request.auth, ApiToken) else None
    if token is not None:
        if slug and slug != token.organization.slug:
            raise exceptions.NotFound("No such organization.")
        return token.organization, TokenMembership(organization=token.organization, role=token.role, token=token)
    if not slug:
        from peakos.selectors import memberships_of

        memberships = memberships_of(request.user)
        if len(memberships) != 1:
            raise exceptions.ParseError(
                f"Name the organization with the {ORG_HEADER} header or the {ORG_QUERY_PARAM} query parameter."
            )
        return memberships[0].organization, memberships[0]
    organization = Organization.objects.filter(slug=slug).first()
    membership = membership_for(request.user, organization) if organization else None
    if membership is None:
        raise exceptions.NotFound("No such organization.")
    return organization, membership


# --- Throttling --------------------------------------------------------------------------------


class TokenRateThrottle(SimpleRateThrottle):
    """One budget per token (``API_THROTTLE_RATE``, default 600/min); per user for sessions, per IP otherwise."""

    scope = "api"

    def get_rate(self):
        # Read at request time so the rate follows settings overrides (tests, operators).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
