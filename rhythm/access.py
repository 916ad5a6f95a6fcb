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

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.shortcuts import get_object_or_404

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


def can_see_issue(membership: Membership | None, issue) -> bool:
    ids = visible_team_ids(membership)
    return _contains(ids, issue.team_id) or _contains(ids, issue.raised_to_id)


def can_solve_issue(membership: Membership | None, issue) -> bool:
    """The team that works on it (the team it was raised to, else its own) solves it."""
    return can_edit_team(membership, issue.owner_team_id)


def team_id_of(obj) -> int:
    """The team a rhythm row belongs to (a Team is its own)."""
    return obj.pk if isinstance(obj, Team) else obj.team_id


def can_see(membership: Membership | None, obj) -> bool:
    """The rhythm row (team, meeting, measurable, to-do) is of a team this member sees."""
    return can_see_team(membership, team_id_of(obj))


def can_edit(membership: Membership | None, obj) -> bool:
    """The rhythm row is of a team whose rhythm this member edits."""
    return can_edit_team(membership, team_id_of(obj))


def can_change(membership: Membership | None, obj) -> bool:
    """Edit or archive a measurable (or anything of a team's scorecard): those who edit the team's
    rhythm, and leaders for every team (they keep the organization's scorecards tidy)."""
    return permissions.can_see_all_results(membership) or can_edit(membership, obj)


def can_change_issue(membership: Membership | None, issue) -> bool:
    """Edit or archive an issue: either of its teams (the one that raised it, the one it is raised
    to), and leaders for every team. Solving it stays with the team it is raised to."""
    if permissions.can_see_all_results(membership):
        return True
    ids = editable_team_ids(membership)
    return _contains(ids, issue.team_id) or _contains(ids, issue.raised_to_id)


DENIED = {
    can_see: "You see the rhythm of your own teams only.",
    can_edit: "You can only change the rhythm of your own teams.",
    can_see_issue: "You cannot see this issue.",
    can_solve_issue: "The team the issue is raised to decides what happens to it.",
    can_change: "You can only change the scorecards of your own teams.",
    can_change_issue: "You can only change the issues of your own teams.",
}

M = TypeVar("M", bound=Model)


def get_for(
    membership: Membership | None,
    queryset: QuerySet[M] | type[M],
    pk: int,
    rule: Callable[[Membership | None, M], bool],
) -> M:
    """Lookup with access, as healthchecks' ``_get_rw_check_for_user``: the row with this id (a 404
    when the organization has none: the scoped manager never finds another's) that ``rule`` lets
    this member see or change, else PermissionDenied with the rule's message.

    Views call it with the plain model; services with a locking queryset (``select_for_update``),
    so the check is made on the row as it is locked.
    """
    return require(membership, get_object_or_404(queryset, pk=pk), rule)


def require(membership: Membership | None, obj: M, rule: Callable[[Membership | None, M], bool]) -> M:
    """``obj`` when ``rule`` grants it to this member, else PermissionDenied with the rule's message."""
    if not rule(membership, obj):
        raise PermissionDenied(DENIED.get(rule, "Your role does not allow this."))
    return obj


def can_see_health(membership: Membership | None) -> bool:
    """The organization's rhythm health (every team's meetings, ratings, velocity): leaders."""
    return permissions.can_see_all_results(membership)
