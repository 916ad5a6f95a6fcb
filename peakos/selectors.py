"""Reads of the tenancy core. Set-based: one query per structure, no queries in loops."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from peakos.models import Membership, Organization, Team


@dataclass
class TeamTree:
    """The team tree of one organization, loaded in one query."""

    teams: dict[int, Team]
    parent_of: dict[int, int | None]
    children_of: dict[int | None, list[int]] = field(default_factory=dict)

    @classmethod
    def from_teams(cls, teams: dict) -> TeamTree:
        """Build the links from ``{id: team}`` in name order (a team's parent outside the dict counts as none).

        ``team`` is anything with ``parent_id``: a model instance, or a light stand-in for hot pages.
        """
        parent_of = {tid: t.parent_id if t.parent_id in teams else None for tid, t in teams.items()}
        children: dict[int | None, list[int]] = defaultdict(list)
        for tid in teams:  # callers pass them sorted by name
            children[parent_of[tid]].append(tid)
        return cls(teams=teams, parent_of=parent_of, children_of=dict(children))

    def roots(self) -> list[int]:
        return self.children_of.get(None, [])

    def depth(self, team_id: int) -> int:
        depth, current = 0, self.parent_of.get(team_id)
        while current is not None:
            depth += 1
            current = self.parent_of.get(current)
        return depth

    def ancestors(self, team_id: int) -> list[int]:
        """From the root down to the team's parent (for breadcrumbs)."""
        chain, current = [], self.parent_of.get(team_id)
        while current is not None:
            chain.append(current)
            current = self.parent_of.get(current)
        return list(reversed(chain))

    def walk(self) -> list[tuple[Team, int]]:
        """Depth-first (team, depth) pairs, children sorted by name; for indented lists."""
        out: list[tuple[Team, int]] = []
        stack = [(tid, 0) for tid in reversed(self.roots())]
        while stack:
            tid, depth = stack.pop()
            out.append((self.teams[tid], depth))
            stack.extend((child, depth + 1) for child in reversed(self.children_of.get(tid, [])))
        return out


def team_tree(organization: Organization, *, include_archived: bool = True) -> TeamTree:
    qs = Team.objects.filter(organization=organization)
    if not include_archived:
        qs = qs.filter(archived=False)
    teams = {t.id: t for t in qs.annotate(headcount=Count("people", filter=Q(people__active=True))).order_by("name")}
    return TeamTree.from_teams(teams)


def subtree_ids(tree: TeamTree, team_id: int) -> set[int]:
    """The team and every team below it."""
    out: set[int] = set()
    stack = [team_id]
    while stack:
        tid = stack.pop()
        if tid in out:
            continue
        out.add(tid)
        stack.extend(tree.children_of.get(tid, []))
    return out


def memberships_of(user) -> list[Membership]:
    """The user's own memberships across organizations (for the switcher and home)."""
    return list(
        Membership.objects.with_scopes_disabled()
        .filter(user=user)
        .select_related("organization")
        .order_by("organization__name")
    )


def heartbeat_is_fresh(name: str, *, max_age_seconds: float) -> bool:
    """Whether the background loop ``name`` ran in the last ``max_age_seconds``."""
    from datetime import timedelta

    from django.utils import timezone

    from peakos.models import Heartbeat

    return Heartbeat.objects.filter(name=name, at__gte=timezone.now() - timedelta(seconds=max_age_seconds)).exists()
