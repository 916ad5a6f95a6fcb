"""Which result rows a member reads, on top of the organization's rules in peakos/permissions.py.

* organization-wide rows for every member;
* team rows for the teams the member sees (``permissions.visible_team_ids``: a manager their
  subtrees, leaders, admins and owners every team);
* layer and depth rows (cross-sections of the whole organization) for those who see all results.

The read layer (``insights.selectors.Viewer``) and the REST API's viewsets filter with these,
so a page and the API show the same rows. What the disclosure audit hid is hidden for everyone,
whatever the role: that is the selectors' job, not a rule's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from insights.vocabulary import ORGANIZATION
from peakos import permissions
from peakos.models import Membership

_NOT_GIVEN: Any = object()


@permissions.rule("Your role shows no results by layer.")
def can_see_layers(membership: Membership | None) -> bool:
    """Layer and depth results (cross-sections of the whole organization, e.g. the translation gap by layer)."""
    return permissions.can_see_all_results(membership)


def visible_scopes_filter(membership: Membership | None, *, visible: set[int] | None = _NOT_GIVEN) -> Q:
    """``permissions.can_see_team`` as a Q over result rows (Snapshot, Signal, ...), for lists in one query.

    ``visible``: the member's ``visible_team_ids`` when the caller already has it (pages that
    filter several queries look it up once).
    """
    return _team_filter(membership, visible, lambda teams: Q(scope_kind=ORGANIZATION) | Q(team_id__in=teams))


def visible_coordination_filter(membership: Membership | None, *, visible: set[int] | None = _NOT_GIVEN) -> Q:
    """A coordination cell is team-level: visible when its rated or its rating team is a team the member sees."""
    return _team_filter(membership, visible, lambda teams: Q(rated_team_id__in=teams) | Q(rater_team_id__in=teams))


def _team_filter(membership: Membership | None, visible, rows_of: Callable[[set[int]], Q]) -> Q:
    """No membership: nothing; every team visible (``None``): everything; else ``rows_of(teams)``."""
    if membership is None:
        return Q(pk__in=[])
    if visible is _NOT_GIVEN:
        visible = permissions.visible_team_ids(membership)
    if visible is None:
        return Q()
    return rows_of(visible)
