"""The read layer of insights: every read of the engine's stored results goes through here.

Dashboards, the reviews' evidence, the survey pages' participation and the engine's own
deltas read these functions; nothing else queries the result tables (the REST API's
viewsets filter the same rows with the same ``peakos.permissions`` rules). Set-based: each
function is one query (two for a paged list) whatever the number of teams.

The read model
--------------
Every result belongs to one round and one *scope* (``insights.vocabulary.ScopeKey``: kind
+ team id, layer or depth; see ``insights.models``):

=====================  ================================================================
``Snapshot``           round × scope × dimension: ``vocabulary.SNAPSHOT_FIGURES`` (score
                       0–100, eNPS −100..100; mean, shares, spread, respondents, delta,
                       gap, drivers) → :class:`SnapshotRow`
``Participation``      round × scope: respondents, invited, rate, comments released →
                       :class:`Turnout` (and :func:`published_turnout` for other apps)
``PriorityAlignment``  round × scope: share naming leadership's top priority, top-3
                       overlap, pick counts → :class:`PriorityPicks`
``CoordinationCell``   round × (rater subtree → rated team); rater None = received total
                       → :class:`Cell`
``Signal``             findings with their figures; ``round`` None for review signals →
                       :class:`SignalRow`
=====================  ================================================================

Only what the disclosure audit published leaves
-----------------------------------------------
The engine stores a row for every scope and marks the ones its disclosure-control audit
(``insights.disclosure``) hid as *suppressed*, with every figure NULL (a database rule).
Each data object here is built by one function per table that answers a suppressed row
with ``suppressed=True`` and ``None`` figures whatever the row holds, so no page, export
or packet can show a figure the audit did not publish. Never compute a figure from other
rows the engine did not store (e.g. a parent minus a child): the audit only covers the
rows it stores. Comment texts are read only for a scope whose participation row says
``comments_released`` (:func:`comments_released`, then :func:`comments`).

Who reads: a :class:`Viewer`
----------------------------
Every function takes the rows a :class:`Viewer` may see: ``Viewer.of(membership)`` for a
person (organization rows for everyone, team rows for the teams they see, layers and depths
for those who see all results: ``peakos.permissions``), ``Viewer.everything()`` for the
engine and for callers that decide visibility themselves (the reviews' packets check
``permissions.can_see_team``). Which scopes to read is a :class:`Selection`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q

from insights import access
from insights.models import (
    TEAM_SCOPE_KINDS,
    CoordinationCell,
    Participation,
    PriorityAlignment,
    ScopeKind,
    Signal,
    SignalSettings,
    SignalStatus,
    Snapshot,
)
from insights.vocabulary import (
    COORDINATION_FIGURES,
    PARTICIPATION_FIGURES,
    PRIORITY_FIGURES,
    SNAPSHOT_FIGURES,
    ScopeKey,
)
from peakos import permissions
from peakos.models import Membership, Organization, Priority, PriorityLevel, Team, TeamDependency, TeamKind
from peakos.selectors import TeamTree
from peakos.tenancy import scopes_disabled
from surveys.models import Answer, Invitation, QuestionKind, Round, RoundStatus

SCOPE_COLUMNS = ("scope_kind", "team_id", "layer", "depth")


def _published(suppressed: bool, figures: Sequence) -> tuple:
    """A row's figures as they may leave: none at all for a row the audit hid."""
    return (None,) * len(figures) if suppressed else tuple(figures)


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
    """Who reads: a membership and its ``permissions.visible_team_ids`` (None: every team).

    ``Viewer.everything()`` (no membership, every row) is for the engine and for callers that
    check visibility themselves."""

    membership: Membership | None
    visible: frozenset[int] | None

    @classmethod
    def of(cls, membership: Membership, *, tree: TeamTree | None = None) -> Viewer:
        visible = permissions.visible_team_ids(membership, tree=tree)
        return cls(membership, None if visible is None else frozenset(visible))

    @classmethod
    def everything(cls) -> Viewer:
        return cls(None, None)

    def scopes_q(self) -> Q:
        if self.visible is None:
            return Q()
        return access.visible_scopes_filter(self.membership, visible=self.visible)

    def coordination_q(self) -> Q:
        if self.visible is None:
            return Q()
        return access.visible_coordination_filter(self.membership, visible=self.visible)


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
    every: bool = False  # every scope of every kind

    @classmethod
    def of(cls, scope: ScopeKey) -> Selection:
        """The selection that holds ``scope`` (a depth selects every depth)."""
        if scope.kind == ScopeKind.ORGANIZATION:
            return cls(organization=True)
        if scope.kind == ScopeKind.LAYER:
            return cls(layers=(scope.layer,))
        if scope.kind == ScopeKind.DEPTH:
            return cls(depths=True)
        return cls(team_ids=frozenset({scope.team}))

    def q(self) -> Q:
        if self.every:
            return Q()
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
class SnapshotRow:
    """One stored snapshot: a dimension's figures for a round and scope (None when suppressed).

    The figures are ``vocabulary.SNAPSHOT_FIGURES``, in that order. ``driver_*``: Pearson r
    of the dimension with eNPS / alignment across respondents; None below the organization's
    driver minimum, for the dimension against itself, or when suppressed."""

    round_id: int
    scope: ScopeKey
    dimension: str
    suppressed: bool
    respondents: int | None
    score: float | None
    mean: float | None
    favorable_share: float | None
    unfavorable_share: float | None
    spread: float | None
    delta: float | None
    gap: float | None
    driver_enps: float | None
    driver_alignment: float | None


def snapshots(
    round_ids: Iterable[int],
    selection: Selection,
    viewer: Viewer,
    *,
    dimensions: Iterable[str] | None = None,
    also: tuple[Selection, Iterable[str]] | None = None,
) -> dict[tuple[int, ScopeKey, str], SnapshotRow]:
    """(round id, scope, dimension) → SnapshotRow for the selected scopes the viewer may see,
    of one or many rounds (trends). One query.

    ``also``: more scopes, read for the given dimensions only, in the same query (trends
    compare one dimension across layers and teams)."""
    wanted = selection.q()
    if dimensions is not None:
        wanted &= Q(dimension__in=list(dimensions))
    if also is not None:
        wanted |= also[0].q() & Q(dimension__in=list(also[1]))
    qs = Snapshot.objects.filter(round_id__in=list(round_ids)).filter(wanted).filter(viewer.scopes_q())
    rows = qs.order_by().values_list("round_id", *SCOPE_COLUMNS, "dimension", "suppressed", *SNAPSHOT_FIGURES)
    out = {}
    for r in rows:
        key = _key(*r[1:5])
        out[(r[0], key, r[5])] = SnapshotRow(r[0], key, r[5], r[6], *_published(r[6], r[7:]))
    return out


def stored_scores(round_: Round | None) -> dict[tuple[ScopeKey, str], float]:
    """(scope, dimension) → score of a round's shown snapshots (the engine's deltas read these)."""
    if round_ is None:
        return {}
    rows = snapshots([round_.pk], Selection(every=True), Viewer.everything())
    return {(scope, dim): row.score for (_, scope, dim), row in rows.items() if not row.suppressed}


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
        .values_list("round_id", *SCOPE_COLUMNS, "suppressed", *PARTICIPATION_FIGURES, "comments_released")
    )
    out = {}
    for r in rows:
        key = _key(*r[1:5])
        out[(r[0], key)] = Turnout(r[0], key, r[5], *_published(r[5], r[6:9]), bool(r[9]) and not r[5])
    return out


@dataclass(frozen=True)
class PublishedTurnout:
    """A round's participation as published: answered counts only where the audit shows them."""

    round_id: int
    answered: int | None  # the organization's respondents; None while not published
    rate: float | None
    teams: dict[int, tuple[int | None, float | None, str]]  # team -> (answered, rate, hidden reason) of its subtree
    live: bool  # the round is open: counts move in releases


def published_turnout(rounds: Iterable[Round]) -> dict[int, PublishedTurnout]:
    """Per round, the answered counts that may be shown (``Participation`` rows the audit kept).

    This is the only source of "how many answered" for any page, export or API outside the
    dashboards: a count read from invitations or responses directly would be an unaudited
    figure (a hidden team's count could be worked out by subtracting two shown ones).
    Invitations are org structure and may be counted directly. One query for any number of
    rounds; the caller decides who sees it (survey pages are for those who run surveys).
    """
    rounds = list(rounds)
    out: dict[int, dict] = {r.pk: {"answered": None, "rate": None, "teams": {}} for r in rounds}
    rows = (
        Participation.objects.filter(round_id__in=out)
        .filter(Selection(organization=True, all_teams=True).q())
        .order_by()
        .values_list("round_id", *SCOPE_COLUMNS[:2], "suppressed", "respondents", "rate", "hidden_reason")
    )
    for round_id, kind, team_id, suppressed, respondents, rate, reason in rows:
        respondents, rate = _published(suppressed, (respondents, rate))
        if kind == ScopeKind.ORGANIZATION:
            if not suppressed:
                out[round_id].update(answered=respondents, rate=rate)
        elif kind != ScopeKind.LEADERSHIP:  # the leadership row is its own members, not its subtree
            out[round_id]["teams"][team_id] = (None, None, reason) if suppressed else (respondents, rate, "")
    return {r.pk: PublishedTurnout(round_id=r.pk, live=r.status == RoundStatus.OPEN, **out[r.pk]) for r in rounds}


def with_answered(rounds: Iterable[Round]) -> list[Round]:
    """The rounds, each with ``answered``: its organization's respondent count as published
    (None until the audit publishes it); one query. For the survey pages' round lists."""
    rounds = list(rounds)
    turnout = published_turnout(rounds)
    for r in rounds:
        r.answered = turnout[r.pk].answered
    return rounds


@dataclass
class TeamParticipation:
    team: Team
    invited: int  # the team's whole subtree, as invited when the round opened
    answered: int | None  # None: not published (see ``hidden``)
    hidden: str = ""  # why not: "few" or "protect"

    @property
    def rate(self) -> int | None:
        if self.answered is None or not self.invited:
            return None
        return min(100, round(100 * self.answered / self.invited))


@dataclass
class RoundParticipation:
    invited: int
    answered: int | None  # None until the organization's count is published
    teams: list[TeamParticipation]
    hidden_teams: int  # teams whose answered count is not published
    threshold: int
    live: bool = False

    @property
    def rate(self) -> int | None:
        if self.answered is None or not self.invited:
            return None
        return min(100, round(100 * self.answered / self.invited))


def round_participation(round: Round) -> RoundParticipation:
    """How many were invited (org structure: per team subtree, as at the invitation) and how
    many answered, as published: per team only where the disclosure audit shows that team's
    count, so no count of a smaller group can be worked out by subtraction; while the round
    is open, the counts move in releases of several responses. The survey's round page and
    the REST API's participation read it; the caller checks the role."""
    threshold = round.effective_anonymity_threshold
    turnout = published_turnout([round])[round.pk]
    invited_own = dict(
        Invitation.objects.filter(round=round).values("team_id").annotate(n=Count("id")).values_list("team_id", "n")
    )
    teams = {t.pk: t for t in Team.objects.filter(organization_id=round.organization_id)}
    subtree_invited: dict[int, int] = {}
    for team_id, n in invited_own.items():
        seen: set[int] = set()
        current = teams.get(team_id) if team_id else None
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            subtree_invited[current.pk] = subtree_invited.get(current.pk, 0) + n
            current = teams.get(current.parent_id) if current.parent_id else None
    shown, hidden = [], 0
    for team_id, invited in subtree_invited.items():
        answered, _, reason = turnout.teams.get(team_id, (None, None, "few"))
        if answered is None:
            hidden += 1
        shown.append(TeamParticipation(teams[team_id], invited, answered, reason if answered is None else ""))
    shown.sort(key=lambda t: t.team.name)
    return RoundParticipation(
        invited=sum(invited_own.values()),
        answered=turnout.answered,
        teams=shown,
        hidden_teams=hidden,
        threshold=threshold,
        live=turnout.live,
    )


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
    """scope → how its respondents picked priorities, for the selected scopes the viewer may see."""
    rows = (
        PriorityAlignment.objects.filter(round_id=round_id)
        .filter(selection.q())
        .filter(viewer.scopes_q())
        .order_by()
        .values_list(*SCOPE_COLUMNS, "suppressed", "top_priority_id", *PRIORITY_FIGURES)
    )
    out = {}
    for r in rows:
        key = _key(*r[:4])
        respondents, share, overlap, picks = _published(r[4], r[6:10])
        counts = None if picks is None else {int(k): int(v) for k, v in picks.items()}
        out[key] = PriorityPicks(key, r[4], respondents, r[5], share, overlap, counts)
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
        .values_list("rater_team_id", "rated_team_id", "suppressed", *COORDINATION_FIGURES)
    )
    cells, received = {}, {}
    for r in rows:
        cell = Cell(r[0], r[1], r[2], *_published(r[2], r[3:]))
        if cell.rater_team_id is None:
            received[cell.rated_team_id] = cell
        else:
            cells[(cell.rater_team_id, cell.rated_team_id)] = cell
    return cells, received


@dataclass(frozen=True)
class WeakLink:
    """A shown cell at or under the organization's weak-link mean, with the teams' names."""

    rater_team_id: int
    rater_team: str
    rated_team_id: int
    rated_team: str
    mean: float


def weakest_links(organization: Organization, round_ids: Sequence[int]) -> list[WeakLink] | None:
    """The weakest shown coordination cells (mean at or under ``SignalSettings.weak_link_mean``)
    of the latest of ``round_ids`` (oldest first) that has any cells, weakest first; None when
    none has. Three queries (the rounds with cells, the settings, the cells)."""
    with_cells = set(
        CoordinationCell.objects.filter(round_id__in=list(round_ids))
        .order_by()
        .values_list("round_id", flat=True)
        .distinct()
    )
    chosen = next((rid for rid in reversed(round_ids) if rid in with_cells), None)
    if chosen is None:
        return None
    threshold = SignalSettings.for_organization(organization).weak_link_mean
    rows = (
        CoordinationCell.objects.filter(round_id=chosen, rater_team__isnull=False, suppressed=False)
        .filter(mean__lte=threshold)
        .order_by("mean")
        .values_list("rater_team_id", "rater_team__name", "rated_team_id", "rated_team__name", "mean")
    )
    return [WeakLink(*r) for r in rows]


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


def team_signals(team_ids: Iterable[int], *, exclude_kinds: Iterable[str] = ()) -> dict[int, list[SignalRow]]:
    """team id → the open signals about that team (any round, or none), newest first. One query.

    For callers that checked who may see the teams (the reviews' packets)."""
    labels = dict(Signal._meta.get_field("kind").choices)
    rows = (
        Signal.objects.filter(team_id__in=sorted(team_ids), status=SignalStatus.OPEN)
        .exclude(kind__in=list(exclude_kinds))
        .order_by("-detected_at", "kind", "key")
        .values_list("id", "kind", "severity", "title", *SCOPE_COLUMNS, "dimension", "detected_at")
    )
    out: dict[int, list[SignalRow]] = defaultdict(list)
    for r in rows:
        out[r[5]].append(SignalRow(r[0], r[1], labels.get(r[1], r[1]), r[2], r[3], _key(*r[4:8]), r[8], r[9]))
    return dict(out)


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
    turnout = participation([round_.id], Selection.of(scope), viewer).get((round_.id, scope))
    if turnout is None or turnout.suppressed or not turnout.comments_released:
        return None
    if (turnout.respondents or 0) < max(round_.comment_threshold, round_.anonymity_threshold):
        return None
    return turnout


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


# --------------------------------------------------------------------------
# The sweep
# --------------------------------------------------------------------------

# Closed rounds gain no answers, but the recompute at close can be lost (broker down at
# that moment): the sweep still looks at rounds closed this recently.
SWEEP_CLOSED_WINDOW = timedelta(days=7)


def stale_rounds(now: datetime) -> list[tuple[int, int]]:
    """(round id, organization id) of every round whose answers are newer than its scores.

    A round is stale when it has responses its stored results were not computed from
    (``ScoreState.responses_scored`` differs from the count now, or there is no state
    yet), or when it closed after it was last scored (the final, unbatched results are
    missing). Open rounds, and rounds closed within ``SWEEP_CLOSED_WINDOW``, are
    considered; rounds whose raw answers retention deleted never are (their stored
    results are all that is left). Unscoped on purpose, like the scheduler's tick: the sweep looks across
    every organization for ids only; each recompute runs in its organization's scope.
    One statement: a grouped count over the rounds' responses.
    """
    with scopes_disabled():
        rows = (
            Round.objects.filter(
                Q(status=RoundStatus.OPEN) | Q(status=RoundStatus.CLOSED, closed_at__gte=now - SWEEP_CLOSED_WINDOW),
                raw_answers_deleted_on__isnull=True,
            )
            .annotate(answered=Count("responses"))
            .values_list(
                "id",
                "organization_id",
                "status",
                "closed_at",
                "answered",
                "score_state__responses_scored",
                "score_state__scored_at",
            )
            .order_by("id")
        )
        stale = []
        for round_id, org_id, status, closed_at, answered, scored, scored_at in rows:
            if scored is None:
                is_stale = answered > 0 or status == RoundStatus.CLOSED
            else:
                is_stale = scored != answered or (closed_at is not None and scored_at < closed_at)
            if is_stale:
                stale.append((round_id, org_id))
        return stale
