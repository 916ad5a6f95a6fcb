"""Disclosure control: which aggregates of a round may be published.

Django-free, like ``scoring.py``. Every published figure of a round — a score,
a share, a histogram, an eNPS, a respondent or "answered" count, a priority
pick count, a coordination cell, a comment list — is a **sum over a set of
atoms**, where an atom is a group of respondents that every published set
either contains whole or not at all (the engine's atoms are its cells: team ×
layer). This module decides which of those sets (*rows*) may be published so
that **no linear combination of published rows isolates fewer than k
respondents** (statistical disclosure control's secondary cell suppression,
as in tau-Argus or sdcTable, with an exact test instead of a heuristic).

The model
---------
Atom ``a`` has a weight ``w[a]`` (its respondents) and unknown data ``x[a]``
(any vector: a histogram, a count, ...). Row ``r`` publishes
``Σ_{a ∈ r} x[a]``. An attacker can compute ``Σ_r c_r · row_r`` for any
coefficients ``c``, which equals ``Σ_a v_a x[a]`` with ``v_a = Σ_{r ∋ a} c_r``.
The combination *isolates* the atoms where ``v_a ≠ 0``; it is a leak when
those atoms hold 1 … k−1 respondents. (It need not be a plain difference:
``x_A − x_B`` of two hidden people is a leak too, and so is any weighted
combination.) The set of all ``v`` is the row space of the incidence matrix
``M`` (rows × atoms), so the question is exact linear algebra:

    Is there a nonzero ``v`` in rowspace(M) whose support weighs 1 … k−1?

If a leak exists within a group ``G`` it exists within every larger group, so
it is enough to look at supports made of atoms lighter than k.

The test (one pass)
-------------------
Work with ``c`` (one unknown per published row). ``v_a`` is the linear form
``f_a(c) = Σ_{r ∋ a} c_r``.

1. *Regions.* Atoms contained in exactly the same published rows have the
   same form: merge them (weights add). A region of weight ≥ k can never be
   inside a small support, so every leak has ``f_a(c) = 0`` on it: these are
   linear *equations* on ``c``. We keep them in echelon form (sparse rows,
   exact arithmetic modulo the prime ``P = 2^61 − 1``; see "Exactness").
2. *Reduce.* Each light region's form is reduced modulo those equations to a
   normal form in the free unknowns. A form that reduces to zero vanishes for
   every admissible ``c``: that region can never be isolated.
3. *Closure.* Regions whose reduced forms are proportional vanish together:
   merge them. A merged class of weight ≥ k must vanish too, so its form
   becomes one more equation; reduce again; repeat until no class weighs k.
4. *Exposure.* What is left are classes lighter than k with pairwise
   non-proportional forms, split into independent components (forms sharing
   no unknown). A component leaks iff some set ``E`` of its classes with
   weight < k has the property that the other classes' forms do not span all
   of the component's forms (then some ``c`` annihilates the others but not
   ``E``). Small components are searched exhaustively; see "Worst case".
5. For each leaking component the attack ``c`` is reconstructed (back
   substitution) and reported as the rows it uses.

Suppression (the greedy fixed point)
------------------------------------
:func:`audit` first hides every row lighter than k (primary suppression),
then runs passes: each pass finds every leaking component and, for each,
hides one row its attack uses — the one with the lowest ``keep``, then the
fewest respondents, then the earliest (secondary suppression). It repeats
until a pass finds no leak. Hiding rows only ever removes information, so
this ends (at worst with everything hidden) and what it returns has been
proved leak-free by the last pass. ``fixed`` rows (already published, e.g. an
earlier live release) are never chosen: a leak they alone would cause cannot
be undone, and cannot arise, because they were audited when published.

Exactness
---------
Arithmetic is exact modulo the prime ``P``. A linear dependency over the
rationals is also one modulo ``P`` (scale it to coprime integers), so every
rational leak is found. The converse can fail only if ``P`` divides some
minor of a 0/1 matrix — with ``P ≈ 2.3·10^18`` this does not happen for
matrices of the sizes we audit, and if it did the error would be one extra
suppression, never a leak.

Worst case
----------
Steps 1–3 are sparse elimination: for the engine's tree-shaped families the
fill-in stays within a team's ancestor chain, so a pass costs roughly
O(atoms × depth). Step 4 is, in general, the minimum-weight codeword problem
(NP-hard); here it is bounded: a component with ``m`` classes is searched
over its subsets of fewer than k classes (at most ``Σ_{i<k} C(m, i)`` rank
tests) or over its hyperplanes (``C(m, rank − 1)``), whichever is smaller.
When both exceed ``SEARCH_BUDGET`` the component is *assumed* to leak and one
row of it is hidden: conservative (more suppression), never unsafe. Tests and
benchmarks report when that happens (``AuditResult.assumed``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

ScopeId = Hashable
MIN_ANONYMITY_THRESHOLD = 3  # product rule: the threshold is never below 3

P = (1 << 61) - 1
SEARCH_BUDGET = 20_000

Form = dict[int, int]  # unknown (row position) -> coefficient mod P


@dataclass
class Leak:
    """One leaking component: the classes an attacker can isolate and the rows the attack uses."""

    atoms: list[int]  # atoms of the isolated classes (the support of v)
    respondents: int  # their total weight: 1 .. k-1
    rows: list[int]  # rows with a nonzero coefficient in the attack
    coefficients: dict[int, int] = field(default_factory=dict)  # row -> coefficient mod P
    assumed: bool = False  # the search was too large; treated as a leak to be safe


@dataclass
class AuditResult:
    hidden: set[int]  # rows not to publish
    primary: set[int]  # ... because they hold fewer than k respondents
    secondary: set[int] = field(default_factory=set)  # ... so a smaller group cannot be worked out
    passes: int = 0
    assumed: int = 0  # components assumed to leak (search budget exceeded)


# --------------------------------------------------------------------------
# The hierarchy plan: the fast first step (exact for one laminar family)
# --------------------------------------------------------------------------


def check_threshold(threshold: int) -> None:
    if threshold < MIN_ANONYMITY_THRESHOLD:
        raise ValueError(f"anonymity threshold must be at least {MIN_ANONYMITY_THRESHOLD}")


def suppressed(n: int, threshold: int) -> bool:
    """True when an aggregate over ``n`` respondents must not be shown."""
    check_threshold(threshold)
    return n < threshold


def comment_threshold_ok(respondents: int, comment_threshold: int, *, score_threshold: int) -> bool:
    """May free-text comments of a scope be shown?

    Comments are raw words, so they need more respondents than scores; the
    comment threshold never counts as lower than the score threshold, even
    if misconfigured, hence ``score_threshold`` is required.
    """
    check_threshold(score_threshold)
    return respondents >= max(comment_threshold, score_threshold)


@dataclass(frozen=True)
class Scope:
    """One scope in a hierarchy of partitions, for differencing protection.

    ``child_groups`` lists groups of child scope ids; the scopes of one group
    are disjoint subsets of this scope (they partition *part* of it: what
    they leave out, such as a department's direct members, is the residual).
    A scope may have several groups: the organization is split both by
    departments and by layers. Ids only need to be hashable and unique.

    ``keep`` (default 0) ranks how much a scope matters: when a subtraction
    must be broken, a scope with a lower ``keep`` is suppressed first (the
    organization and the leadership team are worth more than one team).
    """

    id: ScopeId
    respondents: int
    child_groups: tuple[tuple[ScopeId, ...], ...] = ()
    keep: int = 0

    def __post_init__(self) -> None:
        groups = self.child_groups
        if type(groups) is not tuple or any(type(g) is not tuple for g in groups):  # engines pass tuples: fast path
            object.__setattr__(self, "child_groups", tuple(tuple(g) for g in groups))


Covers = dict[int, tuple[int, ...]]  # subtractable total -> indices of the shown scopes used


def _combine(options: Iterable[Covers]) -> Covers:
    """All totals reachable by picking one cover per child (first wins per total)."""
    acc: Covers = {0: ()}
    for child_options in options:
        if len(child_options) == 1 and len(acc) == 1:  # the common case: shown children
            (add, more), (total, used) = next(iter(child_options.items())), next(iter(acc.items()))
            acc = {total + add: used + more}
            continue
        nxt: Covers = {}
        for total, used in acc.items():
            for add, more in child_options.items():
                nxt.setdefault(total + add, used + more)
        acc = nxt
    return acc


class DifferencingPlan:
    """:func:`protect_differencing` for one hierarchy and many count vectors.

    The hierarchy (ids and child groups) is validated and ordered once; then
    :meth:`protect` runs for each set of counts (scope respondents, a
    dimension's respondents, the comment threshold, ...) with the same result
    as :func:`protect_differencing` on the corresponding scopes.
    """

    def __init__(
        self,
        structure: Sequence[tuple[ScopeId, Sequence[Sequence[ScopeId]]]],
        keep: Sequence[int] | None = None,
    ):
        self.ids: list[ScopeId] = [sid for sid, _ in structure]
        n = len(self.ids)
        self.keep: list[int] = list(keep) if keep is not None else [0] * n
        index: dict[ScopeId, int] = {sid: i for i, sid in enumerate(self.ids)}
        if len(index) != n:
            seen: set[ScopeId] = set()
            duplicate = next(sid for sid in self.ids if sid in seen or seen.add(sid))  # type: ignore[func-returns-value]
            raise ValueError(f"duplicate scope id {duplicate!r}")
        self.index = index
        self.groups: list[tuple[tuple[int, ...], ...]] = []
        self.children: list[Sequence[int]] = []
        for sid, groups in structure:
            converted = []
            for group in groups:
                try:
                    g = tuple([index[c] for c in group])
                except KeyError:
                    raise ValueError(f"scope {sid!r} has unknown children {[c for c in group if c not in index]!r}")
                if len(set(g)) != len(g):
                    raise ValueError(f"scope {sid!r} lists a child twice in one group")
                converted.append(g)
            self.groups.append(tuple(converted))
            # Each child once per parent, even if it is in two of its groups.
            self.children.append(
                converted[0] if len(converted) == 1 else list(dict.fromkeys(c for g in converted for c in g))
            )
        self.parents: list[list[int]] = [[] for _ in range(n)]
        indegree = [0] * n
        for parent, kids in enumerate(self.children):
            for child in kids:
                self.parents[child].append(parent)
                indegree[child] += 1
        top_down = [i for i in range(n) if indegree[i] == 0]
        for i in top_down:  # Kahn's algorithm; the list grows while we walk it
            for child in self.children[i]:
                indegree[child] -= 1
                if indegree[child] == 0:
                    top_down.append(child)
        if len(top_down) != n:
            raise ValueError("scope hierarchy has a cycle")
        self.bottom_up = top_down[::-1]
        self.order = [0] * n
        for position, i in enumerate(self.bottom_up):
            self.order[i] = position

    def _cover(self, i: int, counts: Sequence[int], covers: list[Covers], hidden: set[int]) -> Covers:
        """What can be subtracted in place of scope i: itself when shown; when
        hidden, its shown descendants (a hidden child does not stop the
        subtraction: its own shown descendants can be subtracted in its place).

        A hidden leaf covers nothing. A hidden scope with children is always
        replaced by its shown descendants: not descending only adds the scope's
        own cover (0 or >= threshold) to the residual, so it never reveals more.
        """
        if i not in hidden:
            return {counts[i]: (i,)}
        groups = self.groups[i]
        options: Covers = {} if groups else {0: ()}
        for group in groups:
            for total, used in _combine(covers[c] for c in group).items():
                options.setdefault(total, used)
        return options

    def _leak(self, i: int, counts: Sequence[int], covers: list[Covers], threshold: int) -> tuple[int, ...] | None:
        """The first subtraction from shown scope i that leaves 1..threshold-1, if any."""
        for group in self.groups[i]:
            for total, used in _combine(covers[c] for c in group).items():
                if 0 < counts[i] - total < threshold:
                    return used
        return None

    def protect(self, counts: Sequence[int], threshold: int, *, hidden: Iterable[ScopeId] = ()) -> set[ScopeId]:  # noqa: C901 (the audit's search, one step per rule of docs/scoring.md)
        """Ids of every scope to suppress; see :func:`protect_differencing`."""
        check_threshold(threshold)
        counts = [int(c) for c in counts]
        if len(counts) != len(self.ids):
            raise ValueError("one count per scope")
        for i, groups in enumerate(self.groups):
            if counts[i] < 0:
                raise ValueError(f"scope {self.ids[i]!r} has a negative count")
            for group in groups:
                if sum(counts[c] for c in group) > counts[i]:
                    raise ValueError(f"children of {self.ids[i]!r} outnumber it: a group must partition part of it")
        given = set(hidden)
        unknown = given - self.index.keys()
        if unknown:
            raise ValueError(f"hidden lists unknown scopes {sorted(map(repr, unknown))}")
        suppressed_idx = {self.index[sid] for sid in given}
        suppressed_idx.update(i for i, c in enumerate(counts) if c < threshold)

        covers: list[Covers] = [{}] * len(counts)
        for i in self.bottom_up:
            covers[i] = self._cover(i, counts, covers, suppressed_idx)
        leaks: dict[int, tuple[int, ...]] = {}  # shown parent (by input position) -> its first leak
        for i, groups in enumerate(self.groups):
            if groups and i not in suppressed_idx:
                leak = self._leak(i, counts, covers, threshold)
                if leak is not None:
                    leaks[i] = leak

        while leaks:
            used = leaks[min(leaks)]
            victim = min(used, key=lambda i: (self.keep[i], counts[i], i))
            suppressed_idx.add(victim)
            leaks.pop(victim, None)
            # The victim's cover changes, and with it the cover of every
            # suppressed ancestor reached through suppressed scopes only; the
            # shown parents next to those must be checked again.
            dirty, frontier, recheck = {victim}, [victim], set()
            while frontier:
                for parent in self.parents[frontier.pop()]:
                    if parent in suppressed_idx:
                        if parent not in dirty:
                            dirty.add(parent)
                            frontier.append(parent)
                    else:
                        recheck.add(parent)
            for i in sorted(dirty, key=self.order.__getitem__):
                covers[i] = self._cover(i, counts, covers, suppressed_idx)
            for i in recheck:
                leak = self._leak(i, counts, covers, threshold)
                if leak is None:
                    leaks.pop(i, None)
                else:
                    leaks[i] = leak
        return {self.ids[i] for i in suppressed_idx}


def protect_differencing(scopes: Sequence[Scope], threshold: int, *, hidden: Iterable[ScopeId] = ()) -> set[ScopeId]:
    """Ids of every scope to suppress so no small group can be derived.

    1. A scope with fewer than ``threshold`` respondents is suppressed, and
       so is every scope in ``hidden`` (already suppressed for another
       reason, e.g. by the score threshold when protecting comments).
    2. For every shown scope and each of its child groups, subtract the
       shown children (descending through suppressed children into their
       shown descendants). If 0 < residual < threshold, the residual group's
       aggregate could be derived by subtraction, so the smallest shown scope
       used in that subtraction is suppressed too (among those with the
       lowest ``keep``; ties: earliest in ``scopes``). Repeat until no such
       residual remains: one suppression can open a residual elsewhere, so
       we iterate to a fixed point.

    Each round suppresses one more scope, so it ends after at most
    len(scopes) rounds. Each round only re-examines what the new suppression
    touched (the scope, its suppressed ancestors and the shown parents next
    to them), so a round costs the depth of the hierarchy, not its size; the
    result is the one of re-examining every scope in input order. For many
    count vectors over one hierarchy, build a :class:`DifferencingPlan` once.
    Not covered: differencing across rounds or live updates within a round,
    across scopes not declared as parent and child (e.g. a team against a
    layer), and homogeneity (a unanimous scope reveals each member's answer).
    See docs/scoring.md.
    """
    plan = DifferencingPlan([(scope.id, scope.child_groups) for scope in scopes], [scope.keep for scope in scopes])
    return plan.protect([scope.respondents for scope in scopes], threshold, hidden=hidden)


# --------------------------------------------------------------------------
# Exact sparse linear algebra modulo P
# --------------------------------------------------------------------------


class _Echelon:
    """Equations on the unknowns, in row echelon form: each stored equation is
    keyed by its smallest unknown (its pivot) and has coefficient 1 there."""

    def __init__(self) -> None:
        self.pivots: dict[int, Form] = {}

    def reduce(self, form: Form) -> Form:
        """The normal form of ``form`` modulo the equations: no pivot unknown left."""
        x = dict(form)
        pivots = self.pivots
        while True:
            present = [u for u in x if u in pivots]
            if not present:
                return x
            u = min(present)
            f = x.pop(u)
            for v, cv in pivots[u].items():
                if v != u:
                    nv = (x.get(v, 0) - f * cv) % P
                    if nv:
                        x[v] = nv
                    else:
                        x.pop(v, None)

    def add(self, form: Form) -> bool:
        """Add an equation; False when it was implied by the others."""
        x = self.reduce(form)
        if not x:
            return False
        u = min(x)
        inv = pow(x[u], P - 2, P)
        self.pivots[u] = {v: c * inv % P for v, c in x.items()}
        return True

    def solve(self, free: Form) -> dict[int, int]:
        """All unknowns, given values of free ones (others 0), satisfying every equation."""
        c = {u: val for u, val in free.items() if u not in self.pivots}
        for u in sorted(self.pivots, reverse=True):  # each equation only names larger unknowns
            total = 0
            for v, cv in self.pivots[u].items():
                if v != u and v in c:
                    total += cv * c[v]
            total %= P
            if total:
                c[u] = (-total) % P
        return {u: val for u, val in c.items() if val}


def _normalized(form: Form) -> tuple[tuple[int, int], ...]:
    """A key equal for proportional forms: scaled so the smallest unknown has coefficient 1."""
    u = min(form)
    inv = pow(form[u], P - 2, P)
    return tuple(sorted((v, c * inv % P) for v, c in form.items()))


def _rank(matrix: list[list[int]]) -> int:
    return len(_rref(matrix)[1])


def _rref(matrix: list[list[int]]) -> tuple[list[list[int]], list[int]]:
    """Reduced row echelon form modulo P (copies the input) and its pivot columns."""
    rows = [list(r) for r in matrix]
    pivots: list[int] = []
    if not rows:
        return rows, pivots
    width = len(rows[0])
    top = 0
    for col in range(width):
        found = next((i for i in range(top, len(rows)) if rows[i][col]), None)
        if found is None:
            continue
        rows[top], rows[found] = rows[found], rows[top]
        inv = pow(rows[top][col], P - 2, P)
        rows[top] = [v * inv % P for v in rows[top]]
        for i in range(len(rows)):
            if i != top and rows[i][col]:
                f = rows[i][col]
                rows[i] = [(a - f * b) % P for a, b in zip(rows[i], rows[top], strict=True)]
        pivots.append(col)
        top += 1
        if top == len(rows):
            break
    return rows[:top], pivots


def _null_vector(matrix: list[list[int]], width: int, avoid: list[list[int]]) -> list[int] | None:
    """A vector ``x`` with ``matrix · x = 0`` and ``avoid · x ≠ 0``, or None."""
    reduced, pivots = _rref(matrix) if matrix else ([], [])
    free = [j for j in range(width) if j not in pivots]
    for j in free:
        x = [0] * width
        x[j] = 1
        for row, p in zip(reduced, pivots, strict=True):
            x[p] = (-row[j]) % P
        if any(sum(a * b for a, b in zip(r, x, strict=True)) % P for r in avoid):
            return x
    # Every basis vector is annihilated by ``avoid`` individually only if the whole
    # null space is: no such x exists.
    return None


# --------------------------------------------------------------------------
# One pass: find every leaking component
# --------------------------------------------------------------------------


def find_leaks(  # noqa: C901 (the leak search over the published rows, read against docs/scoring.md)
    weights: Sequence[int],
    rows: Sequence[Sequence[int]],
    published: Iterable[int],
    threshold: int,
    *,
    budget: int = SEARCH_BUDGET,
) -> list[Leak]:
    """Every independent leak among the ``published`` rows (empty: safe). See the module docstring."""
    k = threshold
    row_weight = {r: sum(weights[a] for a in rows[r]) for r in published}
    # Unknowns in elimination order: light (specific) rows first, so a team's
    # equations pivot on the team and fill-in stays in its ancestor chain.
    order = sorted(row_weight, key=lambda r: (row_weight[r], r))
    position = {r: i for i, r in enumerate(order)}
    columns: dict[int, list[int]] = {}
    for r in order:
        u = position[r]
        for a in rows[r]:
            if weights[a] > 0:
                columns.setdefault(a, []).append(u)
    regions: dict[tuple[int, ...], list[int]] = {}
    for a, col in columns.items():
        regions.setdefault(tuple(col), []).append(a)

    system = _Echelon()
    light: list[tuple[Form, int, list[int]]] = []
    for col, atoms in regions.items():
        w = sum(weights[a] for a in atoms)
        form = dict.fromkeys(col, 1)
        if w >= k:
            system.add(form)
        else:
            light.append((form, w, atoms))

    # Reduce and close: proportional forms vanish together; a class of k or more must vanish.
    pending = light
    while True:
        classes: dict[tuple[tuple[int, int], ...], tuple[Form, int, list[int]]] = {}
        for form, w, atoms in pending:
            reduced = system.reduce(form)
            if not reduced:
                continue  # vanishes for every admissible attack
            key = _normalized(reduced)
            if key in classes:
                f0, w0, a0 = classes[key]
                classes[key] = (f0, w0 + w, a0 + atoms)
            else:
                classes[key] = (dict(key), w, atoms)
        heavy = [f for f, w, _ in classes.values() if w >= k]
        if not heavy:
            break
        for f in heavy:
            system.add(f)
        pending = [c for c in classes.values() if c[1] < k]

    remaining = list(classes.values())
    if not remaining:
        return []

    # Independent components: forms that share no unknown.
    parent: dict[int, int] = {}

    def find(u: int) -> int:
        while parent.setdefault(u, u) != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for form, _, _ in remaining:
        first, *rest = form
        for u in rest:
            ra, rb = find(first), find(u)
            if ra != rb:
                parent[ra] = rb
    components: dict[int, list[tuple[Form, int, list[int]]]] = {}
    for cls in remaining:
        components.setdefault(find(next(iter(cls[0]))), []).append(cls)

    leaks = []
    for members in components.values():
        for exposed, theta, assumed in _peel(members, k, budget):
            attack = system.solve(theta)
            leaks.append(
                Leak(
                    atoms=sorted(a for i in exposed for a in members[i][2]),
                    respondents=sum(members[i][1] for i in exposed),
                    rows=sorted(order[u] for u in attack),
                    coefficients={order[u]: c for u, c in attack.items()},
                    assumed=assumed,
                )
            )
    return leaks


def _peel(members: list[tuple[Form, int, list[int]]], k: int, budget: int) -> list[tuple[list[int], Form, bool]]:
    """Leaks of one component, taking the easy ones first.

    A class whose form has an unknown that no other remaining class uses is
    isolated on its own (move that unknown). It also never stands in the way of
    isolating anything else (that unknown can always cancel it), so it is set
    aside ("peeled") and the rest examined again; what remains goes to the
    general search. Every attack is then corrected so that the peeled classes
    it would disturb are cancelled again, latest peeled first (each one's private
    unknown is used only by classes peeled before it).
    """
    peeled: list[tuple[int, int]] = []  # (class, its private unknown), in peeling order
    alive = list(range(len(members)))
    while True:
        uses: dict[int, int] = {}
        for i in alive:
            for u in members[i][0]:
                uses[u] = uses.get(u, 0) + 1
        level = []
        for i in alive:
            u = next((u for u in sorted(members[i][0]) if uses[u] == 1), None)
            if u is not None:
                level.append((i, u))
        if not level:
            break
        peeled += level
        gone = {i for i, _ in level}
        alive = [i for i in alive if i not in gone]

    def cancel(theta: Form, exposed: Sequence[int]) -> Form:
        theta = dict(theta)
        for j, u in reversed(peeled):
            if j in exposed:
                continue
            form = members[j][0]
            value = sum(c * theta.get(v, 0) for v, c in form.items()) % P
            if value:
                theta[u] = (theta.get(u, 0) - value * pow(form[u], P - 2, P)) % P
        return {u: c for u, c in theta.items() if c}

    found = [([i], cancel({u: 1}, [i]), False) for i, u in peeled]
    if alive:
        core = [members[i] for i in alive]
        for exposed, theta, assumed in _exposure(core, k, budget):
            classes = [alive[j] for j in exposed]
            found.append((classes, cancel(theta, classes), assumed))
    return found


def _exposure(members: list[tuple[Form, int, list[int]]], k: int, budget: int) -> list[tuple[list[int], Form, bool]]:  # noqa: C901 (one component's elimination, kept whole so its bound is checkable)
    """Leaks of one component: (classes isolated, attack on the free unknowns, assumed?) each.

    Several leaks are returned when they isolate disjoint classes, so that one pass can
    fix many independent problems; an empty list means the component is safe.
    """
    unknowns = sorted({u for form, _, _ in members for u in form})
    matrix = [[form.get(u, 0) for u in unknowns] for form, _, _ in members]
    weights = [w for _, w, _ in members]
    m = len(members)
    full = _rank(matrix)

    def attack(exposed: Sequence[int]) -> Form | None:
        rest = [matrix[i] for i in range(m) if i not in exposed]
        x = _null_vector(rest, len(unknowns), [matrix[i] for i in exposed])
        return None if x is None else {u: v for u, v in zip(unknowns, x, strict=True) if v}

    if sum(weights) < k:
        x = attack(range(m))
        assert x is not None  # noqa: S101 - any nonzero unknown moves some form
        return [(list(range(m)), x, False)]

    # Subsets of fewer than k classes, lightest first, or hyperplanes: whichever is smaller.
    by_weight = sorted(range(m), key=lambda i: weights[i])
    max_size = 0
    total = 0
    for i in by_weight:
        if total + weights[i] >= k:
            break
        total += weights[i]
        max_size += 1
    subsets = sum(math.comb(m, s) for s in range(1, max_size + 1))
    hyperplanes = math.comb(m, full - 1) if full >= 1 else 0
    if min(subsets, hyperplanes) > budget:
        exposed = [by_weight[0]]
        return [(exposed, attack(exposed) or {unknowns[0]: 1}, True)]

    found: list[tuple[list[int], Form, bool]] = []
    used: set[int] = set()

    def record(exposed: Sequence[int]) -> None:
        if used.isdisjoint(exposed) and sum(weights[i] for i in exposed) < k:
            x = attack(exposed)
            if x is not None:
                found.append((list(exposed), x, False))
                used.update(exposed)

    if subsets <= hyperplanes:
        for size in range(1, max_size + 1):
            for exposed in itertools.combinations(by_weight, size):
                if used.isdisjoint(exposed) and sum(weights[i] for i in exposed) < k:
                    rest = [matrix[i] for i in range(m) if i not in exposed]
                    if _rank(rest) < full:
                        record(exposed)
        return found
    # Hyperplanes spanned by (full - 1) independent forms; the classes outside one are isolable.
    seen: set[tuple[int, ...]] = set()
    for basis in itertools.combinations(range(m), full - 1):
        sub = [matrix[i] for i in basis]
        if _rank(sub) < full - 1:
            continue
        inside = tuple(i for i in range(m) if _rank([*sub, matrix[i]]) < full)
        if inside not in seen:
            seen.add(inside)
            record([i for i in range(m) if i not in inside])
    return found


# --------------------------------------------------------------------------
# The audit
# --------------------------------------------------------------------------


def _dedupe(
    weights: Sequence[int], rows: Sequence[Sequence[int]], keep: Sequence[int], hidden: set[int], fixed: set[int]
) -> tuple[list[list[int]], list[int], set[int], set[int], list[list[int]]]:
    """Rows with the same respondents (atoms of nonzero weight) are one row: they publish
    the same thing: a group is published as soon as one copy is (copies already hidden for
    another reason stay hidden), and hiding the group hides every copy. Returns the
    distinct rows, their keep (the most important copy's), hidden and fixed sets, and the
    copies of each."""
    index: dict[tuple[int, ...], int] = {}
    distinct: list[list[int]] = []
    copies: list[list[int]] = []
    for r, row in enumerate(rows):
        key = tuple(sorted({a for a in row if weights[a] > 0}))
        if key not in index:
            index[key] = len(distinct)
            distinct.append(list(key))
            copies.append([])
        copies[index[key]].append(r)
    d_keep = [max(keep[r] for r in group) for group in copies]
    d_hidden = {i for i, group in enumerate(copies) if all(r in hidden for r in group)}
    d_fixed = {i for i, group in enumerate(copies) if any(r in fixed for r in group)}
    return distinct, d_keep, d_hidden, d_fixed, copies


def _expand(result: AuditResult, copies: list[list[int]], hidden: Iterable[int]) -> AuditResult:
    def spread(ids: set[int]) -> set[int]:
        return {r for i in ids for r in copies[i]}

    return AuditResult(
        hidden=spread(result.hidden) | set(hidden),
        primary=spread(result.primary),
        secondary=spread(result.secondary),
        passes=result.passes,
        assumed=result.assumed,
    )


def audit(
    weights: Sequence[int],
    rows: Sequence[Sequence[int]],
    threshold: int,
    *,
    keep: Sequence[int] | None = None,
    hidden: Iterable[int] = (),
    fixed: Iterable[int] = (),
    budget: int = SEARCH_BUDGET,
) -> AuditResult:
    """Which rows to hide so that no published combination isolates 1 … threshold−1 respondents.

    ``weights``: respondents per atom. ``rows``: the atoms of each candidate row.
    ``keep``: per row, how much it matters (lower is hidden first). ``hidden``: rows
    already hidden for another reason (they stay hidden). ``fixed``: rows already
    published that can no longer be withdrawn (never chosen). See the module docstring.
    """
    weights = [int(w) for w in weights]
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    keep = list(keep) if keep is not None else [0] * len(rows)
    hidden_in = set(hidden)
    rows, keep, d_hidden, fixed_set, copies = _dedupe(weights, rows, keep, hidden_in, set(fixed))
    return _expand(_audit(weights, rows, threshold, keep, d_hidden, fixed_set, budget), copies, hidden_in)


def _audit(
    weights: list[int],
    rows: list[list[int]],
    threshold: int,
    keep: list[int],
    hidden: set[int],
    fixed_set: set[int],
    budget: int,
) -> AuditResult:
    row_weight = [sum(weights[a] for a in row) for row in rows]
    primary = {r for r in range(len(rows)) if row_weight[r] < threshold and r not in fixed_set}
    result = AuditResult(hidden=set(hidden) | primary, primary=primary)
    result.hidden -= fixed_set
    while True:
        published = [r for r in range(len(rows)) if r not in result.hidden]
        leaks = find_leaks(weights, rows, published, threshold, budget=budget)
        result.passes += 1
        if not leaks:
            return result
        progressed = False
        for leak in leaks:
            candidates = [r for r in leak.rows if r not in fixed_set and r not in result.hidden]
            result.assumed += leak.assumed
            if not candidates:
                continue
            victim = min(candidates, key=lambda r: (keep[r], row_weight[r], r))
            result.hidden.add(victim)
            result.secondary.add(victim)
            progressed = True
        if not progressed:
            # Only fixed rows are involved: they were published before this audit
            # and cannot be withdrawn. Nothing more can be done here.
            return result


def audit_sets(
    weights: Sequence[int],
    rows: Sequence[Sequence[int]],
    threshold: int,
    *,
    keep: Sequence[int] | None = None,
    hidden: Iterable[int] = (),
) -> AuditResult:
    """The audit for published *lists* (free-text comments): stricter than :func:`audit`.

    A comment is a string an attacker can recognise in every list that shows it, so
    lists combine by intersection and difference, not only by sums: from released
    lists the attacker can sort every comment into its *region* (the set of released
    lists containing it). So every region — atoms contained in exactly the same
    released rows — must hold 0 or at least ``threshold`` respondents. (That also
    rules out every linear leak, since a linear combination's support is a union of
    regions.)

    Greedy: take the light regions, lightest first; for each, the candidate rows to
    hide are those whose removal moves it (a row containing it) or merges a
    neighbouring region into it (the one extra row of a region whose rows are its
    rows plus one). Prefer a move that makes the merged region heavy enough, then the
    row with the lowest ``keep``, the fewest respondents, the earliest. Repeat until
    no region is light.
    """
    weights = [int(w) for w in weights]
    keep = list(keep) if keep is not None else [0] * len(rows)
    hidden_in = set(hidden)
    rows, keep, hidden_set, _, copies = _dedupe(weights, rows, keep, hidden_in, set())
    return _expand(_audit_sets(weights, rows, threshold, keep, hidden_set), copies, hidden_in)


def _audit_sets(
    weights: list[int], rows: list[list[int]], threshold: int, keep: list[int], hidden: set[int]
) -> AuditResult:
    row_weight = [sum(weights[a] for a in row) for row in rows]
    primary = {r for r in range(len(rows)) if row_weight[r] < threshold}
    result = AuditResult(hidden=set(hidden) | primary, primary=primary)
    members: dict[int, list[int]] = {}
    for r, row in enumerate(rows):
        for a in row:
            if weights[a] > 0:
                members.setdefault(a, []).append(r)
    while True:
        result.passes += 1
        regions: dict[frozenset[int], int] = {}
        for a, rs in members.items():
            signature = frozenset(r for r in rs if r not in result.hidden)
            if signature:
                regions[signature] = regions.get(signature, 0) + weights[a]
        light = sorted(
            (sig for sig, w in regions.items() if w < threshold), key=lambda sig: (regions[sig], sorted(sig))
        )
        if not light:
            return result
        touched: set[int] = set()
        for sig in light:
            if not touched.isdisjoint(sig):
                continue  # an earlier move this pass changed it: look again next pass
            moves: list[tuple[bool, int, int, int]] = []
            for r in sig:
                rest = sig - {r}
                merged = regions[sig] + regions.get(rest, 0) if rest else threshold  # empty: no longer shown
                moves.append((merged < threshold, keep[r], row_weight[r], r))
            for other, w in regions.items():
                if len(other) == len(sig) + 1 and sig < other:
                    (r,) = other - sig
                    moves.append((regions[sig] + w < threshold, keep[r], row_weight[r], r))
            victim = min(moves)[3]
            result.hidden.add(victim)
            result.secondary.add(victim)
            touched.add(victim)
            touched.update(sig)
