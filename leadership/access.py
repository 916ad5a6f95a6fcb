"""Who starts and reads 360° feedback, on top of peakos/permissions.py.

* owners and admins start a 360 for anyone and read every report (they run the programme);
* a leader (any login linked to a Person) starts their own 360 and reads their own report;
* a leader's own manager (Person.manager's login) reads their report too.

Leaders by role do not read other people's 360s: the report is a development tool for the
person and the people responsible for their development.
"""

from __future__ import annotations

from peakos import permissions
from peakos.models import Membership, Person


def linked_people(membership: Membership | None):
    """The Person records of this login in this organization."""
    if membership is None:
        return Person.objects.none()
    return Person.objects.filter(organization_id=membership.organization_id, user_id=membership.user_id)


def sees_leadership(membership: Membership | None) -> bool:
    return membership is not None


def can_start_for(membership: Membership | None, leader: Person) -> bool:
    if permissions.can_manage(membership):
        return True
    return membership is not None and leader.user_id is not None and leader.user_id == membership.user_id


def can_read_feedback(membership: Membership | None, feedback) -> bool:
    if membership is None:
        return False
    if permissions.can_manage(membership):
        return True
    leader = feedback.leader
    if leader.user_id == membership.user_id:
        return True
    return leader.manager_id is not None and leader.manager.user_id == membership.user_id


def visible_feedback_filter(membership: Membership | None):
    """``can_read_feedback`` as a Q over Feedback, for lists in one query."""
    from django.db.models import Q

    if membership is None:
        return Q(pk__in=[])
    if permissions.can_manage(membership):
        return Q()
    return Q(leader__user_id=membership.user_id) | Q(leader__manager__user_id=membership.user_id)


def visible_manager_ids(membership: Membership | None) -> set[int] | None:
    """Whose manager effectiveness this login reads (None: every manager's).

    Leaders, admins and owners read every manager's; otherwise a login reads its own
    (as a manager) and that of the managers who report to it."""
    if membership is None:
        return set()
    if permissions.can_see_all_results(membership):
        return None
    own = set(linked_people(membership).values_list("pk", flat=True))
    if not own:
        return set()
    reports = Person.objects.filter(organization_id=membership.organization_id, manager_id__in=own)
    return own | set(reports.values_list("pk", flat=True))
