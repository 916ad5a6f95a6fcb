"""An attacker with everything a leader can read tries to isolate fewer than k respondents.

Written independently of ``insights.disclosure``: its own model of whom each published
figure sums over (from the ground truth this test creates), numpy's floating-point rank
instead of exact elimination, and three searches per variable — pairwise differences,
partition complements, and an exhaustive linear-algebra search over small groups — over
everything published for a round: every live release while it was open and the final
results, through the API (snapshots, participation, coordination, signals) and the tables
the pages show (priority picks, released comment lists).

Random organizations with many small groups: teams of 1–6, sparse layers, departments
with a single direct member, people who skip a dimension, open rounds read between
releases. The three attacks a tester made are regression tests at the end.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import pytest
from django.utils import timezone

from insights.models import Participation, PriorityAlignment
from insights.recompute import recompute_round
from peakos.models import Layer, Role, Team, TeamDependency, TeamKind
from surveys.models import Answer, Response, Round, RoundQuestion, RoundStatus
from tests.api.conftest import make_token, token_client
from tests.factories import OrganizationFactory, PriorityFactory
from tests.insights.factories import questions, survey

pytestmark = pytest.mark.django_db

DIMENSIONS = ("alignment", "team_health")


# --------------------------------------------------------------------------
# The organization and its answers (the ground truth)
# --------------------------------------------------------------------------


@dataclass
class Person:
    team: int  # team id
    layer: str
    dims: set[str]  # dimensions answered
    picks: bool
    rates: set[int]  # teams rated
    comment: str


@dataclass
class World:
    org: object
    teams: dict[int, tuple[int | None, str]]  # id -> (parent id, kind)
    threshold: int
    comment_threshold: int
    people: list[Person]  # in the order they answer
    responding: set[int] = field(default_factory=set)  # who answered (indices into people)

    def subtree(self, team_id: int) -> set[int]:
        out = {team_id}
        grew = True
        while grew:
            grew = False
            for t, (parent, _) in self.teams.items():
                if parent in out and t not in out:
                    out.add(t)
                    grew = True
        return out

    def depth(self, team_id: int) -> int:
        d, parent = 0, self.teams[team_id][0]
        while parent is not None:
            d, parent = d + 1, self.teams[parent][0]
        return d

    def members(self, kind: str, team: int | None, layer: str, depth: int | None) -> set[int]:
        """Indices of the people a scope names."""
        if kind == "organization":
            return set(range(len(self.people)))
        if kind == "layer":
            return {i for i, p in enumerate(self.people) if p.layer == layer}
        if kind == "depth":
            return {i for i, p in enumerate(self.people) if self.depth(p.team) == depth}
        if kind == "leadership":
            return {i for i, p in enumerate(self.people) if p.team == team}
        sub = self.subtree(team)
        return {i for i, p in enumerate(self.people) if p.team in sub}

    def raters(self, rater: int | None, rated: int) -> set[int]:
        inside = self.subtree(rated)  # rating one's own team or an ancestor of it does not count
        who = {i for i, p in enumerate(self.people) if rated in p.rates and p.team not in inside}
        if rater is None:
            return who
        if self.teams[rater][1] == TeamKind.LEADERSHIP:
            return {i for i in who if self.people[i].team == rater}
        sub = self.subtree(rater)
        return {i for i in who if self.people[i].team in sub}


def make_world(seed: int) -> World:
    rng = random.Random(seed)
    org = OrganizationFactory(slug=f"attack-{seed}", name=f"Attack {seed}")
    k = rng.choice([3, 4, 5])
    org.anonymity_threshold = k
    org.comment_threshold = rng.choice([k, k + 2, 10])
    org.save()
    teams: dict[int, tuple[int | None, str]] = {}

    def team(name, parent, kind=TeamKind.TEAM):
        t = Team.objects.create(organization=org, name=name, parent_id=parent, kind=kind)
        teams[t.pk] = (parent, kind)
        return t.pk

    top = team("Leadership", None, TeamKind.LEADERSHIP)
    people: list[Person] = []

    def add(team_id, layer, n):
        for _ in range(n):
            people.append(Person(team_id, layer, set(), False, set(), ""))

    add(top, Layer.EXECUTIVE, rng.randint(1, 6))
    leaves = []
    for d in range(rng.randint(2, 3)):
        dept = team(f"Dept {d}", top, TeamKind.DEPARTMENT)
        add(dept, rng.choice([Layer.DIRECTOR, Layer.MANAGER]), rng.choice([0, 1, 1, 2]))  # a single direct member
        for t in range(rng.randint(1, 3)):
            tid = team(f"Team {d}.{t}", dept)
            leaves.append(tid)
            add(tid, Layer.MANAGER, rng.choice([0, 1, 1]))
            add(tid, Layer.INDIVIDUAL, rng.randint(1, 6))
            if rng.random() < 0.3:
                sub = team(f"Sub {d}.{t}", tid)
                leaves.append(sub)
                add(sub, Layer.INDIVIDUAL, rng.randint(1, 4))
    deps = set()
    for a in leaves:
        for b in rng.sample(leaves, k=min(2, len(leaves))):
            if a != b:
                deps.add((a, b))
    if rng.random() < 0.5:
        deps.add((top, rng.choice(leaves)))
    for a, b in deps:
        TeamDependency.objects.create(organization=org, from_team_id=a, to_team_id=b)
    depends = {}
    for a, b in deps:
        depends.setdefault(a, set()).add(b)
    for p in people:
        p.dims = {d for d in DIMENSIONS if rng.random() > 0.1}
        p.picks = rng.random() > 0.2
        p.rates = {b for b in depends.get(p.team, ()) if rng.random() > 0.15}
        p.comment = f"comment {rng.random():.12f}" if rng.random() < 0.6 else ""
    rng.shuffle(people)  # the order people answer in
    return World(org, teams, k, max(org.comment_threshold, k), people)


def answer_sheets(world: World, round_: Round, people: list[int], rng: random.Random) -> None:
    qs = questions(world.org)
    created = Response.objects.bulk_create(
        Response(
            organization=world.org,
            round=round_,
            team_id=world.people[i].team,
            layer=world.people[i].layer,
            submitted_on=timezone.now().date(),
        )
        for i in people
    )
    priorities = list(world.org.priorities.values_list("pk", flat=True))
    answers = []
    for i, response in zip(people, created, strict=True):
        world.responding.add(i)
        p = world.people[i]
        for q in qs.values():
            if q.kind == "likert5" and q.dimension in p.dims:
                answers.append(Answer(organization=world.org, response=response, question=q, value=rng.randint(1, 5)))
        answers.append(Answer(organization=world.org, response=response, question=qs["enps"], value=rng.randint(0, 10)))
        if p.picks and priorities:
            for rank, prio in enumerate(rng.sample(priorities, k=2), start=1):
                answers.append(
                    Answer(organization=world.org, response=response, question=qs["priority-pick"], value=rank,
                           priority_id=prio)
                )  # fmt: skip
        for rated in p.rates:
            answers.append(
                Answer(organization=world.org, response=response, question=qs["rate-teams"],
                       value=rng.randint(1, 5), rated_team_id=rated)
            )  # fmt: skip
        if p.comment:
            answers.append(Answer(organization=world.org, response=response, question=qs["comment"], text=p.comment))
    Answer.objects.bulk_create(answers)


# --------------------------------------------------------------------------
# What a leader can read
# --------------------------------------------------------------------------


def _pages(client, path):
    out, page = [], 1
    while True:
        body = client.get(f"{path}&page={page}&page_size=500").json()
        out += body["results"]
        if not body.get("next"):
            return out
        page += 1


def read_everything(world: World, client, round_: Round) -> list[tuple[str, tuple, int]]:
    """(variable, scope description, published respondent count) of every published figure."""
    out = []
    for row in _pages(client, f"/api/v1/snapshots/?round={round_.pk}"):
        if not row["suppressed"]:
            scope = (row["scope_kind"], row["team"], row["layer"], row["depth"])
            out.append((f"dim:{row['dimension']}", scope, row["respondents"]))
    turnout = client.get(f"/api/v1/rounds/{round_.pk}/participation/").json()
    if turnout["answered"] is not None:
        out.append(("respondents", ("organization", None, "", None), turnout["answered"]))
    kinds = {tid: kind for tid, (_, kind) in world.teams.items()}
    for t in turnout["teams"]:
        if t["answered"] is not None:
            kind = "department" if kinds[t["team"]] == TeamKind.DEPARTMENT else "team"
            if kinds[t["team"]] == TeamKind.LEADERSHIP:
                kind = "subtree-of-leadership"
            out.append(("respondents", (kind, t["team"], "", None), t["answered"]))
    for row in _pages(client, f"/api/v1/coordination/?round={round_.pk}"):
        if not row["suppressed"]:
            out.append((f"rate:{row['rated_team']}", ("rater", row["rater_team"]), row["respondents"]))
    for row in PriorityAlignment.objects.filter(round=round_, suppressed=False):  # the priorities page's table
        out.append(("pickers", (row.scope_kind, row.team_id, row.layer, row.depth), row.respondents))
    for row in Participation.objects.filter(round=round_, comments_released=True):  # the comments page's lists
        out.append(("comments", (row.scope_kind, row.team_id, row.layer, row.depth), None))
    return out


def respondent_set(world: World, variable: str, scope: tuple, count: int | None, boundaries: list[int]) -> frozenset:
    """Whom a published figure sums over: the scope's people (with the variable's answers)
    among the first ``b`` respondents, for the boundary ``b`` whose count matches (equal
    counts at two boundaries mean the same people: sets only grow)."""
    if variable.startswith("rate:"):
        members = world.raters(scope[1], int(variable[5:]))
    else:
        kind, team, layer, depth = scope
        if kind == "subtree-of-leadership":
            members = {i for i, p in enumerate(world.people) if p.team in world.subtree(team)}
        else:
            members = world.members(kind, team, layer, depth)
        if variable.startswith("dim:") and variable != "dim:enps":  # everyone answers eNPS here
            members = {i for i in members if variable[4:] in world.people[i].dims}
        elif variable == "pickers":
            members = {i for i in members if world.people[i].picks}
    members &= world.responding
    for b in sorted(boundaries, reverse=True):
        current = frozenset(i for i in members if i < b)
        if count is None or len(current) == count:
            return current
    raise AssertionError(f"no boundary matches {variable} {scope}: {count}")


# --------------------------------------------------------------------------
# The searches
# --------------------------------------------------------------------------


def pairwise_leaks(rows: list[frozenset], k: int) -> list:
    return [(a, b) for a in rows for b in rows if b < a and 0 < len(a - b) < k]


def complement_leaks(rows: list[frozenset], k: int) -> list:
    """A published set minus disjoint published subsets of it."""
    found = []
    for a in rows:
        inside = sorted({b for b in rows if b < a and b}, key=len, reverse=True)[:14]
        for n in range(2, len(inside) + 1):
            for combo in itertools.combinations(inside, n):
                union = frozenset().union(*combo)
                if sum(map(len, combo)) == len(union) and 0 < len(a - union) < k:
                    found.append((a, combo))
                    break
    return found


def exact_leaks(rows: list[frozenset], k: int, max_small: int = 16) -> list | None:
    """Every group of fewer than k respondents that some combination of rows isolates
    (None: too large to search exhaustively)."""
    people = sorted(set().union(*rows)) if rows else []
    if not people:
        return []
    signature: dict[int, tuple] = {p: tuple(i for i, r in enumerate(rows) if p in r) for p in people}
    regions: dict[tuple, list[int]] = {}
    for p, sig in signature.items():
        regions.setdefault(sig, []).append(p)
    keys = list(regions)
    matrix = np.array([[1.0 if r in key else 0.0 for key in keys] for r in range(len(rows))])
    full = np.linalg.matrix_rank(matrix)
    small = [j for j, key in enumerate(keys) if len(regions[key]) < k]
    if len(small) > max_small:
        return None
    leaks = []
    for size in range(1, k):
        for group in itertools.combinations(small, size):
            if sum(len(regions[keys[j]]) for j in group) >= k:
                continue
            rest = [j for j in range(len(keys)) if j not in group]
            if (np.linalg.matrix_rank(matrix[:, rest]) if rest else 0) < full:
                leaks.append([p for j in group for p in regions[keys[j]]])
    return leaks


def venn_leaks(rows: list[frozenset], k: int) -> list:
    """Comment lists: an attacker sorts each comment into the lists that show it."""
    people = set().union(*rows) if rows else set()
    regions: dict[tuple, int] = {}
    for p in people:
        sig = tuple(i for i, r in enumerate(rows) if p in r)
        regions[sig] = regions.get(sig, 0) + 1
    return [sig for sig, n in regions.items() if n < k]


def attack(world: World, published: list[tuple[str, frozenset]]) -> dict[str, list]:
    """Every leak found, by variable (empty: none)."""
    by_variable: dict[str, set[frozenset]] = {}
    for variable, members in published:
        by_variable.setdefault(variable, set()).add(members)
    found: dict[str, list] = {}
    for variable, sets in by_variable.items():
        rows = sorted(sets, key=lambda s: (len(s), sorted(s)))
        if variable == "comments":
            leaks = venn_leaks(rows, world.comment_threshold)
        else:
            k = world.threshold
            leaks = pairwise_leaks(rows, k) + complement_leaks(rows, k) + (exact_leaks(rows, k) or [])
        if leaks:
            found[variable] = leaks
    return found


# --------------------------------------------------------------------------
# The tests
# --------------------------------------------------------------------------


def run_round(world: World, *, live: bool, rng: random.Random, settings) -> list[tuple[str, frozenset]]:
    """Answer a round (in chunks, read between releases when ``live``), close it, and return
    everything published, as (variable, respondent set)."""
    settings.INSIGHTS_RELEASE_INTERVAL = 0
    pulse = survey(world.org, name=f"Pulse {rng.random()}")
    qs = questions(world.org)
    opens = timezone.now() - timedelta(days=2)
    round_ = Round.objects.create(
        organization=world.org, survey=pulse, number=1, opens_at=opens, closes_at=opens + timedelta(days=5),
        status=RoundStatus.OPEN if live else RoundStatus.CLOSED, anonymity_threshold=world.threshold,
        comment_threshold=world.comment_threshold, invited_count=len(world.people),
    )  # fmt: skip
    RoundQuestion.objects.bulk_create(
        RoundQuestion(organization=world.org, round=round_, question=q, position=i) for i, q in enumerate(qs.values())
    )
    responding = [i for i in range(len(world.people)) if rng.random() < 0.85]  # in answering order
    client = token_client(make_token(type("T", (), {"org": world.org}), Role.LEADER))
    published: list[tuple[str, frozenset]] = []
    boundaries: list[int] = []

    def collect():
        for variable, scope, count in read_everything(world, client, round_):
            published.append((variable, respondent_set(world, variable, scope, count, boundaries)))

    if live:
        done = 0
        while done < len(responding):
            chunk = responding[done : done + rng.randint(1, 4)]
            answer_sheets(world, round_, chunk, rng)
            done += len(chunk)
            boundaries.append(max(responding[:done]) + 1 if responding[:done] else 0)
            recompute_round(round_=round_)
            collect()
        Round.objects.filter(pk=round_.pk).update(status=RoundStatus.CLOSED)
    else:
        answer_sheets(world, round_, responding, rng)
    boundaries.append(len(world.people))
    round_.refresh_from_db()
    recompute_round(round_=round_)
    collect()
    return published


@pytest.mark.parametrize("seed", range(8))
def test_nothing_a_leader_reads_isolates_a_small_group(seed, settings):
    world = make_world(seed)
    for i in range(3):
        PriorityFactory(organization=world.org, title=f"P{i}", rank=i + 1, period="2026-Q4")
    rng = random.Random(1000 + seed)
    published = run_round(world, live=seed % 2 == 0, rng=rng, settings=settings)
    assert published, "the attacker read nothing: the test would prove nothing"
    assert attack(world, published) == {}


def test_the_attacks_find_leaks_when_there_are_some():
    """The searches themselves work: a parent, a child and the residual of a partition."""
    a, b, c = frozenset(range(10)), frozenset(range(8)), frozenset(range(8, 9))
    assert pairwise_leaks([a, b], 5)
    assert complement_leaks([a, frozenset(range(5)), frozenset(range(5, 8))], 5)
    depth2, individual = frozenset(range(29)), frozenset(range(3, 29))
    assert exact_leaks([depth2, individual], 5) == [[0, 1, 2]]
    assert venn_leaks([frozenset(range(12)), frozenset(range(3, 20))], 10)
    assert not exact_leaks([a, c | frozenset(range(9, 15))], 5)


def test_without_the_exact_audit_the_attacker_finds_what_leaked_before(settings, monkeypatch):
    """The attacker has teeth: with only the old per-tree protection (the hierarchy plan),
    the same organizations leak."""
    from insights import disclosure

    def plan_only(weights, rows, threshold, *, keep=None, hidden=(), fixed=(), budget=0):
        return disclosure.AuditResult(hidden=set(hidden), primary=set())

    monkeypatch.setattr("insights.engine.publish.disclosure.audit", plan_only)
    monkeypatch.setattr("insights.engine.publish.disclosure.audit_sets", plan_only)
    for seed in range(8):
        world = make_world(seed)
        for i in range(3):
            PriorityFactory(organization=world.org, title=f"P{i}", rank=i + 1, period="2026-Q4")
        published = run_round(world, live=seed % 2 == 0, rng=random.Random(1000 + seed), settings=settings)
        if attack(world, published):
            return
    pytest.fail("the attacker found nothing even without the exact audit")


def test_the_managers_of_depth_two_cannot_be_subtracted_from_the_individual_layer(settings):
    """The tester's attack: 3 managers and 26 individual contributors all in depth-2 teams;
    the manager layer is hidden, but (29 × depth 2 − 26 × individual) / 3 was the managers'
    mean for every figure, in every round."""
    org = OrganizationFactory(slug="depth-attack", anonymity_threshold=5)
    top = Team.objects.create(organization=org, name="Leadership", kind=TeamKind.LEADERSHIP)
    teams = {top.pk: (None, TeamKind.LEADERSHIP)}
    people = [Person(top.pk, Layer.EXECUTIVE, set(DIMENSIONS), True, set(), "") for _ in range(6)]
    for d in range(2):
        dept = Team.objects.create(organization=org, name=f"Dept {d}", parent=top, kind=TeamKind.DEPARTMENT)
        teams[dept.pk] = (top.pk, TeamKind.DEPARTMENT)
        people += [Person(dept.pk, Layer.DIRECTOR, set(DIMENSIONS), True, set(), "") for _ in range(3)]
        for t in range(2 if d == 0 else 1):
            team = Team.objects.create(organization=org, name=f"Team {d}.{t}", parent=dept)
            teams[team.pk] = (dept.pk, TeamKind.TEAM)
            people.append(Person(team.pk, Layer.MANAGER, set(DIMENSIONS), True, set(), ""))
            people += [
                Person(team.pk, Layer.INDIVIDUAL, set(DIMENSIONS), True, set(), "") for _ in range(9 if t else 8)
            ]
    world = World(org, teams, 5, 10, people)
    published = run_round(world, live=False, rng=random.Random(7), settings=settings)
    assert attack(world, published) == {}
    individual = [m for v, m in published if v == "dim:alignment" and len(m) >= 20]
    assert individual, "the organization's figures are still published"
