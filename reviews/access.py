"""Who opens cycles, reads, edits and approves business reviews, answers asks and follows actions,
on top of the organization's rules in peakos/permissions.py.

* owners and admins open and close review cycles;
* a team's lead (the user linked to the team's lead Person, whatever their role) edits and
  submits its review and answers the asks made of the team;
* leaders, admins and owners read and approve or return every review;
* managers read the reviews of the subtrees they lead, members the approved reviews of their
  own teams;
* actions: leaders for any scope, managers for their subtrees, and each action's owner.

Views, services and the REST API ask these; a denial says the message registered with
``permissions.rule``. The list filters (``readable_reviews_filter``) agree with the per-object
rules (tests/reviews/test_permissions.py).
"""

from __future__ import annotations

from django.db.models import Q

from peakos import permissions
from peakos.models import Membership, Role
from peakos.permissions import can_manage, can_see_all_results, can_see_team, leads_team, own_team_ids, visible_team_ids
from reviews.models import ReviewStatus


@permissions.rule("Owners and admins open and close review cycles.")
def can_open_review_cycle(membership: Membership | None) -> bool:
    return can_manage(membership)


@permissions.rule("Only leaders approve or return reviews.")
def can_approve_review(membership: Membership | None) -> bool:
    """Leaders, admins and owners approve or return any submitted review."""
    return can_see_all_results(membership)


@permissions.rule("Only the team's lead edits its review.")
def can_edit_review(membership: Membership | None, review) -> bool:
    """Only the team's lead edits and submits its review (the review's state is checked by the service)."""
    return leads_team(membership, review.team)


@permissions.rule("You cannot read this review.")
def can_read_review(membership: Membership | None, review) -> bool:
    """Leaders all; the team lead theirs; managers their subtree; others approved reviews of their own team."""
    if membership is None:
        return False
    if can_see_all_results(membership) or leads_team(membership, review.team):
        return True
    if membership.role == Role.MANAGER and can_see_team(membership, review.team_id):
        return True
    return review.status == ReviewStatus.APPROVED and review.team_id in own_team_ids(membership)


def readable_reviews_filter(membership: Membership | None):
    """``can_read_review`` as a Q over BusinessReview, for lists (one query, no per-row checks)."""
    if membership is None:
        return Q(pk__in=[])
    if can_see_all_results(membership):
        return Q()
    q = Q(team__lead__user_id=membership.user_id)
    if membership.role == Role.MANAGER:
        q |= Q(team_id__in=visible_team_ids(membership))
    return q | Q(status=ReviewStatus.APPROVED, team_id__in=own_team_ids(membership))


@permissions.rule("You cannot see this team's reviews.")
def can_see_team_reviews(membership: Membership | None, team) -> bool:
    """The team page of the reviews app: anyone who may read at least its approved reviews."""
    if membership is None:
        return False
    return leads_team(membership, team) or can_see_team(membership, team.id) or team.id in own_team_ids(membership)


def can_answer_ask(membership: Membership | None, team) -> bool:
    """The asked team's lead answers for the team; admins may answer when a team has no lead."""
    return leads_team(membership, team) or can_manage(membership)


@permissions.rule("Managers create actions for the teams they lead; leaders for any team or the organization.")
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


@permissions.rule("You cannot change this action.")
def can_edit_action(membership: Membership | None, action) -> bool:
    """Whoever may create an action for its scope, and the action's owner."""
    if membership is None:
        return False
    if action.owner_id is not None and action.owner.user_id == membership.user_id:
        return True
    return can_create_action(membership, action.scope_team_id)


@permissions.rule("You cannot see this action.")
def can_see_action(membership: Membership | None, action) -> bool:
    """Follow-through is visible: organization-wide actions to everyone, team actions to whoever sees the team."""
    if action.scope_team_id is None:
        return membership is not None
    return can_edit_action(membership, action) or can_see_team_reviews(membership, action.scope_team)
