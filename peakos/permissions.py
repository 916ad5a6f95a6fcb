"""Role rules, in one place. Views, templates and the API ask these functions.

* owner / admin: manage everything in their organization and see all results;
* leader: sees all results, approves reviews, manages nothing;
* manager: sees the results of the team subtrees they lead;
* member: sees organization-level results only.

Only an owner changes the organization's privacy settings (thresholds).
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied

from peakos.models import Membership, Role
from peakos.selectors import subtree_ids, team_tree

MANAGING_ROLES = frozenset({Role.OWNER, Role.ADMIN})
ALL_RESULTS_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.LEADER})

# Privilege order, used to stop an admin from granting more than they hold.
ROLE_RANK = {Role.MEMBER: 0, Role.MANAGER: 1, Role.LEADER: 2, Role.ADMIN: 3, Role.OWNER: 4}


def is_owner(membership: Membership | None) -> bool:
    return membership is not None and membership.role == Role.OWNER


def can_manage(membership: Membership | None) -> bool:
    """Configure teams, people, surveys, review cycles, members."""
    return membership is not None and membership.role in MANAGING_ROLES


def can_edit_privacy(membership: Membership | None) -> bool:
    """Change the anonymity thresholds: owners only, it is a promise to employees."""
    return is_owner(membership)


def can_see_all_results(membership: Membership | None) -> bool:
    return membership is not None and membership.role in ALL_RESULTS_ROLES


def can_grant(membership: Membership | None, role: str) -> bool:
    """An admin may grant any role up to admin; only an owner grants owner."""
    if not can_manage(membership):
        return False
    return ROLE_RANK[Role(role)] <= ROLE_RANK[Role(membership.role)]


def visible_team_ids(membership: Membership | None) -> set[int] | None:
    """Teams whose results this member may see.

    ``None`` means every team; an empty set means organization level only.
    A manager sees the subtrees of the teams they lead (Team.lead is their Person).
    """
    if membership is None:
        return set()
    if can_see_all_results(membership):
        return None
    if membership.role != Role.MANAGER:
        return set()
    from peakos.models import Team

    led = list(
        Team.objects.filter(lead__user_id=membership.user_id, organization_id=membership.organization_id).values_list(
            "id", flat=True
        )
    )
    if not led:
        return set()
    tree = team_tree(membership.organization)
    visible: set[int] = set()
    for team_id in led:
        visible |= subtree_ids(tree, team_id)
    return visible


def can_see_team(membership: Membership | None, team_id: int) -> bool:
    visible = visible_team_ids(membership)
    return visible is None or team_id in visible


# --- REST API (issue 8). A token request runs as a stand-in membership with the token's role. ----


def is_member(membership: Membership | None) -> bool:
    """Any member reads the organization, its team tree, dependencies and priorities (as its home page shows)."""
    return membership is not None


def can_see_people(membership: Membership | None) -> bool:
    """The people directory (names, e-mail addresses, managers): those who see all results."""
    return can_see_all_results(membership)


def require(check):
    """View decorator: ``@require(can_manage)`` raises 403 when the check fails.

    Non-members never get here: the tenant middleware already answered 404.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check(getattr(request, "membership", None)):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
