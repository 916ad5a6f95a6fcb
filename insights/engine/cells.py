"""Step 1 of scoring a round: count the answers into cells.

Every response falls into one *cell* — (its team, its layer) — and, while a round
is being released in batches, one batch; a cell × batch is an *atom* of the
disclosure audit. Answers are counted per atom with ``np.bincount`` into a
feature matrix whose columns (:class:`Columns`) are all sums: respondents,
invitations, a histogram per dimension (Likert dimensions pooled over their
items, then eNPS), respondents per dimension, the six Pearson sums per dimension
and outcome (drivers), and the priority-pick figures. Because every column is a
sum, atoms add up exactly into any scope.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from insights.engine.tree import Tree
from insights.vocabulary import ALIGNMENT, ENPS, LIKERT5, NOT_SCORED, OUTCOMES, PRIORITY_PICK, RATE_TEAM, SCALE10

Int = npt.NDArray[np.int64]
Float = npt.NDArray[np.float64]
VALUES = 11  # histogram width: values 0..10 (Likert uses 1..5)
PRIORITY_TOP = 3


@dataclass(frozen=True)
class Question:
    id: int
    key: str
    dimension: str
    kind: str


class AnswerKind(IntEnum):
    """What an answer counts as."""

    IGNORED = 0
    LIKERT = 1  # a Likert item of a scored dimension
    ENPS = 2  # the 0–10 eNPS item
    PRIORITY_PICK = 3  # one priority picked (value = the rank the respondent gave it)
    TEAM_RATING = 4  # a 1–5 rating of another team


class Columns:
    """Column offsets of the per-atom feature matrix."""

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


@dataclass
class Counts:
    """The round counted per atom (cell × batch), plus what coordination needs."""

    features: Float  # [atom, Columns.width]; atom = cell * batches + batch
    columns: Columns
    batches: int
    n_layers: int
    dimensions: list[str]  # Likert dimensions in report order, then "enps" if answered
    picked: Int  # priority ids picked by anyone (the pick-count columns)
    ranking: list[int]  # leadership's ranking, deduplicated
    top: int  # how many of leadership's priorities the overlap compares: min(3, len(ranking))
    ratings: Int  # team-rating answers (response, question, value, rated team, priority)
    rater_team: Int  # the tree index of each rating's respondent (size = no team)

    @property
    def n_cells(self) -> int:
        return self.features.shape[0] // self.batches

    def per_cell(self, upto: int | None = None) -> Float:
        """Features per cell, summed over batches 1..``upto`` (all when None)."""
        f = self.features.reshape(self.n_cells, self.batches, -1)
        return (f if upto is None else f[:, :upto]).sum(axis=1)


def _sums(atom: Int, weights: npt.ArrayLike | None, n: int) -> Float:
    return np.bincount(atom, weights=weights, minlength=n).astype(np.float64)


def _answer_kinds(
    questions: Mapping[int, Question], dimensions: Sequence[str], q_ids: Int
) -> tuple[list[str], Int, Int]:
    """(Likert dimensions in report order, kind of each answer, dimension index of each answer)."""
    asked = {q.dimension for q in questions.values() if q.kind == LIKERT5 and q.dimension not in NOT_SCORED}
    likert_dims = [d for d in dimensions if d in asked] + sorted(asked - set(dimensions))
    known_q = np.array(sorted(questions), dtype=np.int64)
    if not len(known_q):
        return likert_dims, np.zeros(len(q_ids), np.int64), np.full(len(q_ids), -1, np.int64)
    q_pos = np.minimum(np.searchsorted(known_q, q_ids), len(known_q) - 1)
    q_found = known_q[q_pos] == q_ids
    dim_of_q = np.full(len(known_q), -1, dtype=np.int64)
    kind_of_q = np.full(len(known_q), AnswerKind.IGNORED, dtype=np.int64)
    for i, qid in enumerate(known_q.tolist()):
        q = questions[qid]
        if q.kind == LIKERT5 and q.dimension in likert_dims:
            dim_of_q[i], kind_of_q[i] = likert_dims.index(q.dimension), AnswerKind.LIKERT
        elif q.kind == SCALE10 and q.dimension == ENPS:
            kind_of_q[i] = AnswerKind.ENPS
        elif q.kind == PRIORITY_PICK:
            kind_of_q[i] = AnswerKind.PRIORITY_PICK
        elif q.kind == RATE_TEAM:
            kind_of_q[i] = AnswerKind.TEAM_RATING
    kinds = np.where(q_found, kind_of_q[q_pos], AnswerKind.IGNORED)
    dims = np.where(q_found, dim_of_q[q_pos], -1)
    return likert_dims, kinds, dims


def count(
    *,
    tree: Tree,
    n_layers: int,
    responses: Int,
    answers: Int,
    questions: Mapping[int, Question],
    invitations: Int,
    dimensions: Sequence[str],
    leadership_ranking: Sequence[int],
    batch: Int | None = None,
    batches: int = 1,
) -> Counts:
    """Count one round. ``responses``: (id, team id or 0, layer index); ``answers``: (response,
    question, value, rated team or 0, priority or 0); ``invitations``: (team id or 0, layer
    index, count); ``batch``: per response, its 0-based batch (all 0 when None)."""
    n_cells = (tree.size + 1) * n_layers
    n_atoms = n_cells * batches
    order = np.argsort(responses[:, 0], kind="stable")
    responses = responses[order]
    b = np.zeros(len(responses), np.int64) if batch is None else np.asarray(batch, np.int64)[order]
    layer_index = np.where((responses[:, 2] >= 0) & (responses[:, 2] < n_layers), responses[:, 2], 0)
    r_team = tree.index_of(responses[:, 1])
    r_atom = (r_team * n_layers + layer_index) * batches + b
    n_resp = len(responses)

    if len(answers) and n_resp:
        a_r = np.minimum(np.searchsorted(responses[:, 0], answers[:, 0]), n_resp - 1)
        known = responses[a_r, 0] == answers[:, 0]
        answers, a_r = answers[known], a_r[known]
    else:
        answers, a_r = answers[:0], np.zeros(0, dtype=np.int64)
    values = answers[:, 2]

    likert_dims, a_kind, a_dim = _answer_kinds(questions, dimensions, answers[:, 1])
    is_likert = (a_kind == AnswerKind.LIKERT) & (values >= 1) & (values <= 5)
    is_enps = (a_kind == AnswerKind.ENPS) & (values >= 0) & (values <= 10)
    dims = likert_dims + ([ENPS] if is_enps.any() else [])
    enps_d = len(likert_dims)
    n_dims = len(dims)
    a_dim = np.where(is_enps, enps_d, a_dim)
    scored = is_likert | is_enps

    pick_rows = (a_kind == AnswerKind.PRIORITY_PICK) & (answers[:, 4] > 0)
    p_resp, p_prio, p_rank = a_r[pick_rows], answers[pick_rows, 4], values[pick_rows]
    picked = np.unique(p_prio)
    ranking = list(dict.fromkeys(leadership_ranking))
    top = min(PRIORITY_TOP, len(ranking))

    cols = Columns(n_dims, len(picked))
    feats = np.zeros((n_atoms, cols.width))
    feats[:, cols.respondents] = _sums(r_atom, None, n_atoms)[:, None]

    if len(invitations):  # not batched: counted in the first batch
        inv_layer = np.where((invitations[:, 1] >= 0) & (invitations[:, 1] < n_layers), invitations[:, 1], 0)
        inv_atom = (tree.index_of(invitations[:, 0]) * n_layers + inv_layer) * batches
        feats[:, cols.invited] = _sums(inv_atom, invitations[:, 2], n_atoms)[:, None]

    # Histograms: atom × dimension × value.
    hist_key = (r_atom[a_r[scored]] * n_dims + a_dim[scored]) * VALUES + values[scored]
    feats[:, cols.hist] = np.bincount(hist_key, minlength=n_atoms * n_dims * VALUES).reshape(n_atoms, -1)

    # Per respondent and dimension: answered items and their sum (respondents per dimension, drivers).
    rd_key = a_r[scored] * n_dims + a_dim[scored]
    rd_count = np.bincount(rd_key, minlength=n_resp * n_dims).reshape(n_resp, n_dims)
    rd_sum = np.bincount(rd_key, weights=values[scored], minlength=n_resp * n_dims).reshape(n_resp, n_dims)
    answered = rd_count > 0
    dr_key = (r_atom[:, None] * n_dims + np.arange(n_dims)[None, :])[answered]
    feats[:, cols.dim_respondents] = np.bincount(dr_key, minlength=n_atoms * n_dims).reshape(n_atoms, n_dims)

    # Drivers: per respondent, x = their mean on a dimension (the eNPS answer for eNPS),
    # y = their eNPS answer / their alignment mean; the six Pearson sums per atom.
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(answered, rd_sum / np.maximum(rd_count, 1), np.nan)
    none = np.full(n_resp, np.nan)
    outcome_y = {
        ENPS: x[:, enps_d] if ENPS in dims else none,
        ALIGNMENT: x[:, likert_dims.index(ALIGNMENT)] if ALIGNMENT in likert_dims else none,
    }
    driver = np.zeros((n_atoms, n_dims, len(OUTCOMES), 6))
    for o, outcome in enumerate(OUTCOMES):
        y = outcome_y[outcome]
        if np.isnan(y).all():
            continue
        for d in range(n_dims):
            pair = ~np.isnan(x[:, d]) & ~np.isnan(y)
            if not pair.any():
                continue
            xd, yd, c = x[pair, d], y[pair], r_atom[pair]
            for j, w in enumerate((None, xd, yd, xd * xd, yd * yd, xd * yd)):
                driver[:, d, o, j] = _sums(c, w, n_atoms)
    feats[:, cols.drivers] = driver.reshape(n_atoms, -1)

    # Priority picks: each (response, priority) once, ordered by the rank the respondent gave.
    if len(p_resp):
        order = np.lexsort((p_rank, p_resp))
        p_resp, p_prio, p_rank = p_resp[order], p_prio[order], p_rank[order]
        _, first = np.unique(np.stack([p_resp, p_prio], axis=1), axis=0, return_index=True)
        first = np.sort(first)
        p_resp, p_prio = p_resp[first], p_prio[first]
        starts = np.r_[0, np.flatnonzero(np.diff(p_resp)) + 1]
        position = np.arange(len(p_resp)) - np.repeat(starts, np.diff(np.r_[starts, len(p_resp)]))
        feats[:, cols.pickers] = _sums(r_atom[np.unique(p_resp)], None, n_atoms)[:, None]
        if ranking:
            named = p_prio == ranking[0]
            feats[:, cols.named_top] = _sums(r_atom[p_resp[named]], None, n_atoms)[:, None]
            in_top = (position < PRIORITY_TOP) & np.isin(p_prio, ranking[:top])
            feats[:, cols.overlap] = _sums(r_atom[p_resp[in_top]], None, n_atoms)[:, None]
        pick_key = r_atom[p_resp] * len(picked) + np.searchsorted(picked, p_prio)
        feats[:, cols.picks] = np.bincount(pick_key, minlength=n_atoms * len(picked)).reshape(n_atoms, -1)

    rates = (a_kind == AnswerKind.TEAM_RATING) & (answers[:, 3] > 0)
    return Counts(
        features=feats,
        columns=cols,
        batches=batches,
        n_layers=n_layers,
        dimensions=dims,
        picked=picked,
        ranking=ranking,
        top=top,
        ratings=answers[rates],
        rater_team=r_team[a_r[rates]],
    )
