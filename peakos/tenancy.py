"""The one tenancy mechanism of Peak OS.

* Every tenant-owned model declares ``objects = OrgScopedManager()`` (django-scopes,
  as pretix does). A query on such a model outside an active scope raises
  ``ScopeError``; inside ``scope(organization=org)`` it is filtered to ``org``.
* ``TenantMiddleware`` resolves ``/o/<org_slug>/...`` once per request, checks that
  the user is a member (non-members get 404, so slugs do not leak), sets
  ``request.organization`` and ``request.membership`` and runs the rest of the
  request inside ``scope(organization=org)``.
* Celery tasks and management commands take the organization explicitly and
  wrap their work in ``org_scope(org)``.
* The escape hatches are explicit and grep-able: ``scopes_disabled()`` and
  ``Model.objects.with_scopes_disabled()``.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.http import Http404
from django.urls import Resolver404, resolve
from django_scopes import ScopedManager, scope, scopes_disabled

if TYPE_CHECKING:
    from peakos.models import Membership, Organization

__all__ = ["OrgScopedManager", "TenantMiddleware", "org_scope", "scopes_disabled", "tenant_context"]


def OrgScopedManager(manager_class=None):  # noqa: N802 - a manager factory, named like a class
    """A manager whose queries require an active organization scope."""
    if manager_class is None:
        return ScopedManager(organization="organization")
    return ScopedManager(_manager_class=manager_class, organization="organization")


@contextmanager
def org_scope(organization: Organization):
    """Run a block inside one organization's scope (tasks, commands, tests)."""
    if organization is None or getattr(organization, "pk", None) is None:
        # django-scopes treats a None value as "no filter": never allow that.
        raise ValueError("org_scope needs a saved organization")
    with scope(organization=organization):
        yield


def membership_for(user, organization: Organization) -> Membership | None:
    from peakos.models import Membership

    if not user.is_authenticated:
        return None
    return Membership.objects.with_scope(organization=organization).filter(user=user).first()


class TenantMiddleware:
    """Resolve the organization of ``/o/<org_slug>/`` URLs and scope the request to it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organization = None
        request.membership = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        slug = match.kwargs.get("org_slug") if match else None
        if slug is None:
            if request.path_info.startswith("/admin/"):
                # Django admin is for superusers and shows every tenant on purpose.
                with scopes_disabled():
                    return self.get_response(request)
            return self.get_response(request)

        if not request.user.is_authenticated:
            # Same answer whether or not the slug exists: no leak.
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())

        from peakos.models import Organization

        organization = Organization.objects.filter(slug=slug).first()
        membership = membership_for(request.user, organization) if organization else None
        if membership is None:
            raise Http404("No such organization.")
        request.organization = organization
        request.membership = membership
        if request.session.get("last_org") != organization.slug:
            request.session["last_org"] = organization.slug
        with org_scope(organization):
            return self.get_response(request)


def tenant_context(request) -> dict:
    """Template context: the current organization and the user's organizations for the switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from peakos.navigation import items_for
    from peakos.selectors import memberships_of

    memberships = memberships_of(user)
    nav = items_for(request)
    return {
        "current_org": getattr(request, "organization", None),
        "current_membership": getattr(request, "membership", None),
        "user_memberships": memberships,
        "org_nav_items": [item for item in nav if not item["admin"]],
        "org_nav_admin_items": [item for item in nav if item["admin"]],
    }
