"""Manager effectiveness: what each manager's direct reports said in a closed pulse round.

A manager's direct reports are the responses carrying that manager (``Response.manager``,
the snapshot taken when the round opened): a new *scope family* of the disclosure audit.
It is audited against everything else published for the round, never beside it:

* the **atoms** are the round's responses grouped by (team, layer, manager, release batch):
  every scope the engine published contains such a group whole or not at all, and so does
  every manager's group;
* the **fixed rows** are what the engine published (``insights.models.Participation`` for
  respondent counts, ``Snapshot`` per dimension, and every earlier live release of the
  round): they are public already and can never be withdrawn;
* the **candidate rows** are the managers' groups (and, for single items, the
  organization). ``insights.disclosure.audit`` hides candidates until no linear
  combination of published and candidate rows isolates 1 … k−1 respondents: a group
  below the threshold is hidden ("fewer than k responses"), and so is a group that a team
  scope minus it would leave smaller than k ("hidden so a smaller group cannot be worked
  out").

Each *variable* is audited on its own weights, as the engine does: respondent counts, each
dimension (respondents who answered one of its items), each item. The engine publishes no
single item, so an item's rows are the managers' groups and the organization alone; an item
is shown only where its dimension is (a dimension is the sum of its items: items shown
beside a hidden dimension would give it away). Only closed rounds have manager figures (live rounds move in audited releases; managers
appear when the round closes). Nothing here is stored: the decision is a pure function of
the round's responses and its stored results, and cached per scoring of the round.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from django.core.cache import cache

from insights import disclosure, scoring, vocabulary
from insights.engine.tree import Tree, build_tree
from insights.vocabulary import FEW, PROTECT, RESPONDENTS, ScopeKey

Int = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

MANAGER_DIMENSIONS = (vocabulary.ALIGNMENT, "leadership")  # what a manager's reports say about alignment and them
ORGANIZATION = "organization"  # the candidate row of an item's organization comparison
FIXED_KEEP = 10**6  # published rows: never chosen (they are fixed anyway)


# --------------------------------------------------------------------------
# The audit (no Django)
# --------------------------------------------------------------------------


@dataclass
class RoundFacts:
    """One round's responses as arrays, and what the engine published from them.

    Per response: ``team`` (id, 0 none), ``layer`` (1-based index into ``layers``, 0
    none), ``manager`` (person id, 0 none), ``batch`` (1-based release batch; all 1
    without live releases). ``counts[variable]``: per response, whether it counts for
    the variable (answered the dimension or the item). ``published[variable]``: the
    scopes published for it, with the number of batches each covers (None: all).
    """

    threshold: int
    tree: Tree
    layers: Sequence[str]
    team: Int
    layer: Int
    manager: Int
    batch: Int
    counts: dict[str, Bool] = field(default_factory=dict)
    published: dict[str, list[tuple[ScopeKey, int | None]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        cells = np.stack([self.team, self.layer, self.manager, self.batch], axis=1).reshape(-1, 4)
        if len(cells):
            _, self.atom = np.unique(cells, axis=0, return_inverse=True)
            self.atom = self.atom.reshape(-1)
            self.n_atoms = int(self.atom.max()) + 1
        else:
            self.atom, self.n_atoms = np.zeros(0, dtype=np.int64), 0
        self.team_index = self.tree.index_of(self.team)

    def members(self, key: ScopeKey) -> Bool:
        """Which responses a published scope holds (the engine's scope families)."""
        n = len(self.team)
        in_tree = self.team_index < self.tree.size
        if key.kind == vocabulary.ORGANIZATION:
            return np.ones(n, dtype=bool)
        if key.kind == vocabulary.LAYER:
            return self.layer == (list(self.layers).index(key.layer) + 1 if key.layer in self.layers else -1)
        if key.kind == vocabulary.DEPTH:
            depth = np.where(in_tree, self.tree.depth[np.minimum(self.team_index, self.tree.size - 1)], -1)
            return in_tree & (depth == key.depth)
        if key.kind == vocabulary.LEADERSHIP:
            return self.team == key.team
        position = self.tree.position().get(key.team)
        if position is None:
            return np.zeros(n, dtype=bool)
        ancestors = self.tree.ancestors[np.minimum(self.team_index, self.tree.size - 1)]
        return in_tree & (ancestors == position).any(axis=1)

    def atoms_of(self, mask: Bool) -> list[int]:
        return np.unique(self.atom[mask]).tolist()


def decide(facts: RoundFacts, variable: str, groups: Mapping[Hashable, Bool]) -> dict[Hashable, str]:
    """Per candidate group: "" (may be published), ``FEW`` or ``PROTECT``.

    ``groups``: each candidate's responses. The rows the engine published for
    ``variable`` are fixed; the audit hides candidates (managers before the organization).
    """
    k = facts.threshold
    disclosure.check_threshold(k)
    counting = facts.counts.get(variable)
    if counting is None:
        counting = np.ones(len(facts.team), dtype=bool)
    weights = np.bincount(facts.atom[counting], minlength=facts.n_atoms).tolist() if facts.n_atoms else []
    fixed_rows = []
    for key, level in facts.published.get(variable, ()):
        mask = facts.members(key)
        if level is not None:
            mask = mask & (facts.batch <= level)
        fixed_rows.append(facts.atoms_of(mask))
    names = list(groups)
    candidate_rows = [facts.atoms_of(groups[name]) for name in names]
    keep = [FIXED_KEEP] * len(fixed_rows) + [1 if name == ORGANIZATION else 0 for name in names]
    result = disclosure.audit(weights, fixed_rows + candidate_rows, k, keep=keep, fixed=range(len(fixed_rows)))
    out: dict[Hashable, str] = {}
    for i, name in enumerate(names):
        row = len(fixed_rows) + i
        respondents = int((groups[name] & counting).sum())
        if row not in result.hidden and respondents > 0:
            out[name] = ""
        else:
            out[name] = FEW if respondents < k else PROTECT
    return out


def likert_score(values: Int) -> float | None:
    """0–100 score of pooled 1–5 answers (``scoring.summaries``, the engine's formula)."""
    if not len(values):
        return None
    hist = np.bincount(values, minlength=6)[:6].astype(np.int64)
    return float(scoring.summaries(hist).score)


def likert_scores(values: Int, group: Int, groups: Sequence[int]) -> dict[int, float | None]:
    """0–100 score of the pooled 1–5 answers per group (``values`` and ``group`` per answer)."""
    return {g: likert_score(values[group == g]) for g in groups}


# --------------------------------------------------------------------------
# Reading a round (Django)
# --------------------------------------------------------------------------


@dataclass
class Figure:
    """A published figure of a group: its respondents and 0–100 score, or why it is hidden."""

    respondents: int | None
    score: float | None
    reason: str = ""  # "" shown, else vocabulary.FEW / PROTECT

    @property
    def shown(self) -> bool:
        return not self.reason


@dataclass
class ManagerFigures:
    manager_id: int
    respondents: Figure
    dimensions: dict[str, Figure]
    items: dict[str, Figure]  # question key -> figure


@dataclass
class RoundManagers:
    """Every manager's figures of one closed round, as the audit allows them."""

    round_id: int
    threshold: int
    managers: dict[int, ManagerFigures]
    organization: dict[str, float | None]  # dimension -> the organization's published score
    organization_items: dict[str, float | None]  # item key -> the organization's score (audited)
    item_dimension: dict[str, str]  # item key -> dimension, in the round's question order
    item_text: dict[str, int]  # item key -> question id (wording is read by the page)


logger = logging.getLogger(__name__)

CACHE_SECONDS = 3600


def round_managers(round_) -> RoundManagers | None:
    """The audited manager figures of a closed round (None: not closed, or never scored).

    Cached per scoring of the round (``ScoreState.scored_at``): a recompute, an erasure or
    retention starts afresh."""
    from insights.models import ScoreState
    from surveys.models import RoundStatus

    if round_.status != RoundStatus.CLOSED:
        return None
    state = ScoreState.objects.filter(round=round_).values_list("scored_at", flat=True).first()
    if state is None:
        return None
    key = f"leadership:managers:{round_.pk}:{state.timestamp()}"
    try:
        found = cache.get(key)
    except Exception:  # any cache backend error (Redis down): compute, as the throttle fails open
        logger.warning("manager figures: cache unreachable, computing round %s", round_.pk)
        return _compute(round_)
    if found is None:
        found = _compute(round_)
        try:
            cache.set(key, found, CACHE_SECONDS)
        except Exception:
            logger.warning("manager figures: cache unreachable, not kept for round %s", round_.pk)
    return found


def _published(round_, history) -> tuple[dict[str, list[tuple[ScopeKey, int | None]]], dict[str, float | None]]:
    """What the engine published for the round (fixed rows of the audit), per variable, and
    the organization's published score per manager dimension."""
    from insights import selectors

    every = selectors.Selection(every=True)
    viewer = selectors.Viewer.everything()
    published: dict[str, list[tuple[ScopeKey, int | None]]] = {}
    published[RESPONDENTS] = [
        (scope, None) for (_, scope), row in selectors.participation([round_.pk], every, viewer).items()
        if not row.suppressed
    ]  # fmt: skip
    snaps = selectors.snapshots([round_.pk], every, viewer, dimensions=MANAGER_DIMENSIONS)
    org_scores: dict[str, float | None] = {dim: None for dim in MANAGER_DIMENSIONS}
    for (_, scope, dim), row in snaps.items():
        if not row.suppressed:
            published.setdefault(dim, []).append((scope, None))
            if scope.kind == vocabulary.ORGANIZATION:
                org_scores[dim] = row.score
    for variable, rows in history.items():
        published.setdefault(variable, []).extend((scope, level) for scope, level in rows)

    return published, org_scores


def _compute(round_) -> RoundManagers:
    from insights import recompute as services
    from surveys.models import Response

    org = services.OrgData.load(round_.organization)
    data = services.load_round(round_, org, previous_scores={})
    tree = data.tree if data.tree is not None else build_tree(data.teams)
    responses = np.asarray(data.responses, dtype=np.int64).reshape(-1, 3)
    manager_of = dict(Response.objects.filter(round=round_).values_list("id", "manager_id"))
    manager = np.array([manager_of.get(int(r)) or 0 for r in responses[:, 0]], dtype=np.int64)
    batch = (
        np.asarray(data.batch, dtype=np.int64) if data.batch is not None else np.ones(len(responses), dtype=np.int64)
    )
    answers = np.asarray(data.answers, dtype=np.int64).reshape(-1, 5)
    position = {int(r): i for i, r in enumerate(responses[:, 0])}
    questions = data.questions

    # Which answers are the managers' items: Likert questions of the manager dimensions.
    items: dict[str, str] = {}
    item_qid: dict[str, int] = {}
    for qid in sorted(questions, key=lambda q: (MANAGER_DIMENSIONS.index(questions[q].dimension), q)
                      if questions[q].dimension in MANAGER_DIMENSIONS else (99, q)):  # fmt: skip
        q = questions[qid]
        if q.kind == vocabulary.LIKERT5 and q.dimension in MANAGER_DIMENSIONS:
            items[q.key] = q.dimension
            item_qid[q.key] = qid
    key_of_q = {qid: key for key, qid in item_qid.items()}
    mine = np.isin(answers[:, 1], list(key_of_q)) if key_of_q else np.zeros(len(answers), dtype=bool)
    answers = answers[mine]
    a_resp = np.array([position.get(int(r), -1) for r in answers[:, 0]], dtype=np.int64)
    ok = a_resp >= 0
    answers, a_resp = answers[ok], a_resp[ok]
    a_key = [key_of_q[int(q)] for q in answers[:, 1]]
    a_dim = np.array([items[k] for k in a_key], dtype=object)
    a_key_arr = np.array(a_key, dtype=object)

    n = len(responses)
    counts: dict[str, Bool] = {}
    for dim in MANAGER_DIMENSIONS:
        c = np.zeros(n, dtype=bool)
        c[a_resp[a_dim == dim]] = True
        counts[dim] = c
    for key in items:
        c = np.zeros(n, dtype=bool)
        c[a_resp[a_key_arr == key]] = True
        counts[f"item:{key}"] = c

    published, org_scores = _published(round_, data.history)

    facts = RoundFacts(
        threshold=data.threshold,
        tree=tree,
        layers=list(data.layers),
        team=responses[:, 1],
        layer=responses[:, 2],
        manager=manager,
        batch=batch,
        counts=counts,
        published=published,
    )
    manager_ids = sorted({int(m) for m in manager.tolist() if m})
    groups = {m: manager == m for m in manager_ids}
    shown_resp = decide(facts, RESPONDENTS, groups)
    by_dim = {dim: decide(facts, dim, groups) for dim in MANAGER_DIMENSIONS}
    with_org = {**groups, ORGANIZATION: np.ones(n, dtype=bool)}
    by_item = {key: decide(facts, f"item:{key}", with_org) for key in items}

    a_manager = manager[a_resp]
    values = answers[:, 2]
    dim_scores = {dim: likert_scores(values[a_dim == dim], a_manager[a_dim == dim], manager_ids) for dim in by_dim}
    item_scores = {}
    for key in items:
        sel = a_key_arr == key
        item_scores[key] = likert_scores(values[sel], a_manager[sel], manager_ids)
    org_items: dict[str, float | None] = {}
    for key in items:
        sel = a_key_arr == key
        shown = by_item[key][ORGANIZATION] == "" and sel.any()
        org_items[key] = likert_score(values[sel]) if shown else None

    def figure(reason: str, respondents: int, score: float | None) -> Figure:
        if reason:
            return Figure(None, None, reason)
        return Figure(respondents, score)

    managers: dict[int, ManagerFigures] = {}
    for m in manager_ids:
        group = groups[m]
        resp_reason = shown_resp[m]
        dims = {}
        for dim in MANAGER_DIMENSIONS:
            reason = resp_reason or by_dim[dim][m]
            if not counts[dim][group].any():
                continue  # the round did not ask this dimension
            dims[dim] = figure(reason, int(counts[dim][group].sum()), dim_scores[dim][m])
        its = {}
        for key, dim in items.items():
            reason = (dims[dim].reason if dim in dims else FEW) or by_item[key][m]
            its[key] = figure(reason, int(counts[f"item:{key}"][group].sum()), item_scores[key][m])
        managers[m] = ManagerFigures(m, figure(resp_reason, int(group.sum()), None), dims, its)
    return RoundManagers(
        round_id=round_.pk,
        threshold=data.threshold,
        managers=managers,
        organization=org_scores,
        organization_items=org_items,
        item_dimension=items,
        item_text=item_qid,
    )


def change(current: Figure | None, previous: Figure | None) -> float | None:
    """Score minus the previous round's, when both were published."""
    if current is None or previous is None or not (current.shown and previous.shown):
        return None
    if current.score is None or previous.score is None:
        return None
    return current.score - previous.score


def hidden_text(reason: str, threshold: int) -> str:
    """Why a figure is hidden, in the viewer's language."""
    from django.utils.translation import gettext as _

    if reason == FEW:
        return _("fewer than %(k)s responses") % {"k": threshold}
    if reason == PROTECT:
        return _("hidden so a smaller group cannot be worked out")
    return ""


def closed_rounds(organization) -> list:
    """Closed, scored rounds whose responses name a manager, newest first."""
    from django.db.models import Exists, OuterRef

    from insights.models import ScoreState
    from surveys.models import Response, Round, RoundStatus

    with_managers = Response.objects.filter(round_id=OuterRef("pk"), manager__isnull=False)
    scored = ScoreState.objects.filter(round_id=OuterRef("pk"))
    return list(
        Round.objects.filter(organization=organization, status=RoundStatus.CLOSED)
        .filter(Exists(with_managers), Exists(scored))
        .select_related("survey")
        .order_by("-closes_at", "-number")[:100]
    )


def previous_of(round_) -> object | None:
    from insights.recompute import previous_round

    previous = previous_round(round_)
    while previous is not None and previous.status != "closed":
        previous = previous_round(previous)
    return previous


__all__: Iterable[str] = ("RoundFacts", "decide", "round_managers", "RoundManagers", "ManagerFigures", "Figure")
