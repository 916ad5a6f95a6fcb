"""Step 5 of scoring a round: the coordination matrix (who rates whom, 1–5).

A cell's *rater* is a team's subtree — ``rater = Sales`` pools every Sales team's
respondents, so the department matrix and the team matrix are both exact — except
for a leadership-kind team, whose cell holds its own members (its subtree is the
organization, which the received total already is). ``rater = None`` is the rated
team's received total: every rating it got, including from respondents without a
team. Ratings of one's own team or of an ancestor of it are ignored (a team rating
itself).

Anonymity: within each rated team's column the cells form one laminar family
(received total → cells of the rater tree's roots → their child teams' cells), so
the hierarchy plan's residual rule is exact for it (``insights.disclosure``
explains why): a column is safe when every published cell minus its published
sub-cells is 0 or at least k raters.

Shown cells are all returned. A hidden cell only where a rating was expected — a
declared dependency, or a dependency target's received total — so "not enough
responses" appears where the organization chart expects a rating (even when nobody
rated), and no row reveals that someone rated a team nobody was asked about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from insights import disclosure
from insights.engine.tree import Tree
from insights.vocabulary import LEADERSHIP

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]


@dataclass
class Coordination:
    """Coordination cells; ``rater`` None is the rated team's received total."""

    rater: list[int | None]
    rated: list[int]
    respondents: Int
    mean: Float  # NaN where hidden
    hidden: npt.NDArray[np.bool_]

    @classmethod
    def empty(cls) -> Coordination:
        return cls([], [], np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))


def coordination(
    tree: Tree, ratings: Int, rater_team: Int, threshold: int, dependencies: Sequence[tuple[int, int]]
) -> Coordination:
    """Cells (rater → rated team) and received totals, protected within each rated team's column.

    ``ratings``: answer rows (response, question, value, rated team id, priority);
    ``rater_team``: the tree index of each rating's respondent (``tree.size``: no team).
    """
    if not tree.size:
        return Coordination.empty()
    n_teams = tree.size
    position = tree.position()
    is_leadership = np.array([k == LEADERSHIP for k in tree.kind], dtype=bool)
    expected_pairs = sorted({(position[a], position[b]) for a, b in dependencies if a in position and b in position})

    values = ratings[:, 2]
    rated = tree.index_of(ratings[:, 3])
    response = ratings[:, 0]
    ok = (rated < n_teams) & (values >= 1) & (values <= 5)
    # A team rating itself (the respondent's team or one of its ancestors) only inflates its own score.
    has_team = rater_team < n_teams
    inside = np.zeros(len(ratings), dtype=bool)
    inside[has_team] = (tree.ancestors[rater_team[has_team]] == rated[has_team, None]).any(axis=1)
    ok &= ~inside
    response, rated, values, rater_team = response[ok], rated[ok], values[ok], rater_team[ok]
    # One rating per respondent and rated team.
    # (Response ids are random 63-bit numbers: a combined key ``response * n + rated`` would overflow.)
    _, first = np.unique(np.stack([response, rated], axis=1), axis=0, return_index=True)
    rated, values, rater_team = rated[first], values[first], rater_team[first]

    # Received: every rating of a team, from anyone.
    recv_n = np.bincount(rated, minlength=n_teams)
    recv_sum = np.bincount(rated, weights=values, minlength=n_teams)
    # Cells: a rating counts for the rater's team and every ancestor (a leadership team: own members only).
    with_team = rater_team < n_teams
    anc = tree.ancestors[rater_team[with_team]]  # [ratings, levels]
    levels = anc.shape[1]
    own_level = np.zeros_like(anc, dtype=bool)
    own_level[:, 0] = True
    keep = (anc >= 0) & (~is_leadership[np.maximum(anc, 0)] | own_level)
    cell_rater = anc[keep]
    cell_rated = np.repeat(rated[with_team], levels).reshape(-1, levels)[keep]
    cell_value = np.repeat(values[with_team], levels).reshape(-1, levels)[keep]
    key = cell_rater * n_teams + cell_rated
    uniq, inverse = np.unique(key, return_inverse=True)
    cell_n = np.bincount(inverse, minlength=len(uniq))
    cell_sum = np.bincount(inverse, weights=cell_value, minlength=len(uniq))
    # Declared dependencies nobody rated still get a (hidden) cell.
    expected = np.array([a * n_teams + b for a, b in expected_pairs], dtype=np.int64)
    missing = np.setdiff1d(expected, uniq)
    if len(missing):
        uniq = np.r_[uniq, missing]
        order = np.argsort(uniq, kind="stable")
        uniq = uniq[order]
        cell_n = np.r_[cell_n, np.zeros(len(missing), np.int64)][order]
        cell_sum = np.r_[cell_sum, np.zeros(len(missing))][order]
    c_rater, c_rated = uniq // n_teams, uniq % n_teams
    if not len(uniq) and not recv_n.any():
        return Coordination.empty()

    # The parent of a cell in its column: the cell of the rater's parent team, or the received
    # total when the rater is a root or the parent is a leadership team (whose cell is not a subtree).
    parent = tree.parent[c_rater]
    parent_key = np.where((parent >= 0) & ~is_leadership[np.maximum(parent, 0)], parent * n_teams + c_rated, -1)
    parent_pos = np.minimum(np.searchsorted(uniq, parent_key), max(len(uniq) - 1, 0))
    has_parent_cell = (parent_key >= 0) & (uniq[parent_pos] == parent_key) if len(uniq) else parent_key >= 0

    # Columns where nothing is small and no residual is small need no protection.
    child_sum = np.zeros(len(uniq))
    np.add.at(child_sum, parent_pos[has_parent_cell], cell_n[has_parent_cell])
    recv_child_sum = np.bincount(c_rated[~has_parent_cell], weights=cell_n[~has_parent_cell], minlength=n_teams)

    def small(n: npt.ArrayLike) -> npt.NDArray[np.bool_]:
        n = np.asarray(n)
        return (n > 0) & (n < threshold)

    received = np.flatnonzero(recv_n)
    dirty = set(c_rated[small(cell_n) | small(cell_n - child_sum)].tolist())
    dirty |= set(received[small(recv_n[received]) | small(recv_n[received] - recv_child_sum[received])].tolist())
    hidden_cells = cell_n < threshold
    hidden_recv = recv_n < threshold
    if dirty:
        recv_list = sorted(dirty)
        cells = np.flatnonzero(np.isin(c_rated, recv_list))
        n_recv = len(recv_list)
        recv_node = {r: k for k, r in enumerate(recv_list)}
        cell_node = {int(i): n_recv + j for j, i in enumerate(cells.tolist())}
        children: list[list[int]] = [[] for _ in range(n_recv + len(cells))]
        for j, i in enumerate(cells.tolist()):
            parent_node = cell_node[int(parent_pos[i])] if has_parent_cell[i] else recv_node[int(c_rated[i])]
            children[parent_node].append(n_recv + j)
        plan = disclosure.DifferencingPlan(
            [(node, (tuple(kids),) if kids else ()) for node, kids in enumerate(children)]
        )
        counts = np.r_[recv_n[recv_list], cell_n[cells]]
        protected = cast("set[int]", plan.protect(counts.tolist(), threshold))  # the plan's ids are the node numbers
        for node in protected:
            if node < n_recv:
                hidden_recv[recv_list[node]] = True
            else:
                hidden_cells[cells[node - n_recv]] = True

    targets = np.unique(expected % n_teams) if len(expected) else expected
    keep_recv = np.flatnonzero(((recv_n > 0) & ~hidden_recv) | np.isin(np.arange(n_teams), targets))
    keep_cell = np.flatnonzero(~hidden_cells | np.isin(uniq, expected))
    rater: list[int | None] = [None] * len(keep_recv) + tree.ids[c_rater[keep_cell]].tolist()
    rated_ids = tree.ids[keep_recv].tolist() + tree.ids[c_rated[keep_cell]].tolist()
    n = np.r_[recv_n[keep_recv], cell_n[keep_cell]].astype(np.int64)
    total = np.r_[recv_sum[keep_recv], cell_sum[keep_cell]]
    mask = np.r_[hidden_recv[keep_recv], hidden_cells[keep_cell]].astype(bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(mask, np.nan, total / np.maximum(n, 1))
    return Coordination(rater=rater, rated=rated_ids, respondents=n, mean=mean, hidden=mask)
