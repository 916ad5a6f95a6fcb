"""Reads of the surveys app. Set-based: a fixed number of queries per page.

Nothing here returns who answered what, nor how many: answered counts are published by
insights' disclosure audit and read through ``insights.selectors`` (``with_answered``,
``round_participation``), which the survey pages and the API call beside these reads.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from peakos.i18n import organization_languages
from peakos.models import Organization, Person, Priority, PriorityLevel, Team, TeamDependency, current_period
from peakos.selectors import subtree_ids, team_tree
from surveys.bank import BANK, SECONDS_PER_KIND, TEMPLATES
from surveys.bank_translations import bank_translations
from surveys.models import (
    Audience,
    BankQuestion,
    Dimension,
    Question,
    QuestionKind,
    Round,
    RoundQuestion,
    Survey,
    SurveyQuestion,
    SurveyTeam,
)
from surveys.sheet import AnswerSheet, SheetItem


def bank_questions() -> list[BankQuestion]:
    """The built-in bank in display order. Rows come from the table (migration 0002);
    any a ``flush`` removed are filled in, unsaved, from surveys/bank.py."""
    rows = {b.key: b for b in BankQuestion.objects.all()}
    return [
        rows.get(key)
        or BankQuestion(
            key=key,
            dimension=dim,
            kind=kind,
            text=text,
            required=required,
            position=i,
            language="en",
            translations=bank_translations(key),
        )
        for i, (key, dim, kind, text, required) in enumerate(BANK)
    ] + [b for key, b in rows.items() if key not in {row[0] for row in BANK}]


def _dependency_teams(organization: Organization, team_id: int | None) -> list[Team]:
    """The teams ``team_id`` depends on (what a rate-a-team question asks about), by name."""
    if team_id is None:
        return []
    return [
        d.to_team
        for d in TeamDependency.objects.filter(organization=organization, from_team_id=team_id)
        .select_related("to_team")
        .order_by("to_team__name")
    ]


def _current_priorities(organization: Organization) -> list[Priority]:
    """The company priorities of this period (what a priority pick offers)."""
    return list(
        Priority.objects.filter(
            organization=organization, level=PriorityLevel.COMPANY, period=current_period()
        ).order_by("rank", "title")
    )


def _assemble(questions: list[Question], *, teams: list[Team], priorities: list[Priority]) -> AnswerSheet:
    items, number = [], 0
    for q in questions:
        # A rate-a-team question without dependencies, or a priority pick without
        # current priorities, has nothing to ask: leave it out.
        if q.kind == QuestionKind.RATE_TEAM and not teams:
            continue
        if q.kind == QuestionKind.PRIORITY_PICK and not priorities:
            continue
        number += 1
        items.append(
            SheetItem(
                number=number,
                question=q,
                teams=teams if q.kind == QuestionKind.RATE_TEAM else [],
                priorities=priorities if q.kind == QuestionKind.PRIORITY_PICK else [],
            )
        )
    return AnswerSheet(items=items)


def _sheet(questions: list[Question], *, organization: Organization, team_id: int | None) -> AnswerSheet:
    kinds = {q.kind for q in questions}
    teams = _dependency_teams(organization, team_id) if QuestionKind.RATE_TEAM in kinds else []
    priorities = _current_priorities(organization) if QuestionKind.PRIORITY_PICK in kinds else []
    return _assemble(questions, teams=teams, priorities=priorities)


def answer_sheet_questions(round: Round) -> list[Question]:
    """The questions ``round`` asks, frozen when it opened."""
    return [
        rq.question for rq in RoundQuestion.objects.filter(round=round).select_related("question").order_by("position")
    ]


# --------------------------------------------------------------------------- the answer-sheet cache
# Every page view and submit of a survey link needs the round's answer sheet. Its questions
# change only when a question of the round is edited, and every edit gives the round a new
# ``sheet_version`` (surveys/services/questions.py), which the link lookup reads with the
# round anyway: so each web process keeps the compiled sheet of the rounds it serves, keyed
# (organization, round, opens_at, sheet_version), and an edit is seen by the next request.
# ``opens_at`` guards against a round id used again after a rollback. The company
# priorities and each team's dependencies are edited elsewhere, without a version: they
# are read again when older than SHEET_REFRESH_SECONDS (and at once when a submit found a
# cached priority or team deleted: ``forget_sheet``).
SHEET_CACHE_SIZE = 512
SHEET_REFRESH_SECONDS = 60.0


@dataclass
class _CompiledRound:
    questions: list[Question]
    asks_teams: bool
    asks_priorities: bool
    priorities: tuple[float, list[Priority]] | None = None  # (read at, priorities)
    teams: dict[int | None, tuple[float, list[Team]]] = field(default_factory=dict)


_SHEETS: OrderedDict[tuple, _CompiledRound] = OrderedDict()
_SHEETS_LOCK = threading.Lock()
_clock = time.monotonic


def _sheet_key(round: Round) -> tuple:
    return (round.organization_id, round.id, round.opens_at, round.sheet_version)


def _compiled_round(round: Round) -> _CompiledRound:
    key = _sheet_key(round)
    with _SHEETS_LOCK:
        entry = _SHEETS.get(key)
        if entry is not None:
            _SHEETS.move_to_end(key)
            return entry
    questions = answer_sheet_questions(round)
    kinds = {q.kind for q in questions}
    entry = _CompiledRound(
        questions=questions,
        asks_teams=QuestionKind.RATE_TEAM in kinds,
        asks_priorities=QuestionKind.PRIORITY_PICK in kinds,
    )
    with _SHEETS_LOCK:
        _SHEETS[key] = entry
        while len(_SHEETS) > SHEET_CACHE_SIZE:
            _SHEETS.popitem(last=False)
    return entry


def answer_sheet(round: Round, *, team_id: int | None, organization: Organization | None = None) -> AnswerSheet:
    """What a respondent of ``round`` in ``team_id`` is asked (from this process's cache)."""
    organization = organization or round.organization
    if organization.pk != round.organization_id:
        raise ValueError("answer_sheet: the round belongs to another organization")
    entry = _compiled_round(round)
    now = _clock()
    priorities: list[Priority] = []
    if entry.asks_priorities:
        cached = entry.priorities
        if cached is None or now - cached[0] > SHEET_REFRESH_SECONDS:
            cached = entry.priorities = (now, _current_priorities(organization))
        priorities = cached[1]
    teams: list[Team] = []
    if entry.asks_teams and team_id is not None:
        cached = entry.teams.get(team_id)
        if cached is None or now - cached[0] > SHEET_REFRESH_SECONDS:
            cached = entry.teams[team_id] = (now, _dependency_teams(organization, team_id))
        teams = cached[1]
    return _assemble(entry.questions, teams=teams, priorities=priorities)


def forget_sheet(round: Round) -> None:
    """Drop this process's cached sheet of ``round`` (the next read compiles it afresh)."""
    with _SHEETS_LOCK:
        _SHEETS.pop(_sheet_key(round), None)


def clear_sheet_cache() -> None:
    with _SHEETS_LOCK:
        _SHEETS.clear()


def preview_team_id(survey: Survey, membership) -> int | None:
    """The team to preview rate-a-team with: the admin's own, else the first team with dependencies."""
    own = Person.objects.filter(user_id=membership.user_id, team__isnull=False).values_list("team_id", flat=True)
    own_id = own.first()
    if own_id and TeamDependency.objects.filter(from_team_id=own_id).exists():
        return own_id
    return TeamDependency.objects.order_by("from_team__name").values_list("from_team_id", flat=True).first() or own_id


def survey_sheet(survey: Survey, *, team_id: int | None) -> AnswerSheet:
    """The sheet the next round of ``survey`` would show (for the preview)."""
    return _sheet(survey_questions(survey), organization=survey.organization, team_id=team_id)


def survey_questions(survey: Survey) -> list[Question]:
    return [
        sq.question
        for sq in SurveyQuestion.objects.filter(survey=survey).select_related("question").order_by("position")
    ]


def missing_languages(questions: list[Question], organization: Organization) -> dict[int, list[str]]:
    """Question id -> the organization's languages it has no wording in (their readers get
    the default language's, or the question's own). Only questions missing some."""
    offered = organization_languages(organization)
    out = {}
    for q in questions:
        missing = [code for code in offered if code not in q.languages_written()]
        if missing:
            out[q.id] = missing
    return out


def estimated_minutes(questions: list[Question]) -> int:
    seconds = sum(SECONDS_PER_KIND.get(q.kind, 10) for q in questions)
    return max(1, -(-seconds // 60))


def audience_people(survey: Survey) -> list[tuple[int, int | None, str, int | None]]:
    """(person id, team id, layer, manager id) of everyone a round of ``survey`` goes to now."""
    people = Person.objects.filter(organization=survey.organization, active=True)
    if survey.audience == Audience.TEAMS:
        tree = team_tree(survey.organization)
        team_ids: set[int] = set()
        for root in SurveyTeam.objects.filter(survey=survey).values_list("team_id", flat=True):
            team_ids |= subtree_ids(tree, root)
        people = people.filter(team_id__in=team_ids)
    return list(people.order_by("id").values_list("id", "team_id", "layer", "manager_id"))


def surveys_overview(organization: Organization) -> list[Survey]:
    """Every survey with its round count and latest round (two queries)."""
    surveys = list(
        Survey.objects.filter(organization=organization)
        .annotate(round_count=Count("rounds"), question_count=Count("survey_questions", distinct=True))
        .order_by("-active", "name")
    )
    latest_ids = (
        Round.objects.filter(organization=organization)
        .values("survey_id")
        .annotate(latest=Max("id"))
        .values_list("latest", flat=True)
    )
    latest = {r.survey_id: r for r in rounds_with_counts(Round.objects.filter(id__in=list(latest_ids)))}
    for s in surveys:
        s.latest_round = latest.get(s.id)
    return surveys


def rounds_with_counts(qs) -> list[Round]:
    """Rounds annotated with ``sent`` (invitations sent), newest first. How many answered is
    published by insights (``insights.selectors.with_answered``), not counted here."""
    return list(
        qs.annotate(sent=Count("invitations", filter=Q(invitations__sent_at__isnull=False))).order_by("-number")
    )


@dataclass
class CatalogEntry:
    key: str
    dimension: str
    kind: str
    text: str
    required: bool
    question: Question | None  # the organization's current version, if it has one
    from_bank: bool


def question_catalog(organization: Organization) -> dict[str, list[CatalogEntry]]:
    """Bank questions (with the organization's current wording when it has a copy)
    and the organization's own questions, grouped by dimension label."""
    own = {q.key: q for q in Question.objects.filter(organization=organization, active=True)}
    entries: list[CatalogEntry] = []
    for b in bank_questions():
        q = own.pop(b.key, None)
        entries.append(
            CatalogEntry(
                key=b.key,
                dimension=b.dimension,
                kind=b.kind,
                text=q.text if q else b.text,
                required=q.required if q else b.required,
                question=q,
                from_bank=True,
            )
        )
    for q in sorted(own.values(), key=lambda q: q.created_at):
        entries.append(CatalogEntry(q.key, q.dimension, q.kind, q.text, q.required, q, False))
    grouped: dict[str, list[CatalogEntry]] = defaultdict(list)
    order = {d: i for i, d in enumerate(Dimension.values)}
    for e in sorted(entries, key=lambda e: order.get(e.dimension, 99)):
        grouped[Dimension(e.dimension).label].append(e)
    return dict(grouped)


def question_versions(question: Question) -> list[Question]:
    return list(
        Question.objects.filter(organization=question.organization, key=question.key)
        .annotate(answer_count=Count("answers"))
        .order_by("-version")
    )


def templates() -> list[dict]:
    bank = {b.key: b for b in bank_questions()}
    return [
        {"key": key, "label": label, "questions": [bank[k] for k in keys if k in bank]}
        for key, (label, keys) in TEMPLATES.items()
    ]


def scheduler_running() -> bool:
    """Whether Celery beat has had the survey tick run lately (its heartbeat, three intervals' grace).

    Without beat nothing opens, reminds or closes rounds on time, so the survey page says so
    instead of promising a time nobody keeps.
    """
    from django.conf import settings

    from peakos.selectors import heartbeat_is_fresh
    from surveys.tasks import SCHEDULER_HEARTBEAT

    interval = float(settings.CELERY_BEAT_SCHEDULE["surveys-tick"]["schedule"])
    return heartbeat_is_fresh(SCHEDULER_HEARTBEAT, max_age_seconds=max(3 * interval, 180.0))
