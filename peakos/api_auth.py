"""Who is calling the REST API, for which organization, and how often.

* API tokens belong to one organization and carry a role. Only the SHA-256 of a
  token is stored (``peakos.services.hash_token``); the raw token is shown once.
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
from datetime import timedelta
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from peakos import permissions
from peakos.models import ApiToken, Organization, Role
from peakos.services import hash_token, new_token, record_audit
from peakos.tenancy import membership_for

TOKEN_PREFIX = "pk_"  # lets secret scanners and people recognise a Peak OS token
ORG_HEADER = "X-Organization"
ORG_QUERY_PARAM = "organization"
LAST_USED_GRANULARITY = timedelta(minutes=1)  # at most one write per token per minute

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
def create_api_token(*, organization: Organization, membership, name: str, role: str) -> tuple[ApiToken, str]:
    """Create a token for ``organization``; returns it and the raw token (shown once, never stored).

    ``membership`` is the creator's (None from the management command, which runs as the operator).
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
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + new_token()[0]
    actor = getattr(membership, "user", None)
    token = ApiToken.objects.with_scope(organization=organization).create(
        organization=organization,
        name=name,
        role=role,
        prefix=raw[:10],
        token_hash=hash_token(raw),
        created_by=actor,
    )
    record_audit(
        organization=organization, actor=actor, action="api_token.create", obj=token, summary=f"{name} ({role})"
    )
    return token, raw


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
        # Unscoped on purpose: the token names the organization.
        token = (
            ApiToken.objects.with_scopes_disabled()
            .select_related("organization")
            .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
            ApiToken.objects.with_scopes_disabled().filter(pk=token.pk).update(last_used_at=now)
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
