"""Demo data of the insights engine: six past biweekly rounds of Northwind's "Alignment pulse".

The answers tell a story the dashboards can show:

* a **leadership gap that widens down the layers**: executives rate alignment
  about 4.4, managers 3.7, individual contributors 3.0 (and leadership's top
  priority is named by most executives, fewer managers, under half of the rest);
* a **weak dependency link**: Customer Success rates its dependency on Sales
  about 2 / 5 (hand-offs of new customers), every other link 3.5–4;
* a **department below the threshold**: only three people of Operations answer
  each round, so Operations shows "not enough responses" — and so does the
  smallest other department, since the organization minus the leadership team
  and every shown department would otherwise reveal Operations' three answers
  (differencing protection at work);
* **trends**: alignment creeps up round after round, while Engineering's
  workload item falls sharply in the last two rounds (a drop signal).

Past rounds ask the survey's questions plus three bank items (rate the teams you
depend on, team trust, workload) so the coordination and health pages have data.
Rows are created directly (bulk_create): Round, RoundQuestion, Invitation,
Response, Answer — never linking a response to a person. Idempotent: a round
number that exists is left alone; answers come from a fixed random seed; the
final recompute replaces results with identical ones.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from insights import recompute, signal_sync
from peakos.models import Layer, Organization, Person, Priority, PriorityLevel, Team, TeamDependency
from peakos.tenancy import org_scope
from surveys import demo as surveys_demo
from surveys.models import Answer, Invitation, Response, Round, RoundQuestion, RoundStatus, SubmissionGuard, Survey
from surveys.selectors import survey_questions
from surveys.services.guard import guard_digest
from surveys.services.questions import ensure_questions

PAST_ROUNDS = 6
SEED = 2026
EXTRA_KEYS = ["rate-teams", "team-health-trust", "resilience-workload"]
LOW_TURNOUT_DEPARTMENT = "Operations"
LOW_TURNOUT_PER_ROUND = 3
WEAK_LINK = ("Customer Success", "Sales")  # Customer Success depends on Sales
FALLING = ("Engineering", "resilience-workload")

ALIGNMENT_BY_LAYER = {Layer.EXECUTIVE: 4.4, Layer.MANAGER: 3.7, Layer.INDIVIDUAL: 3.0}
ENPS_BY_LAYER = {Layer.EXECUTIVE: 9.0, Layer.MANAGER: 7.6, Layer.INDIVIDUAL: 6.6}
NAMES_TOP_BY_LAYER = {Layer.EXECUTIVE: 0.95, Layer.MANAGER: 0.75, Layer.INDIVIDUAL: 0.45}
COMMENTS = [
    "I still don't know which of the four priorities wins when they conflict.",
    "Hand-offs from Sales arrive without the context we need to onboard customers.",
    "The all-hands explained the why well this time.",
    "Too many parallel initiatives for the size of the team.",
    "My manager and I agree on priorities; other teams seem to have different ones.",
    "Great collaboration with Product on the API beta.",
    "On-call load has been heavy for weeks.",
    "Decisions get revisited in every meeting.",
]


def _likert(rng: np.random.Generator, mean: np.ndarray | float, size: int, spread: float = 0.75) -> np.ndarray:
    return np.clip(np.rint(rng.normal(mean, spread, size)), 1, 5).astype(int)


def _department_of(teams: dict[int, Team]) -> dict[int, Team | None]:
    """Each team's department (itself for a department; None for the leadership team)."""
    out = {}
    for team in teams.values():
        node = team
        while node is not None and node.kind != "department":
            node = teams.get(node.parent_id)
        out[team.id] = node
    return out


def _round_times(survey: Survey, k: int) -> tuple[datetime, datetime]:
    """Round k of PAST_ROUNDS opens k·14 days before the survey's first scheduled run."""
    first = survey.next_run_at or timezone.make_aware(datetime.combine(survey.start_date, time(survey.send_hour)))
    opens = first - timedelta(days=14 * (PAST_ROUNDS + 1 - k))
    return opens, opens + timedelta(days=survey.open_days)


def _seed_round(org, survey, k, questions, people, teams, department_of, depends_on, ranking, rng) -> Round | None:
    team_mood = {tid: float(np.random.default_rng([SEED, tid]).normal(0, 0.3)) for tid in teams if teams[tid].parent_id}
    if Round.objects.filter(survey=survey, number=k).exists():
        return None
    opens, closes = _round_times(survey, k)
    round_ = Round.objects.create(
        organization=org,
        survey=survey,
        number=k,
        opens_at=opens,
        closes_at=closes,
        status=RoundStatus.CLOSED,
        anonymity_threshold=org.anonymity_threshold,
        comment_threshold=org.comment_threshold,
        frozen_at=opens,
        audience=survey.audience,
        reminder_days=list(survey.reminder_days),
        invited_count=len(people),
        closed_at=closes,
    )
    RoundQuestion.objects.bulk_create(
        RoundQuestion(organization=org, round=round_, question=q, position=i) for i, q in enumerate(questions)
    )

    # Who answers: most people; only a few of the low-turnout department.
    low = [p for p in people if (d := department_of.get(p.team_id)) is not None and d.name == LOW_TURNOUT_DEPARTMENT]
    answering = {p.id for p in people if p not in low and rng.random() < 0.82}
    answering |= {low[i].id for i in rng.choice(len(low), size=min(LOW_TURNOUT_PER_ROUND, len(low)), replace=False)}
    Invitation.objects.bulk_create(
        Invitation(
            organization=org,
            round=round_,
            person=p,
            team_id=p.team_id,
            layer=p.layer,
            manager_id=p.manager_id,
            sent_at=opens,
            answered=p.id in answering,
        )
        for p in people
    )

    # Responses (and their guard rows) in a shuffled order: nothing about a response follows
    # from a person's position.
    respondents = [p for p in people if p.id in answering]
    rng.shuffle(respondents)
    invitation_of = dict(
        Invitation.objects.filter(round=round_, person_id__in=answering).values_list("person_id", "pk")
    )
    SubmissionGuard.objects.bulk_create(
        SubmissionGuard(digest=guard_digest(invitation_of[p.id]), organization=org, round=round_) for p in respondents
    )
    responses = Response.objects.bulk_create(
        Response(
            organization=org,
            round=round_,
            team_id=p.team_id,
            layer=p.layer,
            manager_id=p.manager_id,
            submitted_on=(opens + timedelta(days=int(rng.integers(0, survey.open_days)))).date(),
        )
        for p in respondents
    )
    by_key = {q.key: q for q in questions}
    answers: list[Answer] = []
    trend = 0.05 * k
    for response, person in zip(responses, respondents, strict=True):
        layer = person.layer if person.layer in ALIGNMENT_BY_LAYER else Layer.INDIVIDUAL
        # People answer much like they did last time: a stable leaning per person and team,
        # plus a little noise each round.
        leaning = np.random.default_rng([SEED, person.id]).normal(0, [0.3, 0.4, 1.0])
        mood = team_mood.get(person.team_id, 0.0) + leaning[1]
        department = department_of.get(person.team_id)

        def add(question, value=None, response=response, **fields):
            answers.append(Answer(organization=org, response=response, question=question, value=value, **fields))

        for q in questions:
            if q.kind != "likert5":
                continue
            if q.dimension == "alignment":
                mean = ALIGNMENT_BY_LAYER[layer] + team_mood.get(person.team_id, 0.0) + leaning[0] + trend
            elif (department and department.name, q.key) == FALLING:
                mean = 3.7 + leaning[1] - max(0, k - PAST_ROUNDS + 2) * 0.9  # falls in the last two rounds
            else:
                mean = 3.8 + mood
            add(q, int(_likert(rng, mean, 1, 0.45)[0]))
        if "enps" in by_key:
            add(by_key["enps"], int(np.clip(np.rint(rng.normal(ENPS_BY_LAYER[layer] + leaning[2], 0.5)), 0, 10)))
        if "priority-pick" in by_key and ranking:
            if rng.random() < NAMES_TOP_BY_LAYER[layer]:
                picks = [ranking[0], *rng.permutation(ranking[1:])[:2]]
            else:
                picks = list(rng.permutation(ranking[1:])[: int(rng.integers(1, 4))])
            for rank, priority_id in enumerate(picks, start=1):
                add(by_key["priority-pick"], rank, priority_id=int(priority_id))
        if "rate-teams" in by_key:
            for target in depends_on.get(person.team_id, []) + (
                depends_on.get(department.id, []) if department else []
            ):
                weak = department is not None and (department.name, teams[target].name) == WEAK_LINK
                add(
                    by_key["rate-teams"],
                    int(_likert(rng, 2.0 if weak else 3.8 + mood, 1, 0.5)[0]),
                    rated_team_id=target,
                )
        if "comment" in by_key and rng.random() < 0.3:
            answers.append(
                Answer(organization=org, response=response, question=by_key["comment"], text=str(rng.choice(COMMENTS)))
            )
    Answer.objects.bulk_create(answers, batch_size=2000)
    return round_


def seed_northwind() -> int:
    """Create the past rounds (if missing) and recompute every round. Returns rounds created."""
    org = Organization.objects.filter(slug="northwind").first()
    if org is None:
        return 0
    with org_scope(org):
        survey = Survey.objects.filter(organization=org, name=surveys_demo.DEMO_SURVEY).first()
        if survey is None:
            return 0
        created = 0
        with transaction.atomic():
            questions = survey_questions(survey)
            questions += [q for q in ensure_questions(organization=org, keys=EXTRA_KEYS) if q not in questions]
            people = list(Person.objects.filter(organization=org, active=True, team__isnull=False).order_by("id"))
            teams = {t.id: t for t in Team.objects.filter(organization=org)}
            department_of = _department_of(teams)
            depends_on: dict[int, list[int]] = {}
            for a, b in (
                TeamDependency.objects.filter(organization=org).order_by("id").values_list("from_team_id", "to_team_id")
            ):
                depends_on.setdefault(a, []).append(b)
            periods = Priority.objects.filter(level=PriorityLevel.COMPANY).order_by("-period")
            period = periods.values_list("period", flat=True).first()
            ranking = list(periods.filter(period=period).order_by("rank", "id").values_list("id", flat=True))
            for k in range(1, PAST_ROUNDS + 1):
                rng = np.random.default_rng(SEED + k)
                args = (org, survey, k, questions, people, teams, department_of, depends_on, ranking, rng)
                created += _seed_round(*args) is not None
        recompute.recompute_org(organization=org)
    return created


def seed() -> None:
    seed_northwind()


def refresh_organization_signals() -> None:
    """Run the organization-level detectors (reviews' signals) over every demo organization."""
    from peakos.demo import DEMO_SLUGS

    for org in Organization.objects.filter(slug__in=DEMO_SLUGS):
        with org_scope(org):
            signal_sync.run_organization_detectors(org)
