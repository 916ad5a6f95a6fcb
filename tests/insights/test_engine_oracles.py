"""Whole rounds through the real recompute, compared figure by figure with the oracles.

Each seed builds a random organization — a leadership team, departments, many small teams
and sub-teams, sometimes a second root, people in sparse layers, a few without a team — and
two closed rounds of one pulse survey: Likert items that people skip, eNPS, priority picks
(duplicates included), ratings of other teams (of their own team and its ancestors too, which
must be ignored), declared dependencies (some that nobody rates), comments, and invitations
that sometimes fall short of the responses (people who moved team after the round opened).
The ``recompute_round`` task scores both rounds; then every stored row is recomputed from
the ground truth this test kept, with the readable formulas of ``tests/insights/oracles.py``:

- participation (respondents, invited, rate clamped at 100 %) and which scopes exist;
- per scope and dimension: respondents, mean, score, favorable/unfavorable shares, spread
  (eNPS: score = eNPS, shares = promoters/detractors), gap against the leadership team,
  delta against the previous round, and both drivers;
- priority alignment (pickers, top-priority share, top-three overlap, pick counts);
- coordination cells (a rater team's subtree, a leadership team's own members) and
  received totals, with "not enough responses" rows where a dependency is declared;
- the anonymity rules: nothing shown below the threshold, "few" exactly when the scope has
  fewer respondents, no shown coordination cell whose column residual reveals a small group,
  comments only at the comment threshold.

Floats are compared within 1e-9 (the detectors' tolerance, docs/scoring.md).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

import pytest

from insights import tasks
from insights.models import CoordinationCell, Participation, PriorityAlignment, SignalSettings, Snapshot
from insights.vocabulary import DEPARTMENT, DEPTH, FEW, LAYER, LEADERSHIP, ORGANIZATION, PROTECT, TEAM, ScopeKey
from peakos.models import Layer, Person, Priority, Team, TeamDependency, TeamKind
from tests.factories import OrganizationFactory, PriorityFactory
from tests.insights import oracles
from tests.insights.factories import RoundBuilder, survey

pytestmark = pytest.mark.django_db

SEEDS = range(20)
TOLERANCE = 1e-9
DRIVER_MINIMUM = 10  # the smallest the settings allow, so that drivers show on small organizations
ITEMS = {"alignment-priorities": "alignment", "alignment-why": "alignment", "team-health-trust": "team_health"}
LIKERT_DIMENSIONS = ("alignment", "team_health")
LOWER_LAYERS = (Layer.DIRECTOR, Layer.MANAGER, Layer.LEAD, Layer.INDIVIDUAL, Layer.INDIVIDUAL, Layer.INDIVIDUAL)


# --------------------------------------------------------------------------
# The ground truth
# --------------------------------------------------------------------------


@dataclass
class Sheet:
    team: int | None
    layer: str
    likert: dict[str, int | None]  # item key -> answer (None: skipped)
    enps: int | None
    rate: dict[int, int]  # rated team -> 1–5
    picks: list[int]  # priority ids, most important first
    comment: str


@dataclass
class World:
    org: object
    teams: dict[int, tuple[int | None, str]]  # id -> (parent id, kind)
    threshold: int
    comment_threshold: int
    ranking: list[int]  # leadership's priorities, by rank
    dependencies: list[tuple[int, int]]
    sizes: dict[int, int] = field(default_factory=dict)  # typical respondents per team

    def ancestors(self, team: int) -> list[int]:
        """The team, its parent, ... up to its root."""
        out = [team]
        while self.teams[out[-1]][0] is not None:
            out.append(self.teams[out[-1]][0])
        return out

    def depth(self, team: int) -> int:
        return len(self.ancestors(team)) - 1

    def kind(self, team: int) -> str:
        return self.teams[team][1]


def make_world(seed: int) -> World:
    rng = random.Random(seed)
    org = OrganizationFactory(slug=f"oracle-{seed}", name=f"Oracle {seed}")
    teams: dict[int, tuple[int | None, str]] = {}

    def team(name: str, parent: int | None, kind: str = TeamKind.TEAM) -> int:
        t = Team.objects.create(organization=org, name=name, parent_id=parent, kind=kind)
        teams[t.pk] = (parent, kind)
        return t.pk

    top = team("Leadership", None, TeamKind.LEADERSHIP)
    for d in range(rng.randint(1, 3)):
        dept = team(f"Department {d}", top, TeamKind.DEPARTMENT)
        for t in range(rng.randint(1, 3)):
            parent = team(f"Team {d}.{t}", dept)
            for s in range(rng.choice([0, 0, 0, 1, 2])):
                team(f"Team {d}.{t}.{s}", parent)
    if rng.random() < 0.3:
        outside = team("Contractors", None)
        team("Contractors B", outside)
    ids = list(teams)
    dependencies = sorted({(rng.choice(ids), rng.choice(ids)) for _ in range(rng.randint(2, 6))})
    dependencies = [(a, b) for a, b in dependencies if a != b]
    if rng.random() < 0.5:
        dependencies.append((top, rng.choice(ids[1:])))  # the leadership team's own dependency
    dependencies = sorted(set(dependencies))
    TeamDependency.objects.bulk_create(
        TeamDependency(organization=org, from_team_id=a, to_team_id=b) for a, b in dependencies
    )
    ranking = [PriorityFactory(organization=org, title=f"P{i}", rank=i + 1).pk for i in range(rng.randint(1, 5))]
    Person.objects.bulk_create(
        Person(organization=org, name=f"Person {i}", email=f"p{i}@oracle-{seed}.example") for i in range(400)
    )
    SignalSettings.objects.create(organization=org, driver_min_respondents=DRIVER_MINIMUM)
    k = rng.choice([3, 4, 5])
    world = World(org, teams, k, rng.choice([k, k + 2, 10]), ranking, dependencies)
    world.sizes = {t: rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 12]) for t in teams}
    world.sizes[top] = rng.randint(2, 7)
    return world


def make_sheets(world: World, rng: random.Random) -> tuple[list[Sheet], list[tuple[int | None, str, int]]]:
    """One round's answer sheets and invitations (team, layer, count)."""
    top = next(t for t in world.teams if world.kind(t) == TeamKind.LEADERSHIP)
    sheets: list[Sheet] = []
    mood = {t: rng.randint(1, 5) for t in world.teams}
    ids = list(world.teams)
    homes = [(t, max(0, world.sizes[t] + rng.choice([-1, 0, 0, 1]))) for t in ids] + [(None, rng.randint(0, 2))]
    for t, count in homes:
        for _ in range(count):
            center = mood[t] if t is not None else 3
            sheets.append(
                Sheet(
                    team=t,
                    layer=Layer.EXECUTIVE if t == top else rng.choice(LOWER_LAYERS),
                    likert={
                        key: (min(5, max(1, center + rng.choice([-1, 0, 0, 1]))) if rng.random() < 0.9 else None)
                        for key in ITEMS
                    },
                    enps=rng.randint(0, 10) if rng.random() < 0.85 else None,
                    rate={rated: rng.randint(1, 5) for rated in rng.sample(ids, min(len(ids), rng.randint(0, 3)))},
                    picks=(
                        [rng.choice(world.ranking + [world.ranking[0]]) for _ in range(rng.randint(1, 4))]
                        if rng.random() < 0.8
                        else []
                    ),
                    comment=f"comment {len(sheets)}" if rng.random() < 0.3 else "",
                )
            )
    answered: dict[tuple[int | None, str], int] = defaultdict(int)
    for s in sheets:
        answered[(s.team, s.layer)] += 1
    invitations = [
        (team, layer, max(0, n + rng.choice([-2, -1, 0, 0, 1, 2, 3]))) for (team, layer), n in answered.items()
    ]
    invitations += [(t, Layer.INDIVIDUAL, rng.randint(1, 3)) for t in rng.sample(ids, min(2, len(ids)))]
    return sheets, [inv for inv in invitations if inv[2] > 0]


def save_round(world: World, pulse, number: int, sheets: list[Sheet], invitations) -> object:
    b = RoundBuilder(
        org=world.org,
        survey=pulse,
        number=number,
        anonymity_threshold=world.threshold,
        comment_threshold=world.comment_threshold,
    )
    teams = {t.pk: t for t in Team.objects.filter(organization=world.org)}
    priorities = {p.pk: p for p in Priority.objects.filter(organization=world.org)}
    for s in sheets:
        b.respond(
            teams.get(s.team),
            s.layer,
            likert=s.likert,
            enps=s.enps,
            rate={teams[t]: v for t, v in s.rate.items()},
            picks=[priorities[p] for p in s.picks],
            comment=s.comment,
        )
    for team, layer, count in invitations:
        b.invite(teams.get(team), layer, count)
    return b.save()


# --------------------------------------------------------------------------
# Who each scope holds, by the definitions of docs/scoring.md
# --------------------------------------------------------------------------


def expected_scopes(world: World, sheets: list[Sheet], invitations) -> dict[ScopeKey, tuple[list[int], int]]:
    """Every scope that exists (someone invited to it or answering in it): (sheet indices, invited)."""
    people = [(i, s.team, s.layer) for i, s in enumerate(sheets)]
    invited = [(team, layer, n) for team, layer, n in invitations]

    def collect(belongs) -> tuple[list[int], int]:
        return [i for i, t, layer in people if belongs(t, layer)], sum(
            n for t, layer, n in invited if belongs(t, layer)
        )

    scopes: dict[ScopeKey, tuple[list[int], int]] = {ScopeKey(ORGANIZATION): collect(lambda t, layer: True)}
    own_cells = {t for _, t, _ in people} | {t for t, _, n in invited}  # teams with anyone of their own
    for team in world.teams:
        if world.kind(team) == TeamKind.LEADERSHIP:
            key, belongs = ScopeKey(LEADERSHIP, team), (lambda t, layer, team=team: t == team)
        else:
            kind = DEPARTMENT if world.kind(team) == TeamKind.DEPARTMENT else TEAM
            key = ScopeKey(kind, team)
            belongs = lambda t, layer, team=team: t is not None and team in world.ancestors(t)  # noqa: E731
        members, n = collect(belongs)
        if members or n:
            scopes[key] = (members, n)
    for layer in Layer.values:
        members, n = collect(lambda t, lay, layer=layer: lay == layer)
        if members or n:
            scopes[ScopeKey(LAYER, layer=layer)] = (members, n)
    for depth in {world.depth(t) for t in world.teams}:
        members, n = collect(lambda t, layer, depth=depth: t is not None and world.depth(t) == depth)
        present = {t for t in world.teams if world.depth(t) == depth and t in own_cells}
        if not (members or n):
            continue
        if len(present) == 1 and world.kind(next(iter(present))) == TeamKind.LEADERSHIP:
            continue  # the leadership team's own people: one scope, not two
        scopes[ScopeKey(DEPTH, depth=depth)] = (members, n)
    return scopes


def _key(row) -> ScopeKey:
    return ScopeKey(row.scope_kind, row.team_id, row.layer or "", row.depth)


def _approx(value):
    return None if value is None else pytest.approx(value, abs=TOLERANCE, rel=TOLERANCE)


def _dimension_answers(sheet: Sheet, dimension: str) -> list[int]:
    if dimension == "enps":
        return [sheet.enps] if sheet.enps is not None else []
    return [v for key, v in sheet.likert.items() if ITEMS[key] == dimension and v is not None]


def _figures(sheets: list[Sheet], members: list[int], dimension: str) -> dict[str, float | None]:
    """The oracle's snapshot figures of one scope × dimension (pooled answers)."""
    answers = [v for i in members for v in _dimension_answers(sheets[i], dimension)]
    if dimension == "enps":
        e = oracles.enps_summary(answers)
        return {
            "mean": oracles.mean(answers),
            "score": e.enps,
            "favorable_share": e.promoters_share,
            "unfavorable_share": e.detractors_share,
            "spread": oracles.disagreement(answers),
        }
    s = oracles.likert_summary(answers)
    fields = ("mean", "score", "favorable_share", "unfavorable_share", "spread")
    return {name: getattr(s, name) for name in fields}


# --------------------------------------------------------------------------
# The comparisons
# --------------------------------------------------------------------------


def check_participation(world, round_, scopes) -> dict[ScopeKey, bool]:
    rows = {_key(p): p for p in Participation.objects.filter(round=round_)}
    assert set(rows) == set(scopes), "the stored scopes are the scopes the docs define"
    k = world.threshold
    hidden = {}
    for key, (members, invited) in scopes.items():
        p = rows[key]
        hidden[key] = p.suppressed
        if p.suppressed:
            assert p.respondents is None and p.rate is None and not p.comments_released
            assert p.hidden_reason == (FEW if len(members) < k else PROTECT), key
            continue
        assert p.respondents == len(members) >= k, key
        assert p.invited == (invited or None), key
        assert p.rate == _approx(oracles.participation(len(members), invited)), key
        if p.comments_released:
            assert len(members) >= max(world.comment_threshold, k), key
    return hidden


def check_snapshots(world, round_, sheets, scopes, hidden_scope, previous) -> dict[tuple[ScopeKey, str], float]:
    """Every snapshot against the oracles; returns the shown scores (the next round's deltas)."""
    k = world.threshold
    dimensions = list(LIKERT_DIMENSIONS) + (["enps"] if any(s.enps is not None for s in sheets) else [])
    rows = {(_key(s), s.dimension): s for s in Snapshot.objects.filter(round=round_)}
    assert set(rows) == {(key, d) for key in scopes for d in dimensions}
    leadership = next((key for key in scopes if key.kind == LEADERSHIP), None)
    shown_scores = {}
    for (key, dimension), snap in rows.items():
        members = scopes[key][0]
        answering = [i for i in members if _dimension_answers(sheets[i], dimension)]
        if snap.suppressed:
            assert snap.respondents is None and snap.score is None and snap.gap is None, (key, dimension)
            assert snap.hidden_reason == (FEW if len(answering) < k else PROTECT), (key, dimension)
            continue
        assert not hidden_scope[key], "a hidden scope shows no dimension"
        assert snap.respondents == len(answering) >= k, (key, dimension)
        expected = _figures(sheets, members, dimension)
        for name, value in expected.items():
            assert getattr(snap, name) == _approx(value), (key, dimension, name)
        shown_scores[(key, dimension)] = expected["score"]
    for (key, dimension), snap in rows.items():
        if snap.suppressed:
            continue
        lead = shown_scores.get((leadership, dimension)) if key != leadership else None
        assert snap.gap == _approx(oracles.delta(lead, shown_scores[(key, dimension)])), (key, dimension, "gap")
        before = previous.get((key, dimension))
        assert snap.delta == _approx(oracles.delta(shown_scores[(key, dimension)], before)), (key, dimension)
        check_drivers(sheets, scopes[key][0], dimension, snap)
    return shown_scores


def _respondent_mean(sheet: Sheet, dimension: str) -> float | None:
    return oracles.mean(_dimension_answers(sheet, dimension))


def check_drivers(sheets, members, dimension, snap) -> None:
    x = [_respondent_mean(sheets[i], dimension) for i in members]
    for outcome, stored in (("enps", snap.driver_enps), ("alignment", snap.driver_alignment)):
        if outcome == dimension:
            assert stored is None  # a dimension against itself
            continue
        y = [_respondent_mean(sheets[i], outcome) for i in members]
        assert stored == _approx(oracles.pearson(x, y, DRIVER_MINIMUM)), (snap.scope_kind, dimension, outcome)


def check_priorities(world, round_, sheets, scopes) -> None:
    rows = {_key(p): p for p in PriorityAlignment.objects.filter(round=round_)}
    if not any(s.picks for s in sheets):
        assert not rows
        return
    assert set(rows) == set(scopes)
    k = world.threshold
    for key, (members, _) in scopes.items():
        row = rows[key]
        picks = [sheets[i].picks for i in members]
        expected = oracles.priority_alignment(world.ranking, picks)
        if row.suppressed:
            assert row.respondents is None and row.top_priority_share is None and row.pick_counts is None
            assert row.hidden_reason == (FEW if expected.respondents < k else PROTECT), key
            continue
        assert row.respondents == expected.respondents >= k, key
        assert row.top_priority_id == world.ranking[0]
        assert row.top_priority_share == _approx(expected.top_priority_share), key
        assert row.top_overlap == _approx(expected.top_overlap), key
        assert row.pick_counts == {str(p): n for p, n in oracles.priority_pick_counts(picks).items()}, key


def check_coordination(world, round_, sheets) -> None:
    """Cells against the oracle, declared dependencies present, and no small residual in a column."""
    k = world.threshold
    received, cells = [], []
    for s in sheets:
        for rated, value in s.rate.items():
            if s.team is not None and rated in world.ancestors(s.team):
                continue  # rating one's own team (or an ancestor of it) does not count
            received.append((None, rated, value))
            if s.team is not None:
                for rater in world.ancestors(s.team):
                    if rater == s.team or world.kind(rater) != TeamKind.LEADERSHIP:
                        cells.append((rater, rated, value))
    expected = {(None, t): c for t, c in oracles.received_coordination(received).items()}
    expected |= oracles.coordination_cells(cells)
    rows = {(c.rater_team_id, c.rated_team_id): c for c in CoordinationCell.objects.filter(round=round_)}
    for pair, row in rows.items():
        if row.suppressed:
            assert row.respondents is None and row.mean is None and row.score is None
            assert pair in world.dependencies or (pair[0] is None and pair[1] in {b for _, b in world.dependencies})
            continue
        cell = expected[pair]
        assert row.respondents == cell.n >= k, pair
        assert (row.mean, row.score) == (_approx(cell.mean), _approx(cell.score)), pair
    for a, b in world.dependencies:
        assert (a, b) in rows and (None, b) in rows, "a declared dependency always has a row"
    assert {pair for pair, c in expected.items() if c.n >= k} >= {p for p, r in rows.items() if not r.suppressed}
    check_columns(world, expected, rows)


def check_columns(world, expected: dict[tuple, oracles.Cell], rows: dict[tuple, CoordinationCell]) -> None:
    """Within each rated team's column (received total > rater roots > their sub-teams), no
    shown cell minus what can be subtracted below it leaves 1 … k−1 raters."""
    k = world.threshold

    def parent_node(rater: int | None, rated: int) -> tuple[int | None, int] | None:
        if rater is None:
            return None
        parent = world.teams[rater][0]
        return (None, rated) if parent is None or world.kind(parent) == TeamKind.LEADERSHIP else (parent, rated)

    children: dict[tuple, list[tuple]] = defaultdict(list)
    for pair in expected:
        up = parent_node(*pair)
        if up is not None:
            children[up].append(pair)

    def shown(pair) -> bool:
        return pair in rows and not rows[pair].suppressed

    def subtractable(pair) -> int:
        return sum(expected[c].n if shown(c) else subtractable(c) for c in children[pair])

    for pair in expected:
        if shown(pair):
            residual = expected[pair].n - subtractable(pair)
            assert not 0 < residual < k, f"{pair} minus its shown sub-cells leaves {residual} raters"


@pytest.mark.parametrize("seed", SEEDS)
def test_the_engine_agrees_with_the_oracles_on_random_rounds(seed):
    world = make_world(seed)
    rng = random.Random(10_000 + seed)
    pulse = survey(world.org, name=f"Pulse {seed}")
    previous: dict[tuple[ScopeKey, str], float] = {}
    for number in (1, 2):
        sheets, invitations = make_sheets(world, rng)
        round_ = save_round(world, pulse, number, sheets, invitations)
        tasks.recompute_round.delay(world.org.pk, round_.pk)
        scopes = expected_scopes(world, sheets, invitations)
        hidden = check_participation(world, round_, scopes)
        previous = check_snapshots(world, round_, sheets, scopes, hidden, previous)
        check_priorities(world, round_, sheets, scopes)
        check_coordination(world, round_, sheets)
