"""Reads of organization administration. Set-based: one query per list, paginated."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q

from peakos.models import (
    AuditEvent,
    Membership,
    Organization,
    Person,
    Priority,
    PriorityLevel,
    Team,
    TeamDependency,
)
from peakos.selectors import TeamTree, subtree_ids, team_tree

PEOPLE_PER_PAGE = 50
AUDIT_PER_PAGE = 50


@dataclass
class TreeRow:
    team: object
    depth: int
    headcount: int  # active people in the team itself
    total: int  # active people in the team and every team below it
    children: int


def team_rows(organization: Organization, *, include_archived: bool = False) -> list[TreeRow]:
    """The team tree, depth first, with head counts (one query)."""
    tree = team_tree(organization, include_archived=include_archived)
    totals = _subtree_totals(tree)
    return [
        TreeRow(team, depth, team.headcount, totals[team.id], len(tree.children_of.get(team.id, [])))
        for team, depth in tree.walk()
    ]


def _subtree_totals(tree: TeamTree) -> dict[int, int]:
    totals: dict[int, int] = {}
    for team, _depth in reversed(tree.walk()):  # children before parents
        totals[team.id] = team.headcount + sum(totals[c] for c in tree.children_of.get(team.id, []))
    return totals


def move_targets(organization: Organization, team) -> list:
    """Teams a team may move under: not itself, not below itself, not archived."""
    tree = team_tree(organization, include_archived=False)
    excluded = subtree_ids(tree, team.pk) if team.pk in tree.teams else {team.pk}
    return [t for t, _ in tree.walk() if t.id not in excluded]


def people_page(
    organization: Organization,
    *,
    query: str = "",
    team_id: int | None = None,
    layer: str = "",
    status: str = "active",
    page: int | str = 1,
) -> Page:
    """A page of people, searched by name or e-mail.

    Two queries whatever the organization's size: a COUNT and the page itself
    (team and manager joined, ordered by the (organization, name) index).
    """
    people = Person.objects.filter(organization=organization)
    if status == "active":
        people = people.filter(active=True)
    elif status == "inactive":
        people = people.filter(active=False)
    if query:
        people = people.filter(Q(name__icontains=query) | Q(email__icontains=query))
    if team_id:
        people = people.filter(team_id=team_id)
    if layer:
        people = people.filter(layer=layer)
    people = people.select_related("team", "manager").order_by("name", "id")
    # Suggested for an invitation: people without a login who lead a team or manage someone
    # (they are the ones who read their team's results and file its review).
    people = people.annotate(
        leads_a_team=Exists(Team.objects.filter(lead=OuterRef("pk"), archived=False)),
        manages_someone=Exists(Person.objects.filter(manager=OuterRef("pk"), active=True)),
    )
    return Paginator(people, PEOPLE_PER_PAGE).get_page(page)


@dataclass
class DependencyEdges:
    depends_on: list[TeamDependency]  # this team needs them
    depended_on_by: list[TeamDependency]  # they need this team


def team_dependencies(team) -> DependencyEdges:
    edges = list(
        TeamDependency.objects.filter(Q(from_team=team) | Q(to_team=team))
        .select_related("from_team", "to_team")
        .order_by("from_team__name", "to_team__name")
    )
    return DependencyEdges(
        depends_on=[d for d in edges if d.from_team_id == team.pk],
        depended_on_by=[d for d in edges if d.to_team_id == team.pk],
    )


def all_dependencies(organization: Organization) -> list[TeamDependency]:
    return list(
        TeamDependency.objects.filter(organization=organization)
        .select_related("from_team", "to_team")
        .order_by("from_team__name", "to_team__name")
    )


@dataclass
class PriorityNode:
    priority: Priority
    children: list[PriorityNode]


def priority_cascade(organization: Organization, period: str) -> tuple[list[PriorityNode], list[Priority]]:
    """Company priorities of a period with what hangs off them, plus the unlinked ones (one query)."""
    priorities = list(
        Priority.objects.filter(organization=organization, period=period)
        .select_related("team", "parent")
        .order_by("rank", "title")
    )
    nodes = {p.id: PriorityNode(p, []) for p in priorities}
    roots, orphans = [], []
    for p in priorities:
        if p.level == PriorityLevel.COMPANY:
            roots.append(nodes[p.id])
        elif p.parent_id in nodes:
            nodes[p.parent_id].children.append(nodes[p.id])
        else:
            orphans.append(p)
    return roots, orphans


def priority_periods(organization: Organization) -> list[str]:
    return sorted(
        set(Priority.objects.filter(organization=organization).values_list("period", flat=True)), reverse=True
    )


def audit_page(
    organization: Organization,
    *,
    action: str = "",
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    page: int | str = 1,
) -> Page:
    """A page of the audit log, newest first, filtered (uses the (organization, -created_at) index)."""
    events = AuditEvent.objects.filter(organization=organization)
    if action:
        events = events.filter(Q(action=action) | Q(action__startswith=f"{action}."))
    if actor_id:
        events = events.filter(actor_id=actor_id)
    tz = zoneinfo.ZoneInfo(organization.timezone)  # dates as the organization reads them
    if since:
        events = events.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        events = events.filter(created_at__lt=datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz))
    events = events.select_related("actor").order_by("-created_at", "-id")
    return Paginator(events, AUDIT_PER_PAGE).get_page(page)


def audit_actions(organization: Organization) -> list[str]:
    """The distinct actions of the log and their families ("team", "team.create", …), for the filter."""
    actions = set(AuditEvent.objects.filter(organization=organization).values_list("action", flat=True).distinct())
    families = {a.split(".", 1)[0] for a in actions}
    return sorted(actions | families)


def audit_actors(organization: Organization) -> list:
    return [
        m.user
        for m in Membership.objects.filter(organization=organization).select_related("user").order_by("user__email")
    ]
