"""What every dashboard page starts from: the round, the focus (organization or a team's
subtree), the layer filter, the team tree and what the member may see.

Filters live in the URL (``?round=12&layer=manager``; the team in the path), so every
view can be bookmarked and shared. Bad filters are answered plainly: an unknown round or
team is a 404 (as is a team outside a manager's subtree, so its existence does not
leak), a layer filter for a role that sees no layers is a 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.urls import reverse

from insights import access
from insights.models import ScopeKind
from insights.selectors import RoundInfo, TeamNode, Viewer, previous_round, rounds_with_results, team_tree
from insights.vocabulary import ScopeKey
from peakos import permissions
from peakos.models import LAYER_ORDER, Layer, Membership, Organization, TeamKind
from peakos.selectors import TeamTree, subtree_ids

PAGES = {
    "overview": ("Overview", "dashboard"),
    "coordination": ("Coordination", "dashboard_coordination"),
    "trends": ("Trends", "dashboard_trends"),
    "priorities": ("Priorities", "dashboard_priorities"),
    "comments": ("Comments", "dashboard_comments"),
}
FILTER_KEYS = ("round", "layer")
MAX_ID = 2**63 - 1


def _int_param(params: QueryDict, name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise Http404(f"Unknown {name}.")
    return int(raw)


@dataclass
class Dashboard:
    organization: Organization
    membership: Membership
    viewer: Viewer
    page: str
    tree: TeamTree
    visible: set[int] | None  # None: every team
    rounds: list[RoundInfo]
    round: RoundInfo | None
    previous: RoundInfo | None
    focus: TeamNode | None  # None: the whole organization
    layer: str = ""
    params: dict[str, str] = field(default_factory=dict)  # the filters, as they go into links

    # --- who sees what ----------------------------------------------------------------

    @property
    def can_see_layers(self) -> bool:
        return access.can_see_layers(self.membership)

    @property
    def sees_teams(self) -> bool:
        return self.visible is None or bool(self.visible)

    def team_visible(self, team_id: int) -> bool:
        return self.visible is None or team_id in self.visible

    # --- scopes -----------------------------------------------------------------------

    def team_scope(self, team_id: int) -> ScopeKey:
        """The scope the engine stores for a team: a leadership team is its own members,
        a department or team its whole subtree."""
        kind = self.tree.teams[team_id].kind
        if kind == TeamKind.LEADERSHIP:
            return ScopeKey(ScopeKind.LEADERSHIP, team_id)
        return ScopeKey(ScopeKind.DEPARTMENT if kind == TeamKind.DEPARTMENT else ScopeKind.TEAM, team_id)

    @property
    def focus_scope(self) -> ScopeKey:
        if self.focus is not None:
            return self.team_scope(self.focus.id)
        if self.layer:
            return ScopeKey(ScopeKind.LAYER, layer=self.layer)
        return ScopeKey(ScopeKind.ORGANIZATION)

    def scope_label(self, scope: ScopeKey) -> str:
        if scope.kind == ScopeKind.ORGANIZATION:
            return "Organization"
        if scope.kind == ScopeKind.LAYER:
            return Layer(scope.layer).label
        if scope.kind == ScopeKind.DEPTH:
            return depth_label(scope.depth)
        team = self.tree.teams.get(scope.team)
        name = team.name if team else "(removed team)"
        return f"{name} (own members)" if scope.kind == ScopeKind.LEADERSHIP else name

    @property
    def focus_label(self) -> str:
        if self.focus is not None:
            return self.focus.name
        return self.scope_label(self.focus_scope) if self.layer else self.organization.name

    def focus_team_ids(self) -> set[int] | None:
        """Teams inside the focus that the member may see (None: all of them)."""
        if self.focus is None:
            return None if self.visible is None else set(self.visible)
        ids = subtree_ids(self.tree, self.focus.id)
        return ids if self.visible is None else ids & self.visible

    def subtree(self, team_id: int) -> set[int]:
        return subtree_ids(self.tree, team_id)

    def leadership_team_id(self) -> int | None:
        """The top leadership team: the one the engine measures gaps against."""
        found = [(self.tree.depth(t.id), t.id) for t in self.tree.teams.values() if t.kind == TeamKind.LEADERSHIP]
        return min(found)[1] if found else None

    def units(self, max_rows: int = 40) -> list[tuple[int, int]]:
        """The teams a page lists under its focus, as (team id, level): the focus itself
        (level 0), its child units (1) and, when that stays short, their children (2).

        For the organization the units are the top teams under the leadership team (the
        departments), with the leadership team first; for a manager, the teams they lead.
        """
        tree, rows = self.tree, []

        def active_children(team_id: int) -> list[int]:
            return [c for c in tree.children_of.get(team_id, []) if not tree.teams[c].archived and self.team_visible(c)]

        if self.focus is not None:
            rows.append((self.focus.id, 0))
            first = active_children(self.focus.id)
        elif self.visible is None:
            first = []
            for root in tree.roots():
                if tree.teams[root].archived:
                    continue
                if tree.teams[root].kind == TeamKind.LEADERSHIP:
                    rows.append((root, 0))
                    first += active_children(root)
                else:
                    first.append(root)
        else:
            first = sorted(
                (t for t in self.visible if tree.parent_of.get(t) not in self.visible and not tree.teams[t].archived),
                key=lambda t: tree.teams[t].name,
            )
        second = {t: active_children(t) for t in first}
        if len(rows) + len(first) + sum(len(c) for c in second.values()) <= max_rows:
            for t in first:
                rows.append((t, 1))
                rows.extend((c, 2) for c in second[t])
        else:
            rows.extend((t, 1) for t in first[:max_rows])
        return rows

    @property
    def can_manage(self) -> bool:
        return permissions.can_manage(self.membership)

    # --- links ------------------------------------------------------------------------

    @property
    def filter_action(self) -> str:
        """The filter form goes to the organization-level page; ``department`` then redirects."""
        return reverse(PAGES[self.page][1], kwargs={"org_slug": self.organization.slug})

    @property
    def parent_url(self) -> str | None:
        """The level above the focus that the member may see (for empty states)."""
        if self.focus is None:
            return None
        parent = self.tree.parent_of.get(self.focus.id)
        if parent is not None and self.team_visible(parent):
            return self.url(team_id=parent)
        return self.url(team_id=None)

    def url(self, to: str | None = None, /, *, team_id: int | None | bool = False, **params) -> str:
        """A dashboard URL (page ``to``, default this one) keeping the current filters; ``params``
        add query parameters (``page=2`` is the comments' page). ``team_id=None`` goes to the
        organization; the default keeps the current focus."""
        name = PAGES[to or self.page][1]
        if team_id is False:
            team_id = self.focus.id if self.focus is not None else None
        kwargs = {"org_slug": self.organization.slug}
        if team_id is not None:
            name += "_team"
            kwargs["team_id"] = team_id
        query = {**self.params, **params}
        if team_id is not None:
            query.pop("layer", None)  # the layer filter applies to organization-wide views
        query = {k: v for k, v in query.items() if v not in (None, "")}
        url = reverse(name, kwargs=kwargs)
        return f"{url}?{urlencode(query)}" if query else url

    def breadcrumbs(self) -> list[tuple[str, str | None]]:
        """Organization › … › the focus. Ancestors the member may not see are named, not linked."""
        crumbs = [(self.organization.name, self.url(team_id=None))]
        if self.focus is None:
            return crumbs
        for ancestor in self.tree.ancestors(self.focus.id):
            name = self.tree.teams[ancestor].name
            crumbs.append((name, self.url(team_id=ancestor) if self.team_visible(ancestor) else None))
        crumbs.append((self.focus.name, None))
        return crumbs

    def tabs(self) -> list[dict]:
        return [
            {"label": label, "url": self.url(page), "current": page == self.page}
            for page, (label, _) in PAGES.items()
            if page != "coordination" or self.sees_teams
        ]

    @cached_property
    def department_choices(self) -> list[tuple[int, str]]:
        """The department filter: departments (and the leadership team) the member may see, and
        for a manager the top teams of their subtrees whatever their kind."""
        tops = (
            set()
            if self.visible is None
            else {t for t in self.visible if self.tree.parent_of.get(t) not in self.visible}
        )
        return [
            (t.id, t.name)
            for t, _ in self.tree.walk()
            if (t.kind in (TeamKind.DEPARTMENT, TeamKind.LEADERSHIP) or t.id in tops)
            and not t.archived
            and self.team_visible(t.id)
        ]

    @property
    def department_ids(self) -> set[int]:
        return {team_id for team_id, _ in self.department_choices}

    def layer_choices(self) -> list[tuple[str, str]]:
        return sorted(Layer.choices, key=lambda c: LAYER_ORDER[c[0]]) if self.can_see_layers else []


def depth_label(depth: int | None) -> str:
    return {0: "Top of the tree", 1: "Departments (depth 1)"}.get(depth, f"Depth {depth}")


def build(request, page: str, team_id: int | None) -> Dashboard:
    """Parse the request's filters into a Dashboard, or raise Http404 / PermissionDenied."""
    organization, membership = request.organization, request.membership
    params = request.GET
    tree = team_tree(organization)
    viewer = Viewer.of(membership, tree=tree)
    visible = None if viewer.visible is None else set(viewer.visible)

    focus = None
    if team_id is not None:
        focus = tree.teams.get(team_id)
        # Out of scope answers like a missing team: a manager learns nothing about other subtrees.
        if focus is None or not (visible is None or team_id in visible):
            raise Http404("No such team.")

    layer = params.get("layer", "").strip()
    if layer:
        if layer not in Layer.values:
            raise Http404("Unknown layer.")
        if not access.can_see_layers(membership):
            raise PermissionDenied(permissions.denial(access.can_see_layers))
        if focus is not None:
            layer = ""  # results by layer exist for the whole organization only

    rounds = rounds_with_results(organization)
    round_id = _int_param(params, "round")
    if round_id is None:
        current = rounds[0] if rounds else None
    else:
        current = next((r for r in rounds if r.id == round_id), None)
        if current is None:
            raise Http404("No results for this round.")
    kept = {"round": str(round_id) if round_id else "", "layer": layer}
    return Dashboard(
        organization=organization,
        membership=membership,
        viewer=viewer,
        page=page,
        tree=tree,
        visible=visible,
        rounds=rounds,
        round=current,
        previous=previous_round(rounds, current) if current else None,
        focus=focus,
        layer=layer,
        params={k: v for k, v in kept.items() if v},
    )
