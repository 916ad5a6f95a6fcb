"""Who sees and edits a team's rhythm, built on the shared rules of peakos/permissions.py.

* members see and edit the rhythm of their own teams (their Person's team, Person.user link);
* a team's lead, and managers for the subtrees they lead, likewise;
* owners and admins edit every team's (they run the organization's setup);
* leaders (and owners/admins) see every team's rhythm and the organization's rhythm health.

A cross-team issue belongs to two teams: the one that raised it and the one it was raised to;
both see it and the receiving team solves it.
"""

from __future__ import annotations

from peakos import permissions
from peakos.models import Membership, Role, Team


def editable_team_ids(membership: Membership | None) -> set[int] | None:
    """Teams whose rhythm this member edits; ``None`` means every team."""
    if membership is None:
        return set()
    if permissions.can_manage(membership):
        return None
    ids = set(permissions.own_team_ids(membership))
    ids |= set(
        Team.objects.filter(lead__user_id=membership.user_id, organization_id=membership.organization_id).values_list(
            "id", flat=True
        )
    )
    if membership.role == Role.MANAGER:
        ids |= permissions.visible_team_ids(membership) or set()
    return ids


def visible_team_ids(membership: Membership | None) -> set[int] | None:
    """Teams whose rhythm this member sees; ``None`` means every team."""
    if permissions.can_see_all_results(membership):
        return None
    return editable_team_ids(membership)


def _contains(ids: set[int] | None, team_id: int | None) -> bool:
    return team_id is not None and (ids is None or team_id in ids)


def can_see_team(membership: Membership | None, team_id: int | None) -> bool:
    return _contains(visible_team_ids(membership), team_id)


def can_edit_team(membership: Membership | None, team_id: int | None) -> bool:
    return _contains(editable_team_ids(membership), team_id)


def can_see_issue(membership: Membership | None, issue) -> bool:
    ids = visible_team_ids(membership)
    return _contains(ids, issue.team_id) or _contains(ids, issue.raised_to_id)


def can_solve_issue(membership: Membership | None, issue) -> bool:
    """The team that works on it (the team it was raised to, else its own) solves it."""
    return can_edit_team(membership, issue.owner_team_id)


def can_see_health(membership: Membership | None) -> bool:
    """The organization's rhythm health (every team's meetings, ratings, velocity): leaders."""
    return permissions.can_see_all_results(membership)
