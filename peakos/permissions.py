"""Roles and the rule mechanism. Views, templates, services and the API ask rules.

What a role may do in the organization, decided here:

* owner / admin: manage everything in their organization and see all results;
* leader: sees all results, approves reviews, manages nothing;
* manager: sees the results of the team subtrees they lead;
* member: sees organization-level results only.

Only an owner changes the organization's privacy settings (thresholds).

A *rule* is a function ``(membership)`` or ``(membership, obj)`` that answers True or False.
This module holds the organization's rules (roles, the teams a member sees or leads) and the
mechanism; each app keeps the rules of its own objects in its ``access.py``, built on these:
``reviews/access.py`` (reviews, asks, actions), ``insights/access.py`` (which result rows a
member reads), ``rhythm/access.py``, ``leadership/access.py``. An app registers what a denial
says with ``@rule("message")``; ``require`` (a view decorator over a one-argument rule),
``check`` and ``get_for`` (a lookup with access, as healthchecks' ``_get_rw_check_for_user``)
raise ``PermissionDenied`` with that message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

from peakos.models import Membership, Person, Role, Team
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


def visible_team_ids(membership: Membership | None, *, tree=None) -> set[int] | None:
    """Teams whose results this member may see.

    ``None`` means every team; an empty set means organization level only.
    A manager sees the subtrees of the teams they lead (Team.lead is their Person).
    ``tree``: the organization's ``team_tree`` when the caller already loaded it.
    """
    if membership is None:
        return set()
    if can_see_all_results(membership):
        return None
    if membership.role != Role.MANAGER:
        return set()
    led = list(
        Team.objects.filter(lead__user_id=membership.user_id, organization_id=membership.organization_id).values_list(
            "id", flat=True
        )
    )
    if not led:
        return set()
    if tree is None:
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


# --- Teams a person leads or belongs to (the reviews, rhythm and insights rules build on these) ---


def leads_team(membership: Membership | None, team) -> bool:
    """The user is linked to the team's lead Person (whatever their role): they speak for the team."""
    if membership is None or team is None or team.lead_id is None:
        return False
    return team.lead.user_id is not None and team.lead.user_id == membership.user_id


def own_team_ids(membership: Membership | None) -> set[int]:
    """Teams of the Person records linked to this user in this organization."""
    if membership is None:
        return set()
    return set(
        Person.objects.filter(
            organization_id=membership.organization_id, user_id=membership.user_id, team_id__isnull=False
        ).values_list("team_id", flat=True)
    )


# --- The mechanism: what a denial says, and the checks that raise it ---------------------------

DEFAULT_DENIAL = "Your role does not allow this."
_DENIALS: dict[Callable[..., bool], str] = {}

R = TypeVar("R", bound=Callable[..., bool])
M = TypeVar("M", bound=Model)


def rule(message: str) -> Callable[[R], R]:
    """Register what a denial by the decorated rule tells the person (a 403 page, an API error)::

    @permissions.rule("Only leaders approve or return reviews.")
    def can_approve_review(membership): ...
    """

    def register(fn: R) -> R:
        _DENIALS[fn] = message
        return fn

    return register


def denial(check_fn: Callable[..., bool]) -> str:
    """The message a rule registered (``rule``), else the generic one."""
    return _DENIALS.get(check_fn, DEFAULT_DENIAL)


def check(membership: Membership | None, obj: M, rule_fn: Callable[[Membership | None, M], bool]) -> M:
    """``obj`` when ``rule_fn`` grants it to this member, else PermissionDenied with the rule's message."""
    if not rule_fn(membership, obj):
        raise PermissionDenied(denial(rule_fn))
    return obj


def get_for(
    membership: Membership | None,
    queryset: QuerySet[M] | type[M],
    pk: Any,
    rule_fn: Callable[[Membership | None, M], bool],
) -> M:
    """Lookup with access: the row with this id (a 404 when the organization has none: the scoped
    manager never finds another's) that ``rule_fn`` lets this member see or change, else
    PermissionDenied with the rule's message.

    Views call it with the plain model; services with a locking queryset (``select_for_update``),
    so the check is made on the row as it is locked.
    """
    return check(membership, get_object_or_404(queryset, pk=pk), rule_fn)


def require(check_fn: Callable[[Membership | None], bool]):
    """View decorator: ``@require(can_manage)`` raises 403 (with the rule's message) when the check fails.

    Non-members never get here: the tenant middleware already answered 404.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not check_fn(getattr(request, "membership", None)):
                raise PermissionDenied(denial(check_fn))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
