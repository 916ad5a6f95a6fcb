"""``TenantMiddleware``: resolve the organization of ``/o/<org_slug>/`` once per request.

It checks that the user is a member (non-members get 404, so slugs do not leak), sets
``request.organization`` and ``request.membership`` and runs the rest of the request
inside ``org_scope(org)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from peakos.models import Membership, Organization
from peakos.tenancy.scoping import org_scope, scopes_disabled

__all__ = ["TenantMiddleware", "membership_for"]


def membership_for(user: Any, organization: Organization) -> Membership | None:
    """The user's membership of ``organization``, or None (anonymous users have none)."""
    if not user.is_authenticated:
        return None
    return Membership.objects.with_scope(organization=organization).filter(user=user).first()


class TenantMiddleware:
    """Resolve the organization of ``/o/<org_slug>/`` URLs and scope the request to it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> HttpResponse:
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
            return redirect_to_login(request.get_full_path())

        organization = Organization.objects.filter(slug=slug).first()
        membership = membership_for(request.user, organization) if organization else None
        if organization is None or membership is None:
            raise Http404("No such organization.")
        request.organization = organization
        request.membership = membership
        if request.session.get("last_org") != organization.slug:
            request.session["last_org"] = organization.slug
        with org_scope(organization):
            return self.get_response(request)
