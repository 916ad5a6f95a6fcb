"""Step 2 of scoring a round: the scopes, the cells each one sums, and their hierarchy.

| kind | who |
|---|---|
| organization | every respondent |
| leadership | the members of a leadership-kind team (its own people) |
| department, team | a team's whole subtree, by the team's kind |
| layer | every respondent of one layer |
| depth | the members of every team at one depth of the tree |

A scope exists when anyone was invited to it or answered in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from insights import disclosure, scoring
from insights.engine.tree import Tree
from insights.vocabulary import DEPARTMENT, DEPTH, LAYER, LEADERSHIP, ORGANIZATION, TEAM, ScopeKey

Float = npt.NDArray[np.float64]
Source = tuple[str, int]  # ("org", 0), ("own", team), ("subtree", team), ("layer", layer index), ("depth", depth)


@dataclass
class Parts:
    """A per-cell matrix summed five ways: per team's own cells, per team subtree, per layer,
    per depth, and for the organization."""

    own: Float
    subtree: Float
    layer: Float
    depth: Float
    org: Float

    @classmethod
    def of(cls, tree: Tree, n_layers: int, cells: Float) -> Parts:
        per_team_layer = cells.reshape(tree.size + 1, n_layers, -1)
        own = per_team_layer.sum(axis=1)  # [team + no-team slot, F]
        per_layer = per_team_layer.sum(axis=0)
        if tree.size:
            rolled = scoring.rollup_subtrees(tree.parent_of, {i: own[i] for i in range(tree.size)})
            subtree = np.stack([rolled[i] for i in range(tree.size)])
            per_depth = np.zeros((int(tree.depth.max()) + 1, cells.shape[1]), dtype=cells.dtype)
            np.add.at(per_depth, tree.depth, own[: tree.size])
        else:
            subtree = np.zeros((0, cells.shape[1]), dtype=cells.dtype)
            per_depth = np.zeros((0, cells.shape[1]), dtype=cells.dtype)
        return cls(own, subtree, per_layer, per_depth, cells.sum(axis=0))

    def gather(self, source: Sequence[Source]) -> Float:
        """One row per scope, from where each scope's figures come from."""
        pick = {"own": self.own, "subtree": self.subtree, "layer": self.layer, "depth": self.depth}
        return np.stack([self.org if kind == "org" else pick[kind][i] for kind, i in source])


@dataclass
class Scopes:
    keys: list[ScopeKey]
    source: list[Source]
    groups: list[tuple[tuple[int, ...], ...]]  # child groups by scope index (the hierarchy plan)
    leadership: int | None  # the leadership scope that gaps compare with
    alias: dict[int, int]  # scope -> the earlier scope with exactly the same respondents
    keep: list[int]  # how much each scope matters when one must be hidden (higher: hidden later)
    cells: list[list[int]] = field(default_factory=list)  # per scope: the cells it sums (with respondents)

    def __post_init__(self) -> None:
        self.plan = disclosure.DifferencingPlan(list(enumerate(self.groups)), self.keep)

    def __len__(self) -> int:
        return len(self.keys)

    def index(self) -> dict[ScopeKey, int]:
        return {key: i for i, key in enumerate(self.keys)}


def build_scopes(tree: Tree, layers: Sequence[str], present: Parts, respondents_in: Float) -> Scopes:  # noqa: C901 (one pass builds every scope family (teams, layers, depths))
    """The scopes of a round and their hierarchy.

    ``present``: invitations + respondents summed five ways (a scope exists where positive);
    ``respondents_in``: respondents per cell (which cells each scope's audit row holds).

    A layer or depth made of exactly the same respondents as an earlier scope (typically:
    the executive layer is the leadership team) is that scope for the hierarchy plan: it
    stands in the organization's layer or depth group as the earlier scope, and is shown or
    hidden with it (otherwise the organization minus the executive layer minus every
    department would reveal a hidden department).
    """
    n_layers = len(layers) + 1
    own, subtree = present.own[:, 0], present.subtree[:, 0]
    per_layer, per_depth = present.layer[:, 0], present.depth[:, 0]
    keys: list[ScopeKey] = [ScopeKey(ORGANIZATION)]
    source: list[Source] = [("org", 0)]
    team_scope: dict[int, int] = {}
    for i in tree.top_down:
        if tree.kind[i] == LEADERSHIP:
            if own[i] > 0:
                team_scope[i] = len(keys)
                keys.append(ScopeKey(LEADERSHIP, int(tree.ids[i])))
                source.append(("own", i))
        elif subtree[i] > 0:
            team_scope[i] = len(keys)
            keys.append(ScopeKey(DEPARTMENT if tree.kind[i] == DEPARTMENT else TEAM, int(tree.ids[i])))
            source.append(("subtree", i))
    layer_scope = []
    for li in range(1, n_layers):
        if per_layer[li] > 0:
            layer_scope.append(len(keys))
            keys.append(ScopeKey(LAYER, layer=layers[li - 1]))
            source.append(("layer", li))
    leaderships = [team_scope[i] for i in tree.top_down if tree.kind[i] == LEADERSHIP and i in team_scope]
    depth_scope = []
    depths = tree.depth.tolist()
    for d in range(len(per_depth)):
        if per_depth[d] <= 0:
            continue
        at_depth = [i for i in range(tree.size) if depths[i] == d and own[i] > 0]
        if len(at_depth) == 1 and tree.kind[at_depth[0]] == LEADERSHIP:
            depth_scope.append(team_scope[at_depth[0]])  # the same people: one scope, not two
            continue
        depth_scope.append(len(keys))
        keys.append(ScopeKey(DEPTH, depth=d))
        source.append(("depth", d))

    cells = scope_cells(tree, n_layers, source, respondents_in > 0)
    first: dict[tuple[int, ...], int] = {}
    alias: dict[int, int] = {}
    for s, members in enumerate(cells):
        if not members or s == 0:  # a layer that is everyone is the organization's child, not its alias
            continue
        key = tuple(members)
        if key in first and keys[s].kind in (LAYER, DEPTH):
            alias[s] = first[key]
        else:
            first.setdefault(key, s)

    def lifted(i: int) -> list[int]:
        """What stands for team i's subtree in its parent's group: the subtree scope,
        or for a leadership team its own scope plus its children's."""
        if tree.kind[i] == LEADERSHIP:
            out = [team_scope[i]] if i in team_scope else []
            for c in tree.children[i]:
                out += lifted(c)
            return out
        return [team_scope[i]] if i in team_scope else []

    groups: list[tuple[tuple[int, ...], ...]] = [() for _ in keys]
    roots = [i for i in tree.top_down if tree.parent[i] < 0]
    cross = [tuple(dict.fromkeys(alias.get(s, s) for s in g)) for g in (layer_scope, depth_scope)]
    org_groups = [tuple(s for r in roots for s in lifted(r)), *cross]
    groups[0] = tuple(g for g in org_groups if g)
    for i, s in team_scope.items():
        if tree.kind[i] != LEADERSHIP:
            child = tuple(x for c in tree.children[i] for x in lifted(c))
            groups[s] = (child,) if child else ()
    keep = [0] * len(keys)
    keep[0] = 2  # the organization, then the leadership team: hidden last
    for s in leaderships:
        keep[s] = 1
    return Scopes(keys, source, groups, leaderships[0] if leaderships else None, alias, keep, cells)


def scope_cells(tree: Tree, n_layers: int, source: Sequence[Source], present: npt.NDArray[np.bool_]) -> list[list[int]]:
    """The cells (team × layer) each scope sums, among cells where ``present`` is true."""
    cells = np.flatnonzero(present)
    team = cells // n_layers
    layer = cells % n_layers
    in_tree = team < tree.size

    def grouped(keys: npt.NDArray[np.int64], values: npt.NDArray[np.int64]) -> dict[int, list[int]]:
        order = np.lexsort((values, keys))
        keys, values = keys[order], values[order]
        bounds = np.flatnonzero(np.diff(keys)) + 1
        return {
            int(k[0]): v.tolist()
            for k, v in zip(np.split(keys, bounds), np.split(values, bounds), strict=True)
            if len(k)
        }

    by_layer = grouped(layer, cells)
    own = grouped(team, cells)
    subtree: dict[int, list[int]] = {}
    by_depth: dict[int, list[int]] = {}
    if in_tree.any():
        anc = tree.ancestors[team[in_tree]]
        pairs_a = anc.reshape(-1)
        pairs_c = np.repeat(cells[in_tree], anc.shape[1])
        ok = pairs_a >= 0
        subtree = grouped(pairs_a[ok], pairs_c[ok])
        by_depth = grouped(tree.depth[team[in_tree]], cells[in_tree])
    everyone = cells.tolist()
    pick = {"own": own, "subtree": subtree, "layer": by_layer, "depth": by_depth}
    return [everyone if kind == "org" else pick[kind].get(i, []) for kind, i in source]
