"""The template context processor of the tenancy: who is looking, in which organization."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from peakos.navigation import items_for
from peakos.selectors import memberships_of

__all__ = ["tenant_context"]


def tenant_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: the current organization and the user's organizations for the switcher."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = memberships_of(user)
    nav = items_for(request)
    return {
        "current_org": getattr(request, "organization", None),
        "current_membership": getattr(request, "membership", None),
        "user_memberships": memberships,
        "org_nav_items": [item for item in nav if not item["admin"]],
        "org_nav_admin_items": [item for item in nav if item["admin"]],
    }
