"""Reads for the leaders' dashboards (issue 6): the engine's stored rows, never raw answers
(except comment text, under the engine's released-comment rule).

Every function is one query (or two for a paged list), whatever the number of teams:
dashboards ask for a round and a set of scopes, and get plain values back. Visibility is
applied twice: the caller chooses the scopes it may show, and every query is also
filtered by ``peakos.permissions.visible_scopes_filter`` / ``visible_coordination_filter``
for the :class:`Viewer` (the member and their visible teams, looked up once per request).

A suppressed row stores no values (database rule), so what comes back for it is
``suppressed=True`` and ``None`` figures: there is no number to leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from insights.models import (
    TEAM_SCOPE_KINDS,
    CoordinationCell,
    Participation,
    PriorityAlignment,
    ScopeKind,
    Signal,
    SignalStatus,
    Snapshot,
)
from insights.vocabulary import ScopeKey
from peakos import permissions
from peakos.models import Membership, Organization, Priority, PriorityLevel, Team, TeamDependency, TeamKind
from peakos.selectors import TeamTree
from surveys.models import Answer, QuestionKind, Round, RoundStatus


@dataclass(frozen=True)
class TeamNode:
    """What the dashboards need of a team: a light stand-in for ``Team`` in a ``TeamTree``."""

    id: int
    name: str
    kind: str
    parent_id: int | None
    archived: bool

    def get_kind_display(self) -> str:
        return TeamKind(self.kind).label

    def __str__(self) -> str:
        return self.name


def team_tree(organization: Organization) -> TeamTree:
    """``peakos.selectors.team_tree`` without head counts and model instances: one light query
    (a page of an 800-team organization reads it on every request)."""
    rows = (
        Team.objects.filter(organization=organization)
        .order_by("name")
        .values_list("id", "name", "kind", "parent_id", "archived")
    )
    return TeamTree.from_teams({r[0]: TeamNode(*r) for r in rows})


@dataclass(frozen=True)
class Viewer:
    """Who reads: a membership and its ``permissions.visible_team_ids`` (None: every team)."""

    membership: Membership
    visible: frozenset[int] | None

    @classmethod
    def of(cls, membership: Membership, *, tree=None) -> Viewer:
        visible = permissions.visible_team_ids(membership, tree=tree)
        return cls(membership, None if visible is None else frozenset(visible))

    def scopes_q(self) -> Q:
        return permissions.visible_scopes_filter(self.membership, visible=self.visible)

    def coordination_q(self) -> Q:
        return permissions.visible_coordination_filter(self.membership, visible=self.visible)


# --------------------------------------------------------------------------
# Rounds
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundInfo:
    id: int
    number: int
    survey_id: int
    survey_name: str
    opens_at: datetime
    closes_at: datetime
    status: str
    anonymity_threshold: int
    comment_threshold: int

    @property
    def label(self) -> str:
        return f"{self.survey_name} #{self.number}"


def rounds_with_results(organization: Organization) -> list[RoundInfo]:
    """Rounds the engine has computed (they have participation rows), newest first."""
    computed = Participation.objects.filter(round_id=OuterRef("pk"))
    rows = (
        Round.objects.filter(organization=organization, status__in=(RoundStatus.OPEN, RoundStatus.CLOSED))
        .filter(Exists(computed))
        .order_by("-opens_at", "-number")
        .values_list(
            "id",
            "number",
            "survey_id",
            "survey__name",
            "opens_at",
            "closes_at",
            "status",
            "anonymity_threshold",
            "comment_threshold",
        )[:500]
    )
    return [
        RoundInfo(
            id=r[0],
            number=r[1],
            survey_id=r[2],
            survey_name=r[3],
            opens_at=r[4],
            closes_at=r[5],
            status=r[6],
            # Frozen at the first response; until then the organization's current values apply.
            anonymity_threshold=r[7] or organization.anonymity_threshold,
            comment_threshold=r[8] or organization.comment_threshold,
        )
        for r in rows
    ]


def previous_round(rounds: list[RoundInfo], current: RoundInfo) -> RoundInfo | None:
    """The survey's round before ``current`` among ``rounds`` (for "change since the last round")."""
    earlier = [r for r in rounds if r.survey_id == current.survey_id and r.number < current.number]
    return max(earlier, key=lambda r: r.number) if earlier else None


def survey_rounds(rounds: list[RoundInfo], current: RoundInfo) -> list[RoundInfo]:
    """The survey's rounds up to ``current``, oldest first (the x-axis of trends)."""
    return sorted(
        (r for r in rounds if r.survey_id == current.survey_id and r.number <= current.number),
        key=lambda r: r.number,
    )


# --------------------------------------------------------------------------
# Scopes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """Which scopes to read: the organization, layers, depths and/or some teams' scopes."""

    organization: bool = False
    layers: tuple[str, ...] = ()
    depths: bool = False
    team_ids: frozenset[int] = frozenset()
    all_teams: bool = False  # every team scope (still limited to what the member sees)

    def q(self) -> Q:
        q = Q(pk__in=[])
        if self.all_teams:
            q |= Q(scope_kind__in=TEAM_SCOPE_KINDS)
        if self.organization:
            q |= Q(scope_kind=ScopeKind.ORGANIZATION)
        if self.layers:
            q |= Q(scope_kind=ScopeKind.LAYER, layer__in=self.layers)
        if self.depths:
            q |= Q(scope_kind=ScopeKind.DEPTH)
        if self.team_ids:
            q |= Q(scope_kind__in=TEAM_SCOPE_KINDS, team_id__in=sorted(self.team_ids))
        return q


def _key(kind: str, team_id: int | None, layer: str, depth: int | None) -> ScopeKey:
    return ScopeKey(kind, team_id, layer or "", depth)


@dataclass(frozen=True)
class Score:
    """One stored snapshot: a dimension's figures for a round and scope (None when suppressed)."""

    round_id: int
    scope: ScopeKey
    dimension: str
    suppressed: bool
    respondents: int | None
    score: float | None
    mean: float | None
    favorable_share: float | None
    spread: float | None
    delta: float | None
    gap: float | None
    # Pearson r of the dimension with eNPS / alignment across respondents; None below the
    # organization's driver minimum, for the dimension against itself, or when suppressed.
    driver_enps: float | None = None
    driver_alignment: float | None = None


def snapshots(
    round_ids: Iterable[int],
    selection: Selection,
    viewer: Viewer,
    *,
    dimensions: Iterable[str] | None = None,
    also: tuple[Selection, Iterable[str]] | None = None,
) -> dict[tuple[int, ScopeKey, str], Score]:
    """(round id, scope, dimension) → Score for the selected scopes the member may see.

    ``also``: more scopes, read for the given dimensions only, in the same query (trends
    compare one dimension across layers and teams)."""
    wanted = selection.q()
    if dimensions is not None:
        wanted &= Q(dimension__in=list(dimensions))
    if also is not None:
        wanted |= also[0].q() & Q(dimension__in=list(also[1]))
    qs = Snapshot.objects.filter(round_id__in=list(round_ids)).filter(wanted).filter(viewer.scopes_q())
    rows = qs.order_by().values_list(
        "round_id",
        "scope_kind",
        "team_id",
        "layer",
        "depth",
        "dimension",
        "suppressed",
        "respondents",
        "score",
        "mean",
        "favorable_share",
        "spread",
        "delta",
        "gap",
        "driver_enps",
        "driver_alignment",
    )
    out = {}
    for r in rows:
        key = _key(r[1], r[2], r[3], r[4])
        out[(r[0], key, r[5])] = Score(r[0], key, r[5], r[6], *r[7:])
    return out


@dataclass(frozen=True)
class Turnout:
    """Participation of a round and scope. ``rate`` 0–1; None figures when suppressed."""

    round_id: int
    scope: ScopeKey
    suppressed: bool
    respondents: int | None
    invited: int | None
    rate: float | None
    comments_released: bool


def participation(
    round_ids: Iterable[int], selection: Selection, viewer: Viewer
) -> dict[tuple[int, ScopeKey], Turnout]:
    """(round id, scope) → Turnout for the selected scopes the member may see."""
    rows = (
        Participation.objects.filter(round_id__in=list(round_ids))
        .filter(selection.q())
        .filter(viewer.scopes_q())
        .order_by()
        .values_list(
            "round_id",
            "scope_kind",
            "team_id",
            "layer",
            "depth",
            "suppressed",
            "respondents",
            "invited",
            "rate",
            "comments_released",
        )
    )
    out = {}
    for r in rows:
        key = _key(r[1], r[2], r[3], r[4])
        out[(r[0], key)] = Turnout(r[0], key, *r[5:])
    return out


@dataclass(frozen=True)
class PriorityPicks:
    """How a scope's respondents picked priorities (None figures when suppressed)."""

    scope: ScopeKey
    suppressed: bool
    respondents: int | None
    top_priority_id: int | None
    top_priority_share: float | None
    top_overlap: float | None
    pick_counts: dict[int, int] | None


def priority_alignment(round_id: int, selection: Selection, viewer: Viewer) -> dict[ScopeKey, PriorityPicks]:
    rows = (
        PriorityAlignment.objects.filter(round_id=round_id)
        .filter(selection.q())
        .filter(viewer.scopes_q())
        .order_by()
        .values_list(
            "scope_kind",
            "team_id",
            "layer",
            "depth",
            "suppressed",
            "respondents",
            "top_priority_id",
            "top_priority_share",
            "top_overlap",
            "pick_counts",
        )
    )
    out = {}
    for r in rows:
        key = _key(*r[:4])
        counts = None if r[9] is None else {int(k): int(v) for k, v in r[9].items()}
        out[key] = PriorityPicks(key, r[4], r[5], r[6], r[7], r[8], counts)
    return out


@dataclass(frozen=True)
class PriorityInfo:
    id: int
    title: str
    level: str
    period: str
    rank: int


def priorities_for(top_priority_id: int | None, picked_ids: Iterable[int]) -> tuple[list[PriorityInfo], dict]:
    """Leadership's ranking (the company priorities of the top priority's period, by rank)
    and every picked priority by id, in one query."""
    ids = set(picked_ids)
    q = Q(id__in=sorted(ids))
    period = None
    if top_priority_id is not None:
        q |= Q(id=top_priority_id)
        period = Priority.objects.filter(id=top_priority_id).values("period")[:1]
        q |= Q(level=PriorityLevel.COMPANY, period__in=period)
    rows = Priority.objects.filter(q).order_by("rank", "title").values_list("id", "title", "level", "period", "rank")
    by_id = {r[0]: PriorityInfo(*r) for r in rows}
    top = by_id.get(top_priority_id)
    ranking = [
        p for p in by_id.values() if top is not None and p.level == PriorityLevel.COMPANY and p.period == top.period
    ]
    return ranking, by_id


# --------------------------------------------------------------------------
# Coordination
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A declared dependency: ``from_team`` depends on ``to_team``."""

    from_team_id: int
    to_team_id: int


def dependencies(team_ids: Iterable[int] | None) -> list[Link]:
    """Dependencies touching ``team_ids`` (None: all of the organization in scope)."""
    qs = TeamDependency.objects.all()
    if team_ids is not None:
        ids = sorted(team_ids)
        qs = qs.filter(Q(from_team_id__in=ids) | Q(to_team_id__in=ids))
    return [Link(a, b) for a, b in qs.order_by("from_team_id", "to_team_id").values_list("from_team_id", "to_team_id")]


@dataclass(frozen=True)
class Cell:
    """How ``rater_team_id``'s subtree rates ``rated_team_id`` (rater None: every rating received)."""

    rater_team_id: int | None
    rated_team_id: int
    suppressed: bool
    respondents: int | None
    mean: float | None
    score: float | None


def coordination_cells(
    round_id: int, links: Iterable[Link], viewer: Viewer
) -> tuple[dict[tuple[int, int], Cell], dict[int, Cell]]:
    """The cells of the given dependencies and the received totals of their targets:
    ({(rater, rated): Cell}, {rated: Cell}). One query."""
    links = list(links)
    raters = sorted({link.from_team_id for link in links})
    rated = sorted({link.to_team_id for link in links} | set(raters))
    if not links:
        return {}, {}
    rows = (
        CoordinationCell.objects.filter(round_id=round_id)
        .filter(
            Q(rater_team__isnull=True, rated_team_id__in=rated) | Q(rater_team_id__in=raters, rated_team_id__in=rated)
        )
        .filter(viewer.coordination_q())
        .order_by()
        .values_list("rater_team_id", "rated_team_id", "suppressed", "respondents", "mean", "score")
    )
    cells, received = {}, {}
    for r in rows:
        cell = Cell(*r)
        if cell.rater_team_id is None:
            received[cell.rated_team_id] = cell
        else:
            cells[(cell.rater_team_id, cell.rated_team_id)] = cell
    return cells, received


# --------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalRow:
    id: int
    kind: str
    kind_label: str
    severity: str
    title: str
    scope: ScopeKey
    dimension: str
    detected_at: datetime


SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def open_signals(
    viewer: Viewer, *, round_id: int | None, selection: Selection, limit: int = 50
) -> tuple[list[SignalRow], int]:
    """Open signals of the round (and those tied to no round, from reviews) in the selected
    scopes, most severe first; and how many there are in all."""
    qs = (
        Signal.objects.filter(status=SignalStatus.OPEN)
        .filter(Q(round_id=round_id) | Q(round__isnull=True))
        .filter(selection.q())
        .filter(viewer.scopes_q())
    )
    rows = list(
        qs.order_by("-detected_at", "kind", "key").values_list(
            "id", "kind", "severity", "title", "scope_kind", "team_id", "layer", "depth", "dimension", "detected_at"
        )[:500]
    )
    labels = dict(Signal._meta.get_field("kind").choices)
    found = [
        SignalRow(r[0], r[1], labels.get(r[1], r[1]), r[2], r[3], _key(r[4], r[5], r[6], r[7]), r[8], r[9])
        for r in rows
    ]
    found.sort(key=lambda s: SEVERITY_ORDER.get(s.severity, 3))  # stable: newest first within a severity
    return found[:limit], len(found)


# --------------------------------------------------------------------------
# Comments
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Comment:
    text: str
    question: str


def comments_released(round_: RoundInfo, scope: ScopeKey, viewer: Viewer) -> Turnout | None:
    """The scope's participation row when its comments may be read, else None.

    The engine's rule, stored on Participation: at least the round's comment threshold of
    respondents, not suppressed, and no smaller group derivable by subtraction
    (``comments_released``). Checked again here against the frozen threshold.
    """
    turnout = participation([round_.id], _selection_of(scope), viewer).get((round_.id, scope))
    if turnout is None or turnout.suppressed or not turnout.comments_released:
        return None
    if (turnout.respondents or 0) < max(round_.comment_threshold, round_.anonymity_threshold):
        return None
    return turnout


def _selection_of(scope: ScopeKey) -> Selection:
    if scope.kind == ScopeKind.ORGANIZATION:
        return Selection(organization=True)
    if scope.kind == ScopeKind.LAYER:
        return Selection(layers=(scope.layer,))
    if scope.kind == ScopeKind.DEPTH:
        return Selection(depths=True)
    return Selection(team_ids=frozenset({scope.team}))


def comments(
    round_id: int,
    *,
    team_ids: Iterable[int] | None,
    layer: str = "",
    search: str = "",
    offset: int = 0,
    limit: int = 50,
) -> tuple[list[Comment], int]:
    """Free-text answers of a round's responses in a scope: responses of ``team_ids`` (None:
    the whole organization) or of one ``layer``. By text, with no date: neither the day nor the
    order of submission is shown, since either could be matched to who answered when.

    The CALLER checks ``comments_released`` first: this reads text, not a stored aggregate.
    Only the text, the question and the day are returned, never the respondent's team or layer.
    """
    qs = Answer.objects.filter(response__round_id=round_id, question__kind=QuestionKind.TEXT).exclude(text="")
    if team_ids is not None:
        qs = qs.filter(response__team_id__in=sorted(team_ids))
    if layer:
        qs = qs.filter(response__layer=layer)
    if search:
        qs = qs.filter(text__icontains=search)
    total = qs.count()
    rows = qs.order_by("text", "question__text").values_list("text", "question__text")[offset : offset + limit]
    return [Comment(*r) for r in rows], total
