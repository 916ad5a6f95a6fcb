"""Recompute: score a round (or every round of an organization) and store the results.

``recompute_round`` is the heart: it loads the round's answers (``insights.storage``: one
statement, numeric answers keyed by response, no person), lets
``insights.engine.compute_round`` score every scope, and replaces the round's stored
results — snapshots, participation, priority alignment, coordination cells, signals — in
ONE transaction: a crash half-way leaves the previous results untouched, and running it
twice stores the same rows. ``recompute_org`` is the backfill: every round, one read, one
write transaction.

Callers run inside the organization's scope (``peakos.tenancy.org_scope``): tasks and
commands take ids and set it; storage's raw SQL filters by organization explicitly too.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from insights import detectors, engine, releases, signal_sync, storage
from insights.models import Release, ScoreState, SignalSettings
from insights.storage import LAYERS
from insights.vocabulary import ScopeKey
from peakos.models import Organization, Priority, PriorityLevel, Team, TeamDependency
from surveys.models import Dimension, Question, Round, RoundQuestion, RoundStatus

COMPUTED_STATUSES = (RoundStatus.OPEN, RoundStatus.CLOSED)


@dataclass
class OrgData:
    """What every round of an organization shares; loaded once per recompute."""

    organization: Organization
    teams: list[tuple[int, int | None, str]]
    team_names: dict[int, str]
    tree: engine.Tree
    dependencies: list[tuple[int, int]]
    settings: SignalSettings
    # Filled by a backfill (see ``prefetch``): per-round reads done once for all rounds.
    invitations: dict[int, np.ndarray] | None = None
    round_questions: dict[int, set[int]] | None = None
    releases: dict[int, list[Release]] | None = None
    questions: dict[int, engine.Question] = field(default_factory=dict)
    rankings: dict[tuple[int, ...], list[int]] = field(default_factory=dict)

    def prefetch(self, rounds: Sequence[Round]) -> None:
        """Invitation counts and round questions of all the rounds, in one statement each."""
        round_ids = [r.pk for r in rounds]
        self.invitations = storage.invitation_counts(self.organization.pk, round_ids)
        self.releases = {pk: [] for pk in round_ids}
        for release in Release.objects.filter(round_id__in=round_ids).order_by("round_id", "number"):
            self.releases[release.round_id].append(release)
        self.round_questions = {pk: set() for pk in round_ids}
        for round_id, question_id in RoundQuestion.objects.filter(round_id__in=round_ids).values_list(
            "round_id", "question_id"
        ):
            self.round_questions[round_id].add(question_id)

    def releases_of(self, round_: Round) -> list[Release]:
        if self.releases is not None and round_.pk in self.releases:
            return self.releases[round_.pk]
        return list(Release.objects.filter(round=round_).order_by("number"))

    @classmethod
    def load(cls, organization: Organization) -> OrgData:
        rows = list(Team.objects.filter(organization=organization).values_list("id", "parent_id", "kind", "name"))
        teams = [(r[0], r[1], r[2]) for r in rows]
        return cls(
            organization=organization,
            teams=teams,
            team_names={r[0]: r[3] for r in rows},
            tree=engine.build_tree(teams),
            dependencies=list(
                TeamDependency.objects.filter(organization=organization).values_list("from_team_id", "to_team_id")
            ),
            settings=SignalSettings.for_organization(organization),
        )


def _questions(round_: Round, answers: np.ndarray, org: OrgData | None = None) -> dict[int, engine.Question]:
    if org is not None and org.round_questions is not None and round_.pk in org.round_questions:
        ids = set(org.round_questions[round_.pk])
    else:
        ids = set(RoundQuestion.objects.filter(round=round_).values_list("question_id", flat=True))
    ids.update(np.unique(answers[:, 1]).tolist())
    known = org.questions if org is not None else {}
    missing = ids - known.keys()
    if missing:
        for q in Question.objects.filter(id__in=missing).values_list("id", "key", "dimension", "kind"):
            known[q[0]] = engine.Question(*q)
    return {i: known[i] for i in ids if i in known}


def _leadership_ranking(answers: np.ndarray, org: OrgData | None = None) -> list[int]:
    """Leadership's ranking: the company priorities of the period the respondents picked from, by rank."""
    picked = np.unique(answers[answers[:, 4] > 0, 4]).tolist()
    if not picked:
        return []
    if org is None:
        return _ranking_of(picked)
    key = tuple(picked)
    if key not in org.rankings:
        org.rankings[key] = _ranking_of(picked)
    return list(org.rankings[key])


def _ranking_of(picked: list[int]) -> list[int]:
    periods = Counter(Priority.objects.filter(id__in=picked).values_list("period", flat=True))
    if not periods:
        return []
    period = periods.most_common(1)[0][0]
    return list(
        Priority.objects.filter(level=PriorityLevel.COMPANY, period=period)
        .order_by("rank", "id")
        .values_list("id", flat=True)
    )


def previous_round(round_: Round) -> Round | None:
    """The survey's round before this one (by number)."""
    return Round.objects.filter(survey_id=round_.survey_id, number__lt=round_.number).order_by("-number").first()


def load_round(
    round_: Round,
    org: OrgData,
    previous_scores: dict[tuple[ScopeKey, str], float] | None = None,
    data: tuple[np.ndarray, np.ndarray] | None = None,
    plan: releases.ReleasePlan | None = None,
) -> engine.RoundInput:
    """Everything the engine needs for one round. ``previous_scores`` defaults to the stored
    snapshots of the survey's previous round (for deltas); ``data`` is (responses, answers)
    when already loaded (see ``storage.load_rounds_data``); ``plan`` how to publish (the round's
    releases by default)."""
    if data is None:
        _, responses, answers = next(storage.load_rounds_data([round_]))
    else:
        responses, answers = data
    if plan is None:
        plan = releases.release_plan(round_, org.releases_of(round_), responses[:, 3])
    if plan.keep is not None:
        responses = responses[plan.keep]
    responses = responses[:, :3]
    if previous_scores is None:
        previous_scores = storage.load_scores(previous_round(round_))
    teams = plan.teams if plan.teams is not None else org.teams
    return engine.RoundInput(
        batch=plan.batch,
        batches=plan.batches,
        level=plan.level,
        final=plan.final,
        history=plan.history,
        teams=teams,
        layers=LAYERS,
        responses=responses,
        answers=answers,
        questions=_questions(round_, answers, org),
        invitations=(
            org.invitations[round_.pk]
            if org.invitations is not None and round_.pk in org.invitations
            else storage.load_invitations(round_)
        ),
        threshold=round_.effective_anonymity_threshold,
        comment_threshold=round_.effective_comment_threshold,
        dimensions=list(Dimension.values),
        leadership_ranking=_leadership_ranking(answers, org),
        previous_scores=previous_scores,
        driver_min_respondents=org.settings.driver_min_respondents,
        dependencies=org.dependencies,
        tree=org.tree if plan.teams is None else None,
    )


@dataclass
class RecomputeReport:
    round_id: int
    scopes: int
    rows: int
    signals: int
    seconds: float
    result: engine.RoundResult | None = None


def is_recomputable(round_: Round) -> bool:
    """Whether a recompute may replace the round's stored results: it has been sent, and
    retention has not deleted its raw answers (then the stored results must stay)."""
    return round_.status in COMPUTED_STATUSES and round_.raw_answers_deleted_on is None


def recompute_round(
    *,
    round_: Round,
    org: OrgData | None = None,
    previous_scores: dict[tuple[ScopeKey, str], float] | None = None,
    organization_detectors: bool = True,
    data: tuple[np.ndarray, np.ndarray] | None = None,
) -> RecomputeReport | None:
    """Recompute and store every result of one round; idempotent.

    A scheduled round (nothing sent yet) is left alone and returns None, and so is a
    round whose raw answers retention deleted (``raw_answers_deleted_on``): its stored
    results are all that is left, and scoring an empty round would wipe them. The
    loading and scoring happen before the transaction; the transaction locks the
    round row (so two workers recomputing the same round take turns), replaces
    the results that changed (:func:`sync_rows`) and syncs its signals.
    """
    started = time.perf_counter()
    if not is_recomputable(round_):
        return None
    org = org or OrgData.load(round_.organization)
    if round_.status == RoundStatus.OPEN:
        releases.release_pending(round_)
    if data is None:
        _, responses, answers = next(storage.load_rounds_data([round_]))
    else:
        responses, answers = data
    plan = releases.release_plan(round_, list(Release.objects.filter(round=round_).order_by("number")), responses[:, 3])
    result = engine.compute_round(load_round(round_, org, previous_scores, (responses, answers), plan))
    found = signal_sync.detect_round_signals(round_, org, result)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Derived data: if the server crashed right after this commit, a rerun rebuilds
            # it, so do not wait for the WAL flush (atomicity is unaffected).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        locked = Round.objects.select_for_update().filter(pk=round_.pk).values("raw_answers_deleted_on").first()
        if locked is None or locked["raw_answers_deleted_on"] is not None:
            # Retention ran while this was scoring: keep the stored results.
            transaction.set_rollback(True)
            return None
        digests = ScoreState.objects.filter(round=round_).values_list("digests", flat=True).first() or {}
        rows = storage.replace_results(round_, result, digests)
        if plan.deciding is not None:
            Release.objects.filter(pk=plan.deciding.pk, published__isnull=True).update(
                published=releases.published_keys(result.released)
            )
        signals = signal_sync.sync_signals(organization=round_.organization, round_=round_, found=found)
        record_score_state(round_, len(responses), digests)
    if organization_detectors:
        signal_sync.run_organization_detectors(round_.organization)
    return RecomputeReport(round_.pk, len(result.scopes), rows, signals, time.perf_counter() - started, result)


def record_score_state(round_: Round, responses_scored: int, digests: dict[str, str]) -> None:
    """Remember how many responses the round's results now stand on (the sweep's yardstick),
    and the fingerprints of the rows written (``storage.replace_results``).

    Called inside the transaction that writes the results, so the two never disagree:
    answers that arrived after the data was loaded make the count fall short, and the
    next sweep recomputes the round again.
    """
    ScoreState.objects.update_or_create(
        round=round_,
        defaults={"responses_scored": responses_scored, "scored_at": timezone.now(), "digests": digests},
        create_defaults={
            "organization_id": round_.organization_id,
            "responses_scored": responses_scored,
            "scored_at": timezone.now(),
            "digests": digests,
        },
    )


# A backfill reads the answers of this many rounds per statement (None: all in one pass, about
# 40 bytes an answer held at once). Rounds are written in round order, so a round's answers sit
# together in the heap and a per-round join reads few pages: 2 rounds per read keep a worker
# under 200 MB on the 2M-answer bench for ~10 % more time than one pass (356 MB).
BACKFILL_READ_ROUNDS: int | None = 2


def recompute_org(
    *, organization: Organization, progress: Callable[[int, int, Round], None] | None = None
) -> list[RecomputeReport]:
    """Recompute every open or closed round of an organization, oldest first per survey
    (each round's deltas use the previous round's fresh results). For backfills.

    Reads the organization's answers a few rounds at a time (``BACKFILL_READ_ROUNDS``), scores
    every round, then replaces all rounds' results in ONE transaction (rounds locked,
    one DELETE and, on PostgreSQL, one COPY per table; signals synced per round):
    a crash leaves every round with its previous results. Results are kept as COPY
    text between scoring and writing (about 150 bytes a row), not as objects.

    Rounds whose raw answers retention deleted keep their stored results (see
    ``is_recomputable``); the next round's deltas read those stored scores.
    """
    org = OrgData.load(organization)
    every = list(
        Round.objects.filter(organization=organization, status__in=COMPUTED_STATUSES)
        .select_related("organization")
        .order_by("survey_id", "number")
    )
    rounds = [r for r in every if is_recomputable(r)]
    # The latest kept round before each recomputed one, when it is a kept one: its stored scores.
    kept_before: dict[int, Round] = {}
    previous_kept: dict[int, Round | None] = {}
    for r in every:
        if is_recomputable(r):
            if previous_kept.get(r.survey_id) is not None:
                kept_before[r.pk] = previous_kept[r.survey_id]
            previous_kept[r.survey_id] = None
        else:
            previous_kept[r.survey_id] = r
    org.prefetch(rounds)
    postgres = connection.vendor == "postgresql"
    reports: list[RecomputeReport] = []
    found_by_round: list[tuple[Round, list[detectors.Detected]]] = []
    # PostgreSQL: (model, column names) -> COPY text chunks; elsewhere: (model, columns) per round.
    pending: dict[tuple, list[str]] = {}
    pending_rows: list[tuple] = []
    last: dict[int, engine.RoundResult] = {}
    deciding: list[tuple[Release, dict]] = []
    scored_counts: list[tuple[Round, int, dict[str, str]]] = []
    for i, (round_, responses, answers) in enumerate(
        storage.load_rounds_data(rounds, batch=BACKFILL_READ_ROUNDS), start=1
    ):
        started = time.perf_counter()
        previous = last.get(round_.survey_id)
        if round_.pk in kept_before:
            previous_scores = storage.load_scores(kept_before[round_.pk])
        else:
            previous_scores = previous.shown_scores() if previous is not None else None
        plan = releases.release_plan(round_, org.releases_of(round_), responses[:, 3])
        result = engine.compute_round(load_round(round_, org, previous_scores, (responses, answers), plan))
        if plan.deciding is not None:
            deciding.append((plan.deciding, releases.published_keys(result.released)))
        found_by_round.append((round_, signal_sync.detect_round_signals(round_, org, result)))
        rows = 0
        digests = {}
        for model, columns, fingerprint in storage.result_columns(round_, result):
            digests[model._meta.label] = fingerprint
            n = len(next(iter(columns.values()))) if columns else 0
            if not n:
                continue
            rows += n
            if postgres:
                pending.setdefault((model, tuple(columns)), []).append(storage.copy_text(model, columns))
            else:
                pending_rows.append((model, columns))
        last[round_.survey_id] = result
        scored_counts.append((round_, len(responses), digests))
        reports.append(RecomputeReport(round_.pk, len(result.scopes), rows, 0, time.perf_counter() - started))
        if progress is not None:
            progress(i, len(rounds), round_)
    if rounds:
        try:
            _write_backfill(
                organization, rounds, pending, pending_rows, deciding, reports, found_by_round, scored_counts
            )
        except _RetentionRanMeanwhileError:
            return recompute_org(organization=organization, progress=progress)
    signal_sync.run_organization_detectors(organization)
    return reports


class _RetentionRanMeanwhileError(Exception):
    """Retention deleted a round's raw answers while a backfill was scoring it."""


def _write_backfill(
    organization, rounds, pending, pending_rows, deciding, reports, found_by_round, scored_counts
) -> None:
    """The backfill's one write transaction (see ``recompute_org``)."""
    postgres = connection.vendor == "postgresql"
    with transaction.atomic():
        if postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")  # derived data, see recompute_round
        round_ids = [r.pk for r in rounds]
        locked = Round.objects.select_for_update().filter(pk__in=round_ids).order_by("pk")
        if any(deleted is not None for deleted in locked.values_list("raw_answers_deleted_on", flat=True)):
            raise _RetentionRanMeanwhileError  # rolls back; never wipe a round whose answers are gone
        storage.delete_results(round_ids)
        for (model, names), chunks in pending.items():
            storage.copy_into(model, names, chunks)
        for model, columns in pending_rows:
            storage.insert_columns(model, columns)
        for release, published in deciding:
            Release.objects.filter(pk=release.pk, published__isnull=True).update(published=published)
        for report, (round_, found) in zip(reports, found_by_round, strict=True):
            report.signals = signal_sync.sync_signals(organization=organization, round_=round_, found=found)
        for round_, count, digests in scored_counts:
            record_score_state(round_, count, digests)
