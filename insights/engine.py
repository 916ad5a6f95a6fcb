"""Scoring one survey round: from the round's answers to every scope's figures.

Django-free, like scoring.py: :func:`compute_round` takes plain arrays
(:class:`RoundInput`, loaded by ``insights.services``) and returns a
:class:`RoundResult` that the services write as snapshots. The steps:

1. **Cells.** Every response falls into one *cell*: (its team, its layer).
   Answers are counted per cell with ``np.bincount`` into histograms (per
   Likert dimension, pooled over its items; eNPS), plus per-cell respondent,
   invitation, priority-pick and driver sums. Every figure is a sum, so
   cells add up exactly into any scope.
2. **Scopes.** Cells are summed per team, rolled up the team tree with
   ``scoring.rollup_subtrees`` (department and team scopes are subtrees), and
   summed per layer, per depth and for the organization; the leadership
   scope is the leadership team's own cells.
3. **Anonymity.** ``scoring.protect_differencing`` over one hierarchy: the
   organization split by the team tree, by layers and by depths; each team
   subtree split by its child teams. Run on the scopes' respondents (scope
   figures), again per dimension when some respondents skipped a dimension
   (its own respondent counts), at the comment threshold for comments, on
   priority pickers, and along the rater tree within each rated team's
   column of the coordination matrix.
4. **Figures.** ``scoring.summaries`` for scores, favorable shares and
   spreads; gaps against the leadership scope; deltas against the previous
   round; drivers with ``scoring.pearson_from_sums``; priority alignment;
   coordination means. Hidden cells are NaN, and the services store them as
   suppressed rows without values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from insights import disclosure, scoring

ORGANIZATION, LEADERSHIP, DEPARTMENT, TEAM, LAYER, DEPTH = (
    "organization",
    "leadership",
    "department",
    "team",
    "layer",
    "depth",
)
TEAM_KINDS = (LEADERSHIP, DEPARTMENT, TEAM)
LIKERT5, SCALE10, PRIORITY_PICK, RATE_TEAM = "likert5", "scale10", "priority_pick", "rate_team"
ENPS = "enps"
ALIGNMENT = "alignment"
OUTCOMES = (ENPS, ALIGNMENT)
# Dimensions that are not pooled Likert scores even when a Likert question carries them.
NOT_SCORED = frozenset({ENPS, "priority_pick", "rate_team", "comment"})
VALUES = 11  # histogram width: values 0..10 (Likert uses 1..5)
PRIORITY_TOP = 3

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]


class ScopeKey(NamedTuple):
    """Names a scope the way the models do: kind plus team id, layer or depth."""

    kind: str
    team: int | None = None
    layer: str = ""
    depth: int | None = None


@dataclass(frozen=True)
class Question:
    id: int
    key: str
    dimension: str
    kind: str


@dataclass
class RoundInput:
    """Everything :func:`compute_round` needs, as plain values.

    ``responses``: int rows (response id, team id or 0, layer index: 0 unknown,
    ``i`` = ``layers[i - 1]``). ``answers``: int rows (response id, question id,
    value, rated team id or 0, priority id or 0), numeric answers only.
    ``invitations``: int rows (team id or 0, layer index, count).
    ``teams``: (id, parent id, kind) of every team of the organization.
    ``dimensions``: the order to report Likert dimensions in.
    ``previous_scores``: (scope, dimension) → score of the previous round's
    *shown* snapshots, for deltas.
    """

    teams: Sequence[tuple[int, int | None, str]]
    layers: Sequence[str]
    responses: Int
    answers: Int
    questions: Mapping[int, Question]
    invitations: Int
    threshold: int
    comment_threshold: int
    dimensions: Sequence[str] = ()
    leadership_ranking: Sequence[int] = ()
    previous_scores: Mapping[tuple[ScopeKey, str], float] = field(default_factory=dict)
    driver_min_respondents: int = scoring.DEFAULT_DRIVER_MIN_RESPONDENTS
    dependencies: Sequence[tuple[int, int]] = ()  # (from team, to team): from depends on to


@dataclass
class Coordination:
    """Coordination cells; ``rater`` None is the rated team's received total."""

    rater: list[int | None]
    rated: list[int]
    respondents: Int
    mean: Float  # NaN where hidden
    hidden: npt.NDArray[np.bool_]


@dataclass
class Priorities:
    respondents: Int  # per scope: respondents with at least one pick
    hidden: npt.NDArray[np.bool_]
    top_priority: int | None
    top_priority_share: Float
    top_overlap: Float
    pick_counts: list[dict[str, int] | None]


@dataclass
class RoundResult:
    """Per-scope arrays (axis 0 = ``scopes``); per-dimension arrays are [scope, dimension]."""

    scopes: list[ScopeKey]
    respondents: Int
    invited: Int
    hidden: npt.NDArray[np.bool_]
    comments_released: npt.NDArray[np.bool_]
    dimensions: list[str]
    dim_respondents: Int
    dim_hidden: npt.NDArray[np.bool_]
    mean: Float
    score: Float
    favorable_share: Float
    unfavorable_share: Float
    spread: Float
    delta: Float
    gap: Float
    driver_enps: Float
    driver_alignment: Float
    leadership: int | None  # index of the leadership scope used for gaps
    priorities: Priorities | None
    coordination: Coordination

    def index(self) -> dict[ScopeKey, int]:
        return {key: i for i, key in enumerate(self.scopes)}

    def shown_scores(self) -> dict[tuple[ScopeKey, str], float]:
        """(scope, dimension) → score of every shown snapshot (the next round's deltas)."""
        out = {}
        for s, key in enumerate(self.scopes):
            for d, dim in enumerate(self.dimensions):
                if not self.dim_hidden[s, d]:
                    out[(key, dim)] = float(self.score[s, d])
        return out


# --------------------------------------------------------------------------
# The team tree
# --------------------------------------------------------------------------


@dataclass
class _Tree:
    ids: Int  # sorted team ids; index = position
    parent: Int  # parent index, -1 for roots
    kind: list[str]
    depth: Int
    children: list[list[int]]
    top_down: list[int]
    parent_of: dict[int, int | None]
    ancestors: Int  # [team, max depth + 1]: the team, its parent, ... then -1

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


def _tree(teams: Sequence[tuple[int, int | None, str]]) -> _Tree:
    """The team tree as arrays; the last one is reused (a backfill scores many rounds of one tree)."""
    key = tuple(teams)
    cached = _last_tree[0]  # one (key, tree) tuple, read and replaced whole: safe across threads
    if cached is not None and cached[0] == key:
        return cached[1]
    tree = _build_tree(teams)
    _last_tree[0] = (key, tree)
    return tree


_last_tree: list[tuple[tuple, _Tree] | None] = [None]


def _build_tree(teams: Sequence[tuple[int, int | None, str]]) -> _Tree:
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
    return _Tree(ids, parent, kind, depth, children, top_down, parent_of, ancestors)


# --------------------------------------------------------------------------
# Scopes and their hierarchy
# --------------------------------------------------------------------------


@dataclass
class _Scopes:
    keys: list[ScopeKey]
    groups: list[tuple[tuple[int, ...], ...]]  # child groups by scope index
    leadership: int | None
    alias: dict[int, int]  # scope -> the earlier scope with exactly the same respondents
    keep: list[int]
    rows: list[list[int]] = field(default_factory=list)  # per scope: the atoms (cells) it sums

    def __post_init__(self) -> None:
        self.plan = scoring.DifferencingPlan(list(enumerate(self.groups)), self.keep)

    def protect(
        self,
        counts: npt.ArrayLike,
        threshold: int,
        hidden: set[int] | None = None,
        *,
        weights: npt.ArrayLike | None = None,
        lists: bool = False,
    ) -> set[int]:
        """Scope indices to hide at ``threshold``: per-scope ``counts``, per-cell ``weights``
        (respondents of the figure in each cell), and scopes already hidden.

        Two steps. The hierarchy plan (``scoring.DifferencingPlan``) quickly hides what
        subtraction along the declared parent/child groups would reveal — most of the
        secondary suppression. Then the exact audit (``insights.disclosure.audit``) over
        every scope at once proves that no linear combination of what is left isolates
        fewer than ``threshold`` respondents, hiding more where one would. An alias is
        hidden exactly when the scope it stands for is. ``lists``: the figures are lists
        of recognisable items (comments): :func:`insights.disclosure.audit_sets`, where
        layers and depths, which cut across the team tree, give way before teams.
        """
        out = self.plan.protect(np.asarray(counts).tolist(), threshold, hidden=hidden or ())
        self._align_aliases(out)
        if weights is not None and self.rows:
            if lists:
                keep = [
                    k + (0 if key.kind in (LAYER, DEPTH) else 1) for k, key in zip(self.keep, self.keys, strict=True)
                ]
                result = disclosure.audit_sets(
                    np.asarray(weights).tolist(), self.rows, threshold, keep=keep, hidden=out
                )
            else:
                result = disclosure.audit(
                    np.asarray(weights).tolist(), self.rows, threshold, keep=self.keep, hidden=out
                )
            out = result.hidden
            self._align_aliases(out)
        return out

    def _align_aliases(self, out: set[int]) -> None:
        for s, same in self.alias.items():
            if same in out or s in out:
                out.add(s)
                out.add(same)


def _scope_rows(
    tree: _Tree, n_layers: int, source: list[tuple[str, int]], present: npt.NDArray[np.bool_]
) -> list[list[int]]:
    """The cells (atoms) each scope sums, among cells where ``present`` is true."""
    cells = np.flatnonzero(present)
    team = cells // n_layers
    layer = cells % n_layers
    in_tree = team < tree.size
    by_layer: dict[int, list[int]] = {}
    for li in np.unique(layer).tolist():
        by_layer[li] = cells[layer == li].tolist()
    own: dict[int, list[int]] = {}
    order = np.argsort(team, kind="stable")
    t_sorted, c_sorted = team[order], cells[order]
    bounds = np.flatnonzero(np.diff(t_sorted)) + 1
    for chunk_t, chunk_c in zip(np.split(t_sorted, bounds), np.split(c_sorted, bounds), strict=True):
        if len(chunk_t):
            own[int(chunk_t[0])] = chunk_c.tolist()
    subtree: dict[int, list[int]] = {}
    if in_tree.any():
        anc = tree.ancestors[team[in_tree]]
        pairs_a = anc.reshape(-1)
        pairs_c = np.repeat(cells[in_tree], anc.shape[1])
        ok = pairs_a >= 0
        pairs_a, pairs_c = pairs_a[ok], pairs_c[ok]
        o = np.lexsort((pairs_c, pairs_a))
        pairs_a, pairs_c = pairs_a[o], pairs_c[o]
        bounds = np.flatnonzero(np.diff(pairs_a)) + 1
        for chunk_a, chunk_c in zip(np.split(pairs_a, bounds), np.split(pairs_c, bounds), strict=True):
            if len(chunk_a):
                subtree[int(chunk_a[0])] = chunk_c.tolist()
    depth_of_cell = np.where(in_tree, tree.depth[np.minimum(team, max(tree.size - 1, 0))] if tree.size else -1, -1)
    by_depth: dict[int, list[int]] = {}
    for d in np.unique(depth_of_cell[in_tree]).tolist() if in_tree.any() else []:
        by_depth[d] = cells[in_tree & (depth_of_cell == d)].tolist()
    all_cells = cells.tolist()
    rows = []
    for kind, i in source:
        if kind == "org":
            rows.append(all_cells)
        elif kind == "own":
            rows.append(own.get(i, []))
        elif kind == "subtree":
            rows.append(subtree.get(i, []))
        elif kind == "layer":
            rows.append(by_layer.get(i, []))
        else:
            rows.append(by_depth.get(i, []))
    return rows


def _aggregate(tree: _Tree, n_layers: int, cells: Float) -> tuple[Float, Float, Float, Float, Float]:
    """Per-cell rows → (per team own, per team subtree, per layer, per depth, organization)."""
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
    return own, subtree, per_layer, per_depth, cells.sum(axis=0)


def _scopes(
    tree: _Tree, layers: Sequence[str], present: tuple[Float, ...], signature: tuple[npt.NDArray[np.uint64], ...]
) -> tuple[_Scopes, list[tuple[str, int]]]:
    """The scopes of a round (those with anyone invited or answering) and their hierarchy.

    ``present`` is (own, subtree, per layer, per depth, organization) of
    invitations + respondents; ``signature`` the same of a hash of which cells
    have respondents. Returns the scopes and, per scope, where its figures come
    from: ("org", 0), ("own", team), ("subtree", team), ("layer", layer index),
    ("depth", depth).

    A layer or depth made of exactly the same respondents as an earlier scope
    (typically: the executive layer is the leadership team) is that scope for
    differencing: it stands in the organization's layer or depth group as the
    earlier scope, and is shown or hidden with it. Otherwise the organization
    minus the executive layer minus every department would reveal a hidden
    department although the leadership team was hidden.
    """
    own, subtree, per_layer, per_depth, _ = present
    keys: list[ScopeKey] = [ScopeKey(ORGANIZATION)]
    source: list[tuple[str, int]] = [("org", 0)]
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
    for li, layer in enumerate(layers, start=1):
        if per_layer[li] > 0:
            layer_scope.append(len(keys))
            keys.append(ScopeKey(LAYER, layer=layer))
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

    # Same respondents, same scope (see the docstring).
    signatures = _gather(source, signature)[:, 0].tolist()
    first: dict[int, int] = {}
    alias: dict[int, int] = {}
    for s, sig in enumerate(signatures):
        if sig == 0 or s == 0:  # a layer that is everyone is the organization's child, not its alias
            continue
        if sig in first and keys[s].kind in (LAYER, DEPTH):
            alias[s] = first[sig]
        else:
            first.setdefault(sig, s)

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
    return _Scopes(keys, groups, leaderships[0] if leaderships else None, alias, keep), source


def _gather(source: list[tuple[str, int]], parts: tuple[Float, Float, Float, Float, Float]) -> Float:
    own, subtree, per_layer, per_depth, org = parts
    rows = []
    for kind, i in source:
        if kind == "org":
            rows.append(org)
        elif kind == "own":
            rows.append(own[i])
        elif kind == "subtree":
            rows.append(subtree[i])
        elif kind == "layer":
            rows.append(per_layer[i])
        else:
            rows.append(per_depth[i])
    return np.stack(rows)


# --------------------------------------------------------------------------
# The computation
# --------------------------------------------------------------------------


class _Columns:
    """Column offsets of the per-cell feature matrix."""

    def __init__(self, n_dims: int, n_picked: int):
        self.width = 0
        self.respondents = self._take(1)
        self.invited = self._take(1)
        self.hist = self._take(n_dims * VALUES)  # Likert dims then eNPS, values 0..10
        self.dim_respondents = self._take(n_dims)
        self.drivers = self._take(n_dims * len(OUTCOMES) * 6)  # pearson sums
        self.pickers = self._take(1)
        self.named_top = self._take(1)
        self.overlap = self._take(1)
        self.picks = self._take(n_picked)

    def _take(self, n: int) -> slice:
        out = slice(self.width, self.width + n)
        self.width += n
        return out


def _cell_sums(cell: Int, weights: npt.ArrayLike | None, n_cells: int) -> Float:
    return np.bincount(cell, weights=weights, minlength=n_cells).astype(np.float64)


def compute_round(data: RoundInput) -> RoundResult:
    """Every scope's figures for one round. See the module docstring."""
    scoring._check_threshold(data.threshold)
    tree = _tree(data.teams)
    n_layers = len(data.layers) + 1
    n_cells = (tree.size + 1) * n_layers

    responses = np.asarray(data.responses, dtype=np.int64).reshape(-1, 3)
    order = np.argsort(responses[:, 0], kind="stable")
    responses = responses[order]
    layer_index = np.where((responses[:, 2] >= 0) & (responses[:, 2] < n_layers), responses[:, 2], 0)
    r_team = tree.index_of(responses[:, 1])
    r_cell = r_team * n_layers + layer_index
    n_resp = len(responses)

    answers = np.asarray(data.answers, dtype=np.int64).reshape(-1, 5)
    if len(answers):
        a_r = np.searchsorted(responses[:, 0], answers[:, 0])
        a_r = np.minimum(a_r, max(n_resp - 1, 0))
        known = (n_resp > 0) & (responses[a_r, 0] == answers[:, 0]) if n_resp else np.zeros(len(answers), bool)
        answers, a_r = answers[known], a_r[known]
    else:
        a_r = np.zeros(0, dtype=np.int64)
    q_ids, values = answers[:, 1], answers[:, 2]

    # Which question is what.
    asked = {q.dimension for q in data.questions.values() if q.kind == LIKERT5 and q.dimension not in NOT_SCORED}
    likert_dims = [d for d in data.dimensions if d in asked] + sorted(asked - set(data.dimensions))
    known_q = np.array(sorted(data.questions), dtype=np.int64)
    q_pos = np.searchsorted(known_q, q_ids) if len(known_q) else np.zeros(len(q_ids), dtype=np.int64)
    q_pos = np.minimum(q_pos, max(len(known_q) - 1, 0))
    q_found = known_q[q_pos] == q_ids if len(known_q) else np.zeros(len(q_ids), bool)
    dim_of_q = np.full(len(known_q), -1, dtype=np.int64)
    kind_of_q = np.full(len(known_q), 0, dtype=np.int64)  # 1 likert, 2 eNPS, 3 priority pick, 4 rate team
    for i, qid in enumerate(known_q.tolist()):
        q = data.questions[qid]
        if q.kind == LIKERT5 and q.dimension in likert_dims:
            dim_of_q[i], kind_of_q[i] = likert_dims.index(q.dimension), 1
        elif q.kind == SCALE10 and q.dimension == ENPS:
            kind_of_q[i] = 2
        elif q.kind == PRIORITY_PICK:
            kind_of_q[i] = 3
        elif q.kind == RATE_TEAM:
            kind_of_q[i] = 4
    a_kind = np.where(q_found, kind_of_q[q_pos], 0)
    a_dim = np.where(q_found, dim_of_q[q_pos], -1)

    is_likert = (a_kind == 1) & (values >= 1) & (values <= 5)
    is_enps = (a_kind == 2) & (values >= 0) & (values <= 10)
    has_enps = bool(is_enps.any())
    dims = likert_dims + ([ENPS] if has_enps else [])
    enps_d = len(likert_dims)
    n_dims = len(dims)
    a_dim = np.where(is_enps, enps_d, a_dim)
    scored = is_likert | is_enps

    # Priority picks: dedupe (response, priority), first three by rank.
    pick_rows = (a_kind == 3) & (answers[:, 4] > 0)
    p_resp, p_prio, p_rank = a_r[pick_rows], answers[pick_rows, 4], values[pick_rows]
    picked_ids = np.unique(p_prio)
    ranking = list(dict.fromkeys(data.leadership_ranking))
    k = min(PRIORITY_TOP, len(ranking))

    cols = _Columns(n_dims, len(picked_ids))
    feats = np.zeros((n_cells, cols.width))
    feats[:, cols.respondents] = _cell_sums(r_cell, None, n_cells)[:, None]

    inv = np.asarray(data.invitations, dtype=np.int64).reshape(-1, 3)
    if len(inv):
        inv_layer = np.where((inv[:, 1] >= 0) & (inv[:, 1] < n_layers), inv[:, 1], 0)
        inv_cell = tree.index_of(inv[:, 0]) * n_layers + inv_layer
        feats[:, cols.invited] = _cell_sums(inv_cell, inv[:, 2], n_cells)[:, None]

    # Histograms: cell × dimension × value.
    s_cell = r_cell[a_r[scored]]
    hist_key = (s_cell * n_dims + a_dim[scored]) * VALUES + values[scored]
    hist = np.bincount(hist_key, minlength=n_cells * n_dims * VALUES).reshape(n_cells, n_dims * VALUES)
    feats[:, cols.hist] = hist

    # Per respondent and dimension: answered items, their sum (for respondents and drivers).
    rd_key = a_r[scored] * n_dims + a_dim[scored]
    rd_count = np.bincount(rd_key, minlength=n_resp * n_dims).reshape(n_resp, n_dims)
    rd_sum = np.bincount(rd_key, weights=values[scored], minlength=n_resp * n_dims).reshape(n_resp, n_dims)
    answered = rd_count > 0
    dr_key = (r_cell[:, None] * n_dims + np.arange(n_dims)[None, :])[answered]
    feats[:, cols.dim_respondents] = np.bincount(dr_key, minlength=n_cells * n_dims).reshape(n_cells, n_dims)

    # Drivers: per respondent, x = their mean on a dimension (the eNPS answer for eNPS),
    # y = their eNPS answer / their alignment mean; the six Pearson sums per cell.
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(answered, rd_sum / np.maximum(rd_count, 1), np.nan)
    outcome_y = {
        ENPS: x[:, enps_d] if has_enps else np.full(n_resp, np.nan),
        ALIGNMENT: x[:, likert_dims.index(ALIGNMENT)] if ALIGNMENT in likert_dims else np.full(n_resp, np.nan),
    }
    driver = np.zeros((n_cells, n_dims, len(OUTCOMES), 6))
    for o, outcome in enumerate(OUTCOMES):
        y = outcome_y[outcome]
        if np.isnan(y).all():
            continue
        for d in range(n_dims):
            pair = ~np.isnan(x[:, d]) & ~np.isnan(y)
            if not pair.any():
                continue
            xd, yd, c = x[pair, d], y[pair], r_cell[pair]
            for j, w in enumerate((None, xd, yd, xd * xd, yd * yd, xd * yd)):
                driver[:, d, o, j] = _cell_sums(c, w, n_cells)
    feats[:, cols.drivers] = driver.reshape(n_cells, -1)

    if len(p_resp):
        order = np.lexsort((p_rank, p_resp))
        p_resp, p_prio, p_rank = p_resp[order], p_prio[order], p_rank[order]
        pairs = np.stack([p_resp, p_prio], axis=1)
        _, first = np.unique(pairs, axis=0, return_index=True)
        first = np.sort(first)
        p_resp, p_prio = p_resp[first], p_prio[first]
        starts = np.r_[0, np.flatnonzero(np.diff(p_resp)) + 1]
        position = np.arange(len(p_resp)) - np.repeat(starts, np.diff(np.r_[starts, len(p_resp)]))
        pickers = np.unique(p_resp)
        feats[:, cols.pickers] = _cell_sums(r_cell[pickers], None, n_cells)[:, None]
        if ranking:
            top = p_prio == ranking[0]
            feats[:, cols.named_top] = _cell_sums(r_cell[p_resp[top]], None, n_cells)[:, None]
            in_top = (position < PRIORITY_TOP) & np.isin(p_prio, ranking[:k])
            feats[:, cols.overlap] = _cell_sums(r_cell[p_resp[in_top]], None, n_cells)[:, None]
        pick_key = r_cell[p_resp] * len(picked_ids) + np.searchsorted(picked_ids, p_prio)
        feats[:, cols.picks] = np.bincount(pick_key, minlength=n_cells * len(picked_ids)).reshape(n_cells, -1)

    # Scopes: aggregate cells, then anonymity.
    parts = _aggregate(tree, n_layers, feats)
    r0, i0 = cols.respondents.start, cols.invited.start
    # Which cells have respondents, hashed: random 64-bit weights summed with wrap-around,
    # so equal sums mean (but for a 2**-64 chance) the same cells, whatever the order.
    weights = np.random.default_rng(0).integers(0, 2**63, size=(n_cells, 1), dtype=np.int64).astype(np.uint64)
    signature = _aggregate(tree, n_layers, np.where(feats[:, r0 : r0 + 1] > 0, weights, np.uint64(0)))
    scopes, source = _scopes(tree, data.layers, tuple(p[..., r0] + p[..., i0] for p in parts), signature)
    cell_respondents = feats[:, r0]
    scopes.rows = _scope_rows(tree, n_layers, source, cell_respondents > 0)
    agg = _gather(source, parts)  # [scope, feature]
    n_scopes = len(scopes.keys)
    respondents = agg[:, cols.respondents.start].round().astype(np.int64)
    invited = agg[:, cols.invited.start].round().astype(np.int64)

    hidden_ids = scopes.protect(respondents, data.threshold, weights=cell_respondents)
    hidden = _mask(hidden_ids, n_scopes)
    comment_hidden = scopes.protect(
        respondents, max(data.comment_threshold, data.threshold), hidden_ids, weights=cell_respondents, lists=True
    )
    comments_released = ~_mask(comment_hidden, n_scopes)

    dim_respondents = agg[:, cols.dim_respondents].round().astype(np.int64)
    dim_hidden = np.zeros((n_scopes, n_dims), dtype=bool)
    cell_dim_respondents = feats[:, cols.dim_respondents]
    by_counts: dict[bytes, npt.NDArray[np.bool_]] = {cell_respondents.tobytes(): hidden}
    for d in range(n_dims):
        counts = dim_respondents[:, d]
        cell_counts = cell_dim_respondents[:, d]
        if cell_counts.tobytes() not in by_counts:
            # Some respondents skipped this dimension: protect its own counts too.
            ids = scopes.protect(counts, data.threshold, hidden_ids, weights=cell_counts)
            by_counts[cell_counts.tobytes()] = _mask(ids, n_scopes)
        dim_hidden[:, d] = by_counts[cell_counts.tobytes()]

    hists = agg[:, cols.hist].round().astype(np.int64).reshape(n_scopes, n_dims, VALUES)
    shape = (n_scopes, n_dims)
    mean, score, fav, unfav, spread = (np.full(shape, np.nan) for _ in range(5))
    if likert_dims:
        lik = scoring.summaries(hists[:, : len(likert_dims), 0:6])
        for target, values_ in zip(
            (mean, score, fav, unfav, spread),
            (lik.mean, lik.score, lik.favorable_share, lik.unfavorable_share, lik.spread),
            strict=True,
        ):
            target[:, : len(likert_dims)] = values_
    if has_enps:
        en = scoring.summaries(hists[:, enps_d, :])
        mean[:, enps_d], score[:, enps_d] = en.mean, en.score
        fav[:, enps_d], unfav[:, enps_d], spread[:, enps_d] = en.favorable_share, en.unfavorable_share, en.spread
    for arr in (mean, score, fav, unfav, spread):
        arr[dim_hidden] = np.nan

    # Gap: leadership's score minus each scope's; delta: minus the previous round's.
    gap = np.full(shape, np.nan)
    if scopes.leadership is not None:
        gap = score[scopes.leadership][None, :] - score
        gap[scopes.leadership] = np.nan
    delta = np.full(shape, np.nan)
    if data.previous_scores:
        for s, key in enumerate(scopes.keys):
            for d, dim in enumerate(dims):
                previous = data.previous_scores.get((key, dim))
                if previous is not None:
                    delta[s, d] = score[s, d] - previous

    drivers = agg[:, cols.drivers].reshape(n_scopes, n_dims, len(OUTCOMES), 6)
    driver_out = []
    for o, outcome in enumerate(OUTCOMES):
        sums = [drivers[:, :, o, j] for j in range(6)]
        r = scoring.pearson_from_sums(*sums, min_pairs=data.driver_min_respondents)
        r[dim_hidden] = np.nan
        if outcome in dims:
            r[:, dims.index(outcome)] = np.nan  # a dimension against itself
        driver_out.append(r)

    priorities = None
    if len(picked_ids):
        pickers_n = agg[:, cols.pickers.start].round().astype(np.int64)
        p_ids = scopes.protect(pickers_n, data.threshold, hidden_ids, weights=feats[:, cols.pickers.start])
        p_hidden = _mask(p_ids, n_scopes)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(p_hidden | (pickers_n == 0) | (k == 0), np.nan, agg[:, cols.named_top.start] / pickers_n)
            overlap = np.where(
                p_hidden | (pickers_n == 0) | (k == 0), np.nan, agg[:, cols.overlap.start] / (pickers_n * max(k, 1))
            )
        picks = agg[:, cols.picks].round().astype(np.int64)
        labels = [str(pid) for pid in picked_ids.tolist()]
        pick_counts: list[dict[str, int] | None] = [
            None if hidden_s else {label: c for label, c in zip(labels, row, strict=True) if c}
            for hidden_s, row in zip(p_hidden.tolist(), picks.tolist(), strict=True)
        ]
        priorities = Priorities(
            respondents=pickers_n,
            hidden=p_hidden,
            top_priority=int(ranking[0]) if ranking else None,
            top_priority_share=share,
            top_overlap=overlap,
            pick_counts=pick_counts,
        )

    rates = (a_kind == 4) & (answers[:, 3] > 0)
    coordination = _coordination(tree, answers[rates], r_team[a_r[rates]], data.threshold, data.dependencies)

    return RoundResult(
        scopes=scopes.keys,
        respondents=respondents,
        invited=invited,
        hidden=hidden,
        comments_released=comments_released,
        dimensions=dims,
        dim_respondents=dim_respondents,
        dim_hidden=dim_hidden,
        mean=mean,
        score=score,
        favorable_share=fav,
        unfavorable_share=unfav,
        spread=spread,
        delta=delta,
        gap=gap,
        driver_enps=driver_out[0],
        driver_alignment=driver_out[1],
        leadership=scopes.leadership,
        priorities=priorities,
        coordination=coordination,
    )


def _mask(ids: set, n: int) -> npt.NDArray[np.bool_]:
    mask = np.zeros(n, dtype=bool)
    if ids:
        mask[np.fromiter(ids, dtype=np.int64)] = True
    return mask


def _coordination(
    tree: _Tree, ratings: Int, rater_team: Int, threshold: int, dependencies: Sequence[tuple[int, int]]
) -> Coordination:
    """Cells (rater subtree → rated team) and received totals, with differencing protection
    along the rater tree in each rated team's column.

    Shown cells are all returned; a hidden cell only where it is a declared dependency
    (or a dependency target's received total), so "not enough responses" appears where
    the organization chart expects a rating, and no row betrays that someone rated a
    team nobody was asked about.
    """
    empty = Coordination([], [], np.zeros(0, np.int64), np.zeros(0), np.zeros(0, bool))
    if not len(ratings) or not tree.size:
        return empty
    values = ratings[:, 2]
    rated = tree.index_of(ratings[:, 3])
    response = ratings[:, 0]
    ok = (rated < tree.size) & (values >= 1) & (values <= 5)
    # A team rating itself (the respondent's team or one of its ancestors) only inflates its own score.
    has_team = rater_team < tree.size
    inside = np.zeros(len(ratings), dtype=bool)
    inside[has_team] = (tree.ancestors[rater_team[has_team]] == rated[has_team, None]).any(axis=1)
    ok &= ~inside
    response, rated, values, rater_team = response[ok], rated[ok], values[ok], rater_team[ok]
    # One rating per respondent and rated team.
    _, first = np.unique(response * (tree.size + 1) + rated, return_index=True)
    rated, values, rater_team = rated[first], values[first], rater_team[first]
    if not len(rated):
        return empty
    n_teams = tree.size

    # Received: every rating of a team, from anyone.
    recv_n = np.bincount(rated, minlength=n_teams)
    recv_sum = np.bincount(rated, weights=values, minlength=n_teams)
    received = np.flatnonzero(recv_n)
    # Cells: each rating counts for the rater's team and every ancestor.
    with_team = rater_team < n_teams
    anc = tree.ancestors[rater_team[with_team]]  # [ratings, levels]
    levels = anc.shape[1]
    cell_rater = anc.reshape(-1)
    cell_rated = np.repeat(rated[with_team], levels)
    cell_value = np.repeat(values[with_team], levels)
    keep = cell_rater >= 0
    key = cell_rater[keep] * n_teams + cell_rated[keep]
    uniq, inverse = np.unique(key, return_inverse=True)
    cell_n = np.bincount(inverse)
    cell_sum = np.bincount(inverse, weights=cell_value[keep])
    c_rater, c_rated = uniq // n_teams, uniq % n_teams

    # Differencing: in each rated team's column, received → root cells → child cells.
    # Scope ids: ("recv", rated) and ("cell", i). Columns where nothing is small and no
    # residual is small need no protection; only the others go through the algorithm.
    parent = tree.parent[c_rater]
    parent_key = np.where(parent >= 0, parent * n_teams + c_rated, -1)
    parent_pos = np.searchsorted(uniq, parent_key)
    parent_pos = np.minimum(parent_pos, len(uniq) - 1)
    has_parent_cell = (parent_key >= 0) & (uniq[parent_pos] == parent_key)
    child_sum = np.zeros(len(uniq))
    np.add.at(child_sum, parent_pos[has_parent_cell], cell_n[has_parent_cell])
    recv_child_sum = np.bincount(c_rated[~has_parent_cell], weights=cell_n[~has_parent_cell], minlength=n_teams)
    small = lambda n: (n > 0) & (n < threshold)  # noqa: E731
    dirty_rated = set(c_rated[small(cell_n) | small(cell_n - child_sum)].tolist())
    dirty_rated |= set(received[small(recv_n[received]) | small(recv_n[received] - recv_child_sum[received])].tolist())
    hidden_cells = np.zeros(len(uniq), dtype=bool)
    hidden_recv = np.zeros(n_teams, dtype=bool)
    if dirty_rated:
        recv_list = sorted(dirty_rated)
        cells = np.flatnonzero(np.isin(c_rated, recv_list))
        n_recv = len(recv_list)
        recv_node = {r: k for k, r in enumerate(recv_list)}
        cell_node = {int(i): n_recv + j for j, i in enumerate(cells.tolist())}
        children: list[list[int]] = [[] for _ in range(n_recv + len(cells))]
        for j, i in enumerate(cells.tolist()):
            parent_node = cell_node[int(parent_pos[i])] if has_parent_cell[i] else recv_node[int(c_rated[i])]
            children[parent_node].append(n_recv + j)
        plan = scoring.DifferencingPlan([(node, (tuple(kids),) if kids else ()) for node, kids in enumerate(children)])
        counts = np.r_[recv_n[recv_list], cell_n[cells]]
        for node in plan.protect(counts.tolist(), threshold):
            if node < n_recv:
                hidden_recv[recv_list[node]] = True
            else:
                hidden_cells[cells[node - n_recv]] = True

    # Hidden rows only where a rating was expected (see the docstring). A leadership
    # team's subtree is the organization: its cells repeat the received totals.
    position = {int(t): i for i, t in enumerate(tree.ids)}
    expected = np.array(
        sorted(position[a] * n_teams + position[b] for a, b in dependencies if a in position and b in position),
        dtype=np.int64,
    )
    targets = np.unique(expected % n_teams) if len(expected) else expected
    keep_recv = received[~hidden_recv[received] | np.isin(received, targets)]
    is_leadership = np.array([k == LEADERSHIP for k in tree.kind], dtype=bool)
    keep_cell = np.flatnonzero((~hidden_cells | np.isin(uniq, expected)) & ~is_leadership[c_rater])
    rater: list[int | None] = [None] * len(keep_recv) + tree.ids[c_rater[keep_cell]].tolist()
    rated_ids = tree.ids[keep_recv].tolist() + tree.ids[c_rated[keep_cell]].tolist()
    n = np.r_[recv_n[keep_recv], cell_n[keep_cell]].astype(np.int64)
    total = np.r_[recv_sum[keep_recv], cell_sum[keep_cell]]
    mask = np.r_[hidden_recv[keep_recv], hidden_cells[keep_cell]].astype(bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(mask, np.nan, total / n)
    return Coordination(rater=rater, rated=rated_ids, respondents=n, mean=mean, hidden=mask)
