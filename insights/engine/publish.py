"""Step 3 of scoring a round: decide what may be published (anonymity).

For each *variable* — respondent counts, each dimension's answers, comments, priority
picks — the scopes are rows over the round's atoms (cell × batch, see ``cells.py``),
weighted by that variable's respondents per atom. Two steps per variable:

1. the hierarchy plan (``disclosure.DifferencingPlan``) quickly hides what subtracting
   along the declared parent/child groups would reveal;
2. the exact audit (``insights.disclosure``) over every scope at once, plus every row
   already published in earlier releases of the round, proves that no linear
   combination isolates 1 … k−1 respondents (comments: that no intersection or
   difference of released lists does), hiding more where one would.

Live results. While a round is open its responses are released in batches
(``insights.releases.release_pending``); a release publishes, for every scope, the figures
over all batches so far — *unless* the audit refuses that row, because the scope
gained fewer than k responses since its last published state or because the new
row would combine with earlier ones into a leak. Then the scope keeps showing its
previous state. So a scope's figures move only in steps the audit accepts, and
a refresh never reveals one answer. Only respondent counts and dimension scores are
released live; comments, priority picks, coordination and drivers are published
when the round closes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from insights import disclosure
from insights.engine.cells import Counts
from insights.engine.scopes import Parts, Scopes
from insights.engine.tree import Tree
from insights.vocabulary import CROSS_KINDS, FEW, PROTECT, RESPONDENTS, ScopeKey

Int = npt.NDArray[np.int64]
History = Mapping[str, Sequence[tuple[int, int]]]  # variable -> (scope index, level) rows published before
COMMENTS, PICKERS = "comments", "pickers"  # the variables published when a round closes


@dataclass
class Decision:
    """For one variable: the level (number of batches) each scope is published at, 0 = not at all."""

    level: Int
    reason: list[str]  # per scope: "" when published, else FEW or PROTECT
    new: list[int]  # scopes published at the decided level (a release stores these)

    @property
    def hidden(self) -> npt.NDArray[np.bool_]:
        return self.level == 0


class Publisher:
    """Decides each variable of one round; built once per round."""

    def __init__(
        self,
        *,
        tree: Tree,
        counts: Counts,
        scopes: Scopes,
        threshold: int,
        history: History,
        level: int | None,
    ):
        self.tree, self.counts, self.scopes = tree, counts, scopes
        self.threshold = threshold
        self.history = history
        self.level = level  # the level to decide; None: only replay what was published
        self.batches = counts.batches
        self._parts: dict[int, Parts] = {}
        self._rows_at: dict[int, list[list[int]]] = {}

    def parts(self, upto: int) -> Parts:
        """Every feature summed five ways, over batches 1..upto."""
        if upto not in self._parts:
            self._parts[upto] = Parts.of(self.tree, self.counts.n_layers, self.counts.per_cell(upto))
        return self._parts[upto]

    def totals(self, column: int, upto: int) -> Int:
        return self.parts(upto).gather(self.scopes.source)[:, column].round().astype(np.int64)

    def _rows(self, upto: int) -> list[list[int]]:
        """Per scope, its atoms in batches 1..upto."""
        b = self.batches
        if b == 1:
            return self.scopes.cells
        if upto not in self._rows_at:
            self._rows_at[upto] = [[c * b + k for c in cells for k in range(upto)] for cells in self.scopes.cells]
        return self._rows_at[upto]

    def decide(
        self,
        variable: str,
        column: int,
        *,
        threshold: int | None = None,
        lists: bool = False,
        hidden: Iterable[int] = frozenset(),
    ) -> Decision:
        """Publish ``variable`` (weights = feature ``column`` per atom) for every scope.

        ``hidden``: scopes that must stay unpublished at the decided level (e.g. a dimension
        of a scope whose respondent count is hidden). ``lists``: the figures are lists of
        recognisable items (comments), audited with :func:`insights.disclosure.audit_sets`.
        """
        k = threshold or self.threshold
        n = len(self.scopes)
        weights = self.counts.features[:, column].round().astype(np.int64)
        past = list(self.history.get(variable, ()))
        level = np.zeros(n, dtype=np.int64)
        for s, lvl in past:
            level[s] = max(level[s], lvl)
        if self.level is None:  # replay: what earlier releases published, nothing new
            latest = self.totals(column, self.batches)
            reason = [("" if level[s] else (FEW if latest[s] < k else PROTECT)) for s in range(n)]
            return Decision(level, reason, [])

        current = self.totals(column, self.level)
        pre = cast("set[int]", self.scopes.plan.protect(current.tolist(), k, hidden=hidden))  # ids: scope numbers
        for s, same in self.scopes.alias.items():
            if same in pre or s in pre:
                pre |= {s, same}
        rows = self._rows(self.level)
        keep = list(self.scopes.keep)
        if lists:
            # Layers and depths cut across the team tree: for comments they give way first.
            keep = [v + (0 if key.kind in CROSS_KINDS else 1) for v, key in zip(keep, self.scopes.keys, strict=True)]
            result = disclosure.audit_sets(weights.tolist(), rows, k, keep=keep, hidden=pre)
            shown = [s for s in range(n) if s not in result.hidden]
        else:
            fixed_rows = [self._rows(lvl)[s] for s, lvl in past]
            all_rows = rows + fixed_rows
            result = disclosure.audit(
                weights.tolist(),
                all_rows,
                k,
                keep=keep + [10**6] * len(fixed_rows),
                hidden=pre,
                fixed=range(n, n + len(fixed_rows)),
            )
            shown = [s for s in range(n) if s not in result.hidden]
        for s in shown:
            level[s] = self.level
        reason = ["" if level[s] else (FEW if current[s] < k else PROTECT) for s in range(n)]
        return Decision(level, reason, shown)


@dataclass
class RoundDecisions:
    """What one round may publish, per variable (see :func:`decide_round`)."""

    respondents: Decision
    dimensions: list[Decision]  # one per dimension, in ``Counts.dimensions`` order
    comments: Decision | None  # None until the round is final
    pickers: Decision | None  # None until final, or when nobody picked a priority

    def levels(self) -> set[int]:
        """The levels (numbers of batches) some scope's respondents or scores are published at."""
        return {int(v) for dec in (self.respondents, *self.dimensions) for v in dec.level.tolist() if v}

    def released(self, keys: Sequence[ScopeKey], dims: Sequence[str]) -> dict[str, list[ScopeKey]]:
        """Per variable, the scopes published at the decided level (what a release stores)."""
        out = {RESPONDENTS: [keys[s] for s in self.respondents.new]}
        for dim, dec in zip(dims, self.dimensions, strict=True):
            out[dim] = [keys[s] for s in dec.new]
        return out


def decide_round(pub: Publisher, *, comment_threshold: int, final: bool) -> RoundDecisions:
    """Decide every variable of a round: respondent counts first (a scope whose count is not
    published at this level publishes nothing else at it), then each dimension, then — once
    the round is final — comments (at ``max(comment_threshold, k)``) and priority picks.

    A dimension everyone answered has exactly the respondents' weights and history, so it
    takes the respondents' decision; dimensions that share their weights share one audit.
    """
    cols, counts = pub.counts.columns, pub.counts
    r0 = cols.respondents.start
    resp = pub.decide(RESPONDENTS, r0)
    not_now = {s for s in range(len(pub.scopes)) if resp.level[s] != pub.level}
    as_respondents = (counts.features[:, r0].tobytes(), tuple(pub.history.get(RESPONDENTS, ())))
    shared: dict[tuple, Decision] = {as_respondents: resp}
    by_dim: list[Decision] = []
    for d, dim in enumerate(counts.dimensions):
        column = cols.dim_respondents.start + d
        same = (counts.features[:, column].tobytes(), tuple(pub.history.get(dim, ())))
        if same not in shared:
            # Some respondents skipped this dimension: protect its own counts too.
            shared[same] = pub.decide(dim, column, hidden=not_now)
        by_dim.append(shared[same])
    final = final and pub.level is not None
    comments = pickers = None
    if final:
        k = max(comment_threshold, pub.threshold)
        comments = pub.decide(COMMENTS, r0, threshold=k, lists=True, hidden=not_now)
        if len(counts.picked):
            pickers = pub.decide(PICKERS, cols.pickers.start, hidden=not_now)
    return RoundDecisions(resp, by_dim, comments, pickers)
