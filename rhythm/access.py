"""Who sees and edits a team's rhythm, built on the shared rules of peakos/permissions.py.

* members see and edit the rhythm of their own teams (their Person's team, Person.user link);
* a team's lead, and managers for the subtrees they lead, likewise;
* owners and admins edit every team's (they run the organization's setup);
* leaders (and owners/admins) see every team's rhythm and the organization's rhythm health;
* leaders also edit and archive any team's measurables and issues (``can_change``).

A cross-team issue belongs to two teams: the one that raised it and the one it was raised to;
both see it and the receiving team solves it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

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


def visible_rows(queryset: QuerySet, membership: Membership | None, *team_fields: str) -> QuerySet:
    """The rows of ``queryset`` whose team (any of ``team_fields``, e.g. ``team_id`` and
    ``raised_to_id`` for an issue) is one the member sees."""
    ids = visible_team_ids(membership)
    if ids is None:
        return queryset
    q = Q(pk__in=[])
    for name in team_fields:
        q |= Q(**{f"{name}__in": ids})
    return queryset.filter(q)


def _contains(ids: set[int] | None, team_id: int | None) -> bool:
    return team_id is not None and (ids is None or team_id in ids)


def can_see_team(membership: Membership | None, team_id: int | None) -> bool:
    return _contains(visible_team_ids(membership), team_id)


def can_edit_team(membership: Membership | None, team_id: int | None) -> bool:
    return _contains(editable_team_ids(membership), team_id)


@permissions.rule("You cannot see this issue.")
def can_see_issue(membership: Membership | None, issue) -> bool:
    ids = visible_team_ids(membership)
    return _contains(ids, issue.team_id) or _contains(ids, issue.raised_to_id)


@permissions.rule("The team the issue is raised to decides what happens to it.")
def can_solve_issue(membership: Membership | None, issue) -> bool:
    """The team that works on it (the team it was raised to, else its own) solves it."""
    return can_edit_team(membership, issue.owner_team_id)


def team_id_of(obj) -> int:
    """The team a rhythm row belongs to (a Team is its own)."""
    return obj.pk if isinstance(obj, Team) else obj.team_id


@permissions.rule("You see the rhythm of your own teams only.")
def can_see(membership: Membership | None, obj) -> bool:
    """The rhythm row (team, meeting, measurable, to-do) is of a team this member sees."""
    return can_see_team(membership, team_id_of(obj))


@permissions.rule("You can only change the rhythm of your own teams.")
def can_edit(membership: Membership | None, obj) -> bool:
    """The rhythm row is of a team whose rhythm this member edits."""
    return can_edit_team(membership, team_id_of(obj))


@permissions.rule("You can only change the scorecards of your own teams.")
def can_change(membership: Membership | None, obj) -> bool:
    """Edit or archive a measurable (or anything of a team's scorecard): those who edit the team's
    rhythm, and leaders for every team (they keep the organization's scorecards tidy)."""
    return permissions.can_see_all_results(membership) or can_edit(membership, obj)


@permissions.rule("You can only change the issues of your own teams.")
def can_change_issue(membership: Membership | None, issue) -> bool:
    """Edit or archive an issue: either of its teams (the one that raised it, the one it is raised
    to), and leaders for every team. Solving it stays with the team it is raised to."""
    if permissions.can_see_all_results(membership):
        return True
    ids = editable_team_ids(membership)
    return _contains(ids, issue.team_id) or _contains(ids, issue.raised_to_id)


# Lookups with access (peakos.permissions' mechanism, with the messages registered above):
# ``access.get_for(membership, Model or locking queryset, pk, rule)`` in views and services,
# ``access.require(membership, obj, rule)`` for an object already loaded.
get_for = permissions.get_for
require = permissions.check


def can_see_health(membership: Membership | None) -> bool:
    """The organization's rhythm health (every team's meetings, ratings, velocity): leaders."""
    return permissions.can_see_all_results(membership)
