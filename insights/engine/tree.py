"""The team tree as arrays, for counting and rolling up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from insights import scoring

Int = npt.NDArray[np.int64]
TeamRow = tuple[int, int | None, str]  # (team id, parent id, kind)


@dataclass(frozen=True)
class Tree:
    ids: Int  # sorted team ids; index = position
    parent: Int  # parent index, -1 for roots
    kind: list[str]
    depth: Int
    children: list[list[int]]
    top_down: list[int]
    parent_of: dict[int, int | None]
    ancestors: Int  # [team, max depth + 1]: the team, its parent, ... then -1
    teams: tuple[TeamRow, ...]  # what it was built from

    @property
    def size(self) -> int:
        return len(self.ids)

    def index_of(self, team_ids: Int) -> Int:
        """Index of each team id; ``size`` (the "no team" slot) for 0 or unknown ids."""
        if self.size == 0:
            return np.zeros(len(team_ids), dtype=np.int64)
        pos = np.searchsorted(self.ids, team_ids)
        pos = np.minimum(pos, self.size - 1)
        found = self.ids[pos] == team_ids
        return np.where(found, pos, self.size)

    def position(self) -> dict[int, int]:
        return {int(t): i for i, t in enumerate(self.ids)}


def build_tree(teams: Sequence[TeamRow]) -> Tree:
    """Build once per organization and pass it in :class:`RoundInput` to score many rounds."""
    ids = np.array(sorted(t[0] for t in teams), dtype=np.int64)
    position = {int(t): i for i, t in enumerate(ids)}
    parent = np.full(len(ids), -1, dtype=np.int64)
    kind = [""] * len(ids)
    for team_id, parent_id, team_kind in teams:
        i = position[team_id]
        kind[i] = team_kind
        if parent_id is not None and parent_id in position:
            parent[i] = position[parent_id]
    parent_of = {i: (int(p) if p >= 0 else None) for i, p in enumerate(parent)}
    depth_of = scoring.team_depths(parent_of)
    depth = np.array([depth_of[i] for i in range(len(ids))], dtype=np.int64)
    children: list[list[int]] = [[] for _ in ids]
    for i, p in enumerate(parent):
        if p >= 0:
            children[p].append(i)
    top_down = sorted(range(len(ids)), key=lambda i: (depth[i], i))
    levels = int(depth.max()) + 1 if len(ids) else 1
    ancestors = np.full((len(ids), levels), -1, dtype=np.int64)
    for i in top_down:
        p = parent[i]
        ancestors[i, 0] = i
        if p >= 0:
            ancestors[i, 1:] = ancestors[p, :-1]
    return Tree(ids, parent, kind, depth, children, top_down, parent_of, ancestors, tuple(teams))
