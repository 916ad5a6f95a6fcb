"""Reads of the identity app. The login pages run before any organization is chosen, so the
lookups by slug or e-mail domain are explicitly unscoped, and return the provider only."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from identity.models import IdentityProvider
from peakos.models import Membership, Organization, Role
from peakos.tenancy import scopes_disabled


def provider_of(organization: Organization) -> IdentityProvider | None:
    return IdentityProvider.objects.filter(organization=organization).first()


def enabled_provider_for_slug(slug: str) -> IdentityProvider | None:
    with scopes_disabled():
        return (
            IdentityProvider.objects.select_related("organization")
            .filter(organization__slug=slug, enabled=True)
            .first()
        )


def provider_by_id(provider_id) -> IdentityProvider | None:
    if not isinstance(provider_id, int):
        return None
    with scopes_disabled():
        return IdentityProvider.objects.filter(pk=provider_id).first()


def enabled_provider_for_email(email: str) -> IdentityProvider | None:
    """The provider that signs in ``email``'s domain (one organization per domain)."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    with scopes_disabled():
        for provider in IdentityProvider.objects.select_related("organization").filter(enabled=True):
            if domain in provider.email_domains:
                return provider
    return None


def owners_of(organization: Organization):
    return (
        get_user_model()
        .objects.filter(memberships__organization=organization, memberships__role=Role.OWNER)
        .order_by("email")
    )


def password_login_refused(user) -> bool:
    """Whether an organization of ``user`` requires SSO and ``user`` is not its break-glass owner."""
    with scopes_disabled():
        org_ids = Membership.objects.filter(user=user).values_list("organization_id", flat=True)
        return (
            IdentityProvider.objects.filter(organization_id__in=org_ids, enabled=True, sso_required=True)
            .exclude(break_glass_owner=user)
            .exists()
        )
