"""The overview of the organization or of a team's subtree: headline figures with their change
since the last round, the alignment translation gap, the teams × dimensions heatmap and the
open signals. Five queries whatever the size of the tree (snapshots, participation, signals,
plus the rounds and the tree every page reads)."""

from __future__ import annotations

from django.urls import reverse

from insights import vocabulary
from insights.dashboards import charts, decision_velocity
from insights.dashboards import tables as t
from insights.dashboards.context import Dashboard, depth_label
from insights.dashboards.pages import LABELS, LIKERT, Page, Tile, short
from insights.models import ScopeKind, SignalKind, SignalSettings
from insights.selectors import Selection, SnapshotRow, open_signals, participation, snapshots
from insights.vocabulary import ScopeKey
from peakos.models import LAYER_ORDER, Layer
from surveys.models import Dimension

HEADLINE = [
    (Dimension.ALIGNMENT, "Alignment"),
    (Dimension.TEAM_HEALTH, "Team health"),
    (Dimension.COORDINATION, "Coordination"),
    (Dimension.ENPS, "eNPS"),
]
REVIEW_KINDS = {
    SignalKind.UNLINKED_PRIORITIES,
    SignalKind.OVERDUE_REVIEW,
    SignalKind.OFF_TRACK_METRICS,
    SignalKind.UNANSWERED_ASKS,
}
SIGNAL_PAGE = {
    SignalKind.WEAK_LINK: "coordination",
    SignalKind.PRIORITY_CONFUSION: "priorities",
    SignalKind.DROP: "trends",
}
SEVERITY_BADGE = {"high": "bad", "medium": "warn", "low": "info"}


def build(d: Dashboard, params) -> Page:
    page = Page(title="Overview")
    if d.round is None:
        page.empty = "no_round"
        return page
    units = d.units()
    unit_ids = {team_id for team_id, _ in units}
    leader = d.leadership_team_id()
    org_wide = d.focus is None
    layers_shown = org_wide and d.can_see_layers
    team_ids = set(unit_ids)
    if leader is not None and d.team_visible(leader):
        team_ids.add(leader)  # the reference of every gap
    rid = d.round.id
    scores = snapshots(
        [rid],
        Selection(
            organization=True,
            layers=tuple(Layer.values) if layers_shown else (),
            depths=layers_shown,
            team_ids=frozenset(team_ids),
        ),
        d.viewer,
    )
    turnout = participation(
        [rid] + ([d.previous.id] if d.previous else []),
        Selection(organization=True, layers=(d.layer,) if d.layer else (), team_ids=frozenset(unit_ids)),
        d.viewer,
    )
    focus = d.focus_scope
    page.tiles = _tiles(d, scores, turnout, focus)
    shown = [s for (r, scope, _), s in scores.items() if scope == focus and not s.suppressed]
    if not shown:
        page.empty = "suppressed" if any(scope == focus for (_, scope, _) in scores) else "no_results"
    dims = [dim for dim in LIKERT if any(key[2] == dim for key in scores)]

    leadership_scope = ScopeKey(ScopeKind.LEADERSHIP, leader) if leader is not None else None
    if layers_shown and not page.empty:
        page.charts += _gap_charts(d, scores, dims, leadership_scope)
    elif units and dims:
        chart = _branch_chart(d, scores, units, leadership_scope)
        if chart is not None:
            page.charts.append(chart)
    if not d.can_see_layers and org_wide:
        page.notes.append("The translation gap by layer is shown to leaders and admins.")
    if units and dims:
        page.charts.append(_heatmap(d, scores, turnout, units, dims))
    elif org_wide and not d.sees_teams:
        page.notes.append("Your role shows organization-wide results; team results are for their managers and leaders.")

    if not page.empty:
        _drivers(d, page, scores, focus)
    decision_velocity.build(d, page, scores, units)

    signal_scope = Selection(
        organization=org_wide,
        layers=tuple(Layer.values) if layers_shown else (),
        depths=layers_shown,
        all_teams=org_wide and d.visible is None,
        team_ids=frozenset(d.focus_team_ids() or ()) if (d.focus is not None or d.visible is not None) else frozenset(),
    )
    found, total = open_signals(d.viewer, round_id=rid, selection=signal_scope, limit=25)
    page.tables.append(_signals_table(d, found))
    page.extra["signals_total"] = total
    return page


# --------------------------------------------------------------------------
# Tiles
# --------------------------------------------------------------------------


def _tiles(d: Dashboard, scores, turnout, focus: ScopeKey) -> list[Tile]:
    rid = d.round.id
    tiles = []
    for dim, label in HEADLINE:
        s: SnapshotRow | None = scores.get((rid, focus, dim))
        if s is None:
            tiles.append(Tile(label, t.missing(), note="not asked in this round"))
        elif s.suppressed:
            tiles.append(Tile(label, t.suppressed()))
        elif dim == Dimension.ENPS:
            tiles.append(Tile(label, t.signed(s.score), _change(d, s.delta), f"{s.respondents:,} respondents"))
        else:
            tiles.append(Tile(label, t.score(s.score), _change(d, s.delta), f"of 100 · {s.respondents:,} respondents"))
    now = turnout.get((rid, focus))
    before = turnout.get((d.previous.id, focus)) if d.previous else None
    if now is None:
        tiles.append(Tile("Participation", t.missing(), note="nobody invited"))
    elif now.suppressed:
        tiles.append(Tile("Participation", t.suppressed()))
    else:
        change = None
        if d.previous is not None and before is not None and not before.suppressed and before.rate is not None:
            change = t.signed(None if now.rate is None else (now.rate - before.rate) * 100, unit=" pts")
        note = f"{now.respondents:,} of {now.invited:,} invited" if now.invited else f"{now.respondents:,} responses"
        tiles.append(Tile("Participation", t.share(now.rate), change, note))
    return tiles


def _change(d: Dashboard, delta: float | None) -> t.Cell | None:
    if d.previous is None:
        return None
    return t.signed(delta)


# --------------------------------------------------------------------------
# The translation gap
# --------------------------------------------------------------------------


def _gap_charts(d: Dashboard, scores, dims: list[str], leadership: ScopeKey | None) -> list[charts.Chart]:
    rid = d.round.id
    layers = sorted(
        {scope.layer for (_, scope, _) in scores if scope.kind == ScopeKind.LAYER}, key=lambda v: LAYER_ORDER[v]
    )
    depths = sorted({scope.depth for (_, scope, _) in scores if scope.kind == ScopeKind.DEPTH})
    by_layer = [ScopeKey(ScopeKind.LAYER, layer=layer) for layer in layers]
    by_depth = [ScopeKey(ScopeKind.DEPTH, depth=depth) for depth in depths]
    out = []
    for chart_id, title, scopes, what in (
        ("gap-layer", "Alignment translation gap: leadership vs each layer", by_layer, "layer"),
        ("gap-depth", "The same by depth in the team tree", by_depth, "depth"),
    ):
        if not scopes:
            continue
        has_leadership = leadership is not None and any((rid, leadership, dim) in scores for dim in dims)
        steps = ([leadership] if has_leadership else []) + scopes
        out.append(_gap_chart(d, scores, dims, steps, chart_id, title, what))
    return out


def _step_label(d: Dashboard, scope: ScopeKey) -> str:
    if scope.kind == ScopeKind.LEADERSHIP:
        return "Leadership team"
    if scope.kind == ScopeKind.DEPTH:
        return depth_label(scope.depth)
    return d.scope_label(scope)


def _gap_chart(d: Dashboard, scores, dims, steps: list[ScopeKey], chart_id: str, title: str, what: str):
    rid = d.round.id
    head = scores.get((rid, steps[0], Dimension.ALIGNMENT))
    suppressed_at = {
        scope for scope in steps if (s := scores.get((rid, scope, Dimension.ALIGNMENT))) is None or s.suppressed
    }
    x = [charts.not_enough(_step_label(d, s)) if s in suppressed_at else _step_label(d, s) for s in steps]
    series = []
    for dim in dims:
        ys, hover = [], []
        for scope, label in zip(steps, x, strict=True):
            s = scores.get((rid, scope, dim))
            if s is None or s.suppressed:
                ys.append(None)  # no point, so no hover and no number
                hover.append("")
                continue
            ys.append(round(s.score, 1))
            gap = "" if s.gap is None else f"<br>{_gap_words(s.gap)}"
            hover.append(f"<b>{label}</b><br>{LABELS[dim]}: {s.score:.0f}{gap}<br>{s.respondents:,} respondents")
        main = dim == Dimension.ALIGNMENT
        labels = [f"{y:.0f}" if y is not None else "" for y in ys] if main else None
        series.append(charts.Series(LABELS[dim], ys, hover, visible=main, width=3 if main else 1.5, labels=labels))
    fig = charts.lines(x, series, y_title="Score (0–100)", y_range=(0, 100), height=360)
    table = t.Table(
        name=chart_id,
        title=title,
        columns=[
            "Scope",
            "Respondents",
            "Alignment",
            "Gap vs leadership (points)",
            *(LABELS[dim] for dim in dims if dim != Dimension.ALIGNMENT),
        ],
    )
    for scope in steps:
        a = scores.get((rid, scope, Dimension.ALIGNMENT))
        hidden = a is None or a.suppressed
        row = [
            t.text(_step_label(d, scope)),
            t.count(None if hidden else a.respondents, is_suppressed=hidden),
            t.score(None if hidden else a.score, is_suppressed=hidden),
            t.signed(None if hidden else a.gap, is_suppressed=hidden) if scope != steps[0] else t.missing(),
        ]
        for dim in dims:
            if dim == Dimension.ALIGNMENT:
                continue
            s = scores.get((rid, scope, dim))
            row.append(t.missing() if s is None else t.score(s.score, is_suppressed=s.suppressed))
        table.add(row)
    words = "layer" if what == "layer" else "depth of the team tree"
    description = (
        f"Line chart of alignment by {words}, starting from the leadership team"
        + (f" at {head.score:.0f}" if head is not None and not head.suppressed else "")
        + ". Other dimensions can be switched on in the legend."
    )
    return charts.make_chart(chart_id, title, fig, table, description)


def _gap_words(gap: float) -> str:
    points = round(gap)
    if points > 0:
        return f"{points} points below leadership"
    if points < 0:
        return f"{-points} points above leadership"
    return "level with leadership"


def _branch_chart(d: Dashboard, scores, units, leadership: ScopeKey | None) -> charts.Chart | None:
    """Alignment of every team listed, by level below the focus, against leadership's score."""
    rid = d.round.id
    x, y, hover, links, names = [], [], [], [], []
    table = t.Table(
        name="branch",
        title="Alignment down this branch",
        columns=["Team", "Level", "Alignment", "Gap vs leadership (points)", "Respondents"],
    )
    focus_name = d.focus.name if d.focus is not None else "Your teams"
    for team_id, level in units:
        if level == 0 and d.focus is None:
            continue  # the leadership team is the reference line
        scope = d.team_scope(team_id)
        name = d.tree.teams[team_id].name
        level_name = {0: focus_name, 1: "Teams below" if d.focus is not None else "Your teams"}.get(
            level, "Their teams"
        )
        s = scores.get((rid, scope, Dimension.ALIGNMENT))
        hidden = s is None or s.suppressed
        table.add(
            [
                t.text(name, href=d.url("overview", team_id=team_id)),
                t.text(level_name),
                t.missing() if s is None else t.score(s.score, is_suppressed=s.suppressed),
                t.missing() if s is None else t.signed(s.gap, is_suppressed=s.suppressed),
                t.missing() if s is None else t.count(s.respondents, is_suppressed=s.suppressed),
            ]
        )
        if hidden:
            continue
        x.append(level_name)
        y.append(round(s.score, 1))
        gap = "" if s.gap is None else f"<br>{_gap_words(s.gap)}"
        hover.append(f"<b>{name}</b><br>Alignment: {s.score:.0f}{gap}<br>{s.respondents:,} respondents")
        links.append(d.url("overview", team_id=team_id))
        names.append(name)
    reference = None
    lead = scores.get((rid, leadership, Dimension.ALIGNMENT)) if leadership is not None else None
    if lead is not None and not lead.suppressed:
        reference = (f"Leadership team {lead.score:.0f}", lead.score)
    if table.is_empty() or (len(y) < 2 and reference is None):
        return None  # one dot and nothing to compare it with says nothing a tile does not
    fig = charts.points(x, y, hover, links, y_title="Alignment (0–100)", reference=reference, labels=names)
    description = "Dot chart of each team's alignment score by its level below " + focus_name
    if reference:
        description += f", with the leadership team's {lead.score:.0f} as a dashed line"
    return charts.make_chart("branch", "Alignment down this branch", fig, table, description + ".", tall=True)


# --------------------------------------------------------------------------
# Heatmap
# --------------------------------------------------------------------------


def _unit_label(d: Dashboard, team_id: int, level: int) -> str:
    team = d.tree.teams[team_id]
    name = team.name
    if level == 0 and d.focus is None:
        name += " (own members)"
    return ("· " if level == 2 else "") + name


def _heatmap(d: Dashboard, scores, turnout, units, dims) -> charts.Chart:
    rid = d.round.id
    rows, values, cell_text, hover, links = [], [], [], [], []
    table = t.Table(
        name="heatmap",
        title="Teams × dimensions",
        columns=["Team", "Respondents", *(LABELS[dim] for dim in dims), "eNPS", "Participation"],
    )
    for team_id, level in units:
        scope = d.team_scope(team_id)
        label = _unit_label(d, team_id, level)
        link = d.url("overview", team_id=team_id)
        rows.append(label)
        links.append(link)
        z_row, text_row, hover_row = [], [], []
        cells = []
        for dim in dims:
            s = scores.get((rid, scope, dim))
            head = f"<b>{label.lstrip('· ')}</b><br>{LABELS[dim]}: "
            if s is None:
                z_row.append(None)
                text_row.append("")
                hover_row.append(head + "no results")
                cells.append(t.missing())
            elif s.suppressed:
                z_row.append(None)
                text_row.append("–")
                hover_row.append(head + t.NOT_ENOUGH)
                cells.append(t.suppressed())
            else:
                z_row.append(round(s.score, 1))
                text_row.append(f"{s.score:.0f}")
                change = "" if s.delta is None else f"<br>{_delta_words(s.delta)} since the last round"
                hover_row.append(f"{head}{s.score:.0f}{change}<br>{s.respondents:,} respondents")
                cells.append(t.score(s.score))
        values.append(z_row)
        cell_text.append(text_row)
        hover.append(hover_row)
        enps = scores.get((rid, scope, Dimension.ENPS))
        turn = turnout.get((rid, scope))
        hidden_turn = turn is not None and turn.suppressed
        table.add(
            [
                t.text(label.lstrip("· "), href=link),
                t.missing() if turn is None else t.count(turn.respondents, is_suppressed=hidden_turn),
                *cells,
                t.missing() if enps is None else t.signed(enps.score, is_suppressed=enps.suppressed),
                t.missing() if turn is None else t.share(turn.rate, is_suppressed=hidden_turn),
            ]
        )
    grid = charts.Grid(rows, [short(dim) for dim in dims], values, cell_text, hover, links)
    fig = charts.heatmap(grid, zmin=0, zmax=100, colorbar="Score")
    where = d.focus.name if d.focus is not None else d.organization.name
    description = f"Heatmap of {len(rows)} teams in {where} by {len(dims)} dimensions, scores 0 to 100; grey cells have not enough responses."
    return charts.make_chart("heatmap", "Teams × dimensions", fig, table, description, tall=True)


def _delta_words(delta: float) -> str:
    points = round(delta)
    if points > 0:
        return f"up {points}"
    if points < 0:
        return f"down {-points}"
    return "no change"


# --------------------------------------------------------------------------
# Drivers
# --------------------------------------------------------------------------

OUTCOME_LABELS = {Dimension.ENPS: "eNPS", Dimension.ALIGNMENT: "alignment"}
# (key, outcome dimension, label, the snapshot figure holding the correlation with it)
OUTCOMES = [
    (outcome, Dimension(outcome), OUTCOME_LABELS[outcome], figure)
    for outcome, figure in zip(vocabulary.OUTCOMES, vocabulary.DRIVER_FIGURES, strict=True)
]


def strength(r: float) -> str:
    """Words for a correlation's size (the usual rule of thumb), with its direction."""
    size = abs(r)
    words = "strong" if size >= 0.5 else "moderate" if size >= 0.3 else "weak" if size >= 0.1 else "no clear"
    if words == "no clear":
        return "no clear link"
    return f"{words}, {'moves with it' if r > 0 else 'moves against it'}"


def _drivers(d: Dashboard, page: Page, scores, focus: ScopeKey) -> None:
    """ "What moves eNPS and alignment": per outcome, the dimensions by the strength of their
    correlation with it across the focus's respondents (stored by the engine on the focus's
    shown snapshots, only with enough respondents). Nothing at all for a suppressed focus."""
    rid = d.round.id
    outcome_rows = {key: scores.get((rid, focus, dim)) for key, dim, _, _ in OUTCOMES}
    asked = {key: s for key, s in outcome_rows.items() if s is not None}
    if not asked or any(s.suppressed for s in asked.values()):
        return
    made = []
    for key, outcome, label, field in OUTCOMES:
        if key not in asked:
            continue
        found = []
        for dim in LIKERT:
            s = scores.get((rid, focus, dim))
            if dim == outcome or s is None or s.suppressed:
                continue
            r = getattr(s, field)
            if r is not None:
                found.append((dim, r, s.respondents))
        if not found:
            continue
        found.sort(key=lambda item: (-abs(item[1]), LIKERT.index(item[0])))
        chart_id = f"drivers-{key}"
        title = f"What moves {label}"
        table = t.Table(
            name=chart_id,
            title=f"{title}: correlation of each dimension with {label} across respondents",
            columns=["Dimension", "Correlation (r)", "Strength", "Respondents"],
        )
        hover = []
        for dim, r, n in found:
            table.add([t.text(LABELS[dim]), t.correlation(r), t.text(strength(r)), t.count(n)])
            hover.append(f"<b>{LABELS[dim]}</b><br>r = {r:+.2f} with {label}<br>{strength(r)}")
        fig = charts.correlations([short(dim) for dim, _, _ in found], [round(r, 3) for _, r, _ in found], hover)
        top = found[0]
        description = (
            f"Bar chart of how strongly each of {len(found)} dimensions moves with {label} across respondents, "
            f"strongest first: {LABELS[top[0]]} at r = {top[1]:+.2f}."
        )
        made.append(charts.make_chart(chart_id, title, fig, table, description, group="drivers"))
    page.charts += made
    if not made:
        n = max((s.respondents or 0) for s in asked.values())
        page.extra["drivers_needed"] = SignalSettings.for_organization(d.organization).driver_min_respondents
        page.extra["drivers_respondents"] = n
    page.extra["drivers_section"] = True


# --------------------------------------------------------------------------
# Signals
# --------------------------------------------------------------------------


def signal_url(d: Dashboard, signal) -> str:
    """Where a signal points: the page and scope it is about."""
    team_id = signal.scope.team
    if signal.kind in REVIEW_KINDS and team_id is not None:
        return reverse("review_team", kwargs={"org_slug": d.organization.slug, "team_id": team_id})
    page = SIGNAL_PAGE.get(signal.kind, "overview")
    if team_id is not None and d.team_visible(team_id):
        return d.url(page, team_id=team_id)
    if signal.scope.kind == ScopeKind.LAYER and d.can_see_layers:
        return d.url(page, team_id=None, layer=signal.scope.layer)
    return d.url(page, team_id=None)


def _signals_table(d: Dashboard, found) -> t.Table:
    table = t.Table(name="signals", title="Open signals", columns=["Severity", "Signal", "Where", "Kind", "Detected"])
    for s in found:
        table.add(
            [
                t.Cell(s.severity.title(), s.severity.title(), badge=SEVERITY_BADGE.get(s.severity, "info")),
                t.text(s.title, href=signal_url(d, s)),
                t.text(d.scope_label(s.scope)),
                t.text(s.kind_label),
                t.Cell(f"{s.detected_at:%-d %b %Y}", s.detected_at.date().isoformat()),
            ]
        )
    return table
