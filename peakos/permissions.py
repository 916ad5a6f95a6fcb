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
    from peakos.models import Team

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


def can_see_layers(membership: Membership | None) -> bool:
    """Layer and depth results (cross-sections of the whole organization, e.g. the translation gap by layer)."""
    return can_see_all_results(membership)


_NOT_GIVEN = object()


def visible_scopes_filter(membership: Membership | None, *, visible=_NOT_GIVEN):
    """``can_see_team`` as a Q over insights rows (Snapshot, Signal, ...), for lists in one query.

    Organization-wide rows for every member; team rows for the teams the member sees; layer and
    depth rows (cross-sections of the whole organization) for those who see all results.
    ``visible``: the member's ``visible_team_ids`` when the caller already has it (pages that
    filter several queries look it up once).
    """
    from django.db.models import Q

    if membership is None:
        return Q(pk__in=[])
    if visible is _NOT_GIVEN:
        visible = visible_team_ids(membership)
    if visible is None:
        return Q()
    return Q(scope_kind="organization") | Q(team_id__in=visible)


def visible_coordination_filter(membership: Membership | None, *, visible=_NOT_GIVEN):
    """A coordination cell is team-level: visible when its rated or its rating team is a team the member sees."""
    from django.db.models import Q

    if visible is _NOT_GIVEN:
        visible = visible_team_ids(membership)
    if visible is None:
        return Q()
    return Q(rated_team_id__in=visible) | Q(rater_team_id__in=visible)


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


# --- Business reviews and actions (reviews app) -------------------------------------------------


def leads_team(membership: Membership | None, team) -> bool:
    """The user is linked to the team's lead Person (whatever their role): they speak for the team."""
    if membership is None or team is None or team.lead_id is None:
        return False
    return team.lead.user_id is not None and team.lead.user_id == membership.user_id


def own_team_ids(membership: Membership | None) -> set[int]:
    """Teams of the Person records linked to this user in this organization."""
    if membership is None:
        return set()
    from peakos.models import Person

    return set(
        Person.objects.filter(
            organization_id=membership.organization_id, user_id=membership.user_id, team_id__isnull=False
        ).values_list("team_id", flat=True)
    )


def can_open_review_cycle(membership: Membership | None) -> bool:
    return can_manage(membership)


def can_approve_review(membership: Membership | None) -> bool:
    """Leaders, admins and owners approve or return any submitted review."""
    return can_see_all_results(membership)


def can_edit_review(membership: Membership | None, review) -> bool:
    """Only the team's lead edits and submits its review (the review's state is checked by the service)."""
    return leads_team(membership, review.team)


def can_read_review(membership: Membership | None, review) -> bool:
    """Leaders all; the team lead theirs; managers their subtree; others approved reviews of their own team."""
    if membership is None:
        return False
    if can_see_all_results(membership) or leads_team(membership, review.team):
        return True
    if membership.role == Role.MANAGER and can_see_team(membership, review.team_id):
        return True
    return review.status == "approved" and review.team_id in own_team_ids(membership)


def readable_reviews_filter(membership: Membership | None):
    """``can_read_review`` as a Q over BusinessReview, for lists (one query, no per-row checks)."""
    from django.db.models import Q

    if membership is None:
        return Q(pk__in=[])
    if can_see_all_results(membership):
        return Q()
    q = Q(team__lead__user_id=membership.user_id)
    if membership.role == Role.MANAGER:
        q |= Q(team_id__in=visible_team_ids(membership))
    return q | Q(status="approved", team_id__in=own_team_ids(membership))


def can_see_team_reviews(membership: Membership | None, team) -> bool:
    """The team page of the reviews app: anyone who may read at least its approved reviews."""
    if membership is None:
        return False
    return leads_team(membership, team) or can_see_team(membership, team.id) or team.id in own_team_ids(membership)


def can_answer_ask(membership: Membership | None, team) -> bool:
    """The asked team's lead answers for the team; admins may answer when a team has no lead."""
    return leads_team(membership, team) or can_manage(membership)


def can_create_action(membership: Membership | None, team_id: int | None) -> bool:
    """Leaders for any scope; managers for teams in their subtree (not the whole organization)."""
    if can_see_all_results(membership):
        return True
    if membership is None or membership.role != Role.MANAGER or team_id is None:
        return False
    return can_see_team(membership, team_id)


def can_create_actions(membership: Membership | None) -> bool:
    """Whether to offer "New action" at all."""
    return can_see_all_results(membership) or (membership is not None and membership.role == Role.MANAGER)


def can_edit_action(membership: Membership | None, action) -> bool:
    """Whoever may create an action for its scope, and the action's owner."""
    if membership is None:
        return False
    if action.owner_id is not None and action.owner.user_id == membership.user_id:
        return True
    return can_create_action(membership, action.scope_team_id)


def can_see_action(membership: Membership | None, action) -> bool:
    """Follow-through is visible: organization-wide actions to everyone, team actions to whoever sees the team."""
    if action.scope_team_id is None:
        return membership is not None
    return can_edit_action(membership, action) or can_see_team_reviews(membership, action.scope_team)
