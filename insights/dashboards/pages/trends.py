"""Trends: each dimension over the survey's rounds for the chosen scope, with round-to-round
changes; the chosen dimension per layer (organization, leaders) and per team below the
focus. Two queries over the rounds of the selected round's survey."""

from __future__ import annotations

from insights.dashboards import charts
from insights.dashboards import tables as t
from insights.dashboards.context import Dashboard
from insights.dashboards.pages import LABELS, LIKERT, Page
from insights.models import ScopeKind
from insights.selectors import Selection, participation, snapshots, survey_rounds
from insights.vocabulary import ScopeKey
from peakos.models import LAYER_ORDER, Layer
from surveys.models import Dimension

MAX_ROUNDS = 26  # a year of biweekly pulses
MAX_LINES = 10
CHANGE_COLUMNS = 6


def build(d: Dashboard, params) -> Page:
    page = Page(title="Trends")
    if d.round is None:
        page.empty = "no_round"
        return page
    series_rounds = survey_rounds(d.rounds, d.round)[-MAX_ROUNDS:]
    ids = [r.id for r in series_rounds]
    x = [f"#{r.number} · {r.opens_at:%-d %b}" for r in series_rounds]
    focus = d.focus_scope
    dimension = params.get("dimension", Dimension.ALIGNMENT)
    if dimension not in LIKERT and dimension != Dimension.ENPS:
        dimension = Dimension.ALIGNMENT
    page.extra["dimension"] = dimension
    page.extra["dimension_choices"] = [(dim, LABELS[dim]) for dim in [*LIKERT, Dimension.ENPS]]

    children = [tid for tid, level in d.units() if level == 1][:MAX_LINES]
    by_layer = d.focus is None and d.can_see_layers
    focus_selection = _selection_of(focus)
    scores = snapshots(
        ids,
        focus_selection,
        d.viewer,
        also=(
            Selection(layers=tuple(Layer.values) if by_layer else (), team_ids=frozenset(children)),
            [dimension],
        ),
    )
    turnout = participation(ids, focus_selection, d.viewer)
    mine = {(r, dim): s for (r, scope, dim), s in scores.items() if scope == focus}
    if not mine:
        page.empty = "no_results"
        return page
    if all(s.suppressed for s in mine.values()):
        page.empty = "suppressed"
    dims = [dim for dim in LIKERT if any(k[1] == dim for k in mine)]
    label = d.focus_label

    lines = []
    for dim in dims:
        ys, hover = _points(series_rounds, x, mine, dim)
        lines.append(charts.Series(LABELS[dim], ys, hover, width=3 if dim == Dimension.ALIGNMENT else 2))
    table = _long_table(series_rounds, mine, [*dims, Dimension.ENPS], turnout, focus)
    fig = charts.lines(x, lines, y_title="Score (0–100)", y_range=(0, 100), height=380)
    page.charts.append(
        charts.make_chart(
            "scores",
            f"Every dimension over rounds · {label}",
            fig,
            table,
            f"Line chart of {len(dims)} dimension scores (0 to 100) of {label} over {len(x)} rounds; "
            "missing points had not enough responses.",
            tall=True,
        )
    )
    if any(k[1] == Dimension.ENPS for k in mine):
        ys, hover = _points(series_rounds, x, mine, Dimension.ENPS)
        fig = charts.lines(
            x, [charts.Series("eNPS", ys, hover)], y_title="eNPS (−100 to 100)", y_range=(-100, 100), height=300
        )
        page.charts.append(
            charts.make_chart(
                "enps",
                f"eNPS · {label}",
                fig,
                _series_table("enps", "eNPS over rounds", series_rounds, mine, Dimension.ENPS),
                f"Line chart of the eNPS of {label} over {len(x)} rounds.",
            )
        )
    page.charts.append(_participation_chart(series_rounds, x, turnout, focus, label))
    page.tables.append(_changes_table(series_rounds, mine, [*dims, Dimension.ENPS]))

    if by_layer:
        scopes = [ScopeKey(ScopeKind.LAYER, layer=layer) for layer in sorted(Layer.values, key=LAYER_ORDER.get)]
        page.charts.append(
            _compare_chart("by-layer", f"{LABELS[dimension]} by layer", series_rounds, x, scores, scopes, dimension, d)
        )
    if children:
        scopes = [d.team_scope(tid) for tid in children]
        title = f"{LABELS[dimension]} by team below {label}" if d.focus is not None else f"{LABELS[dimension]} by team"
        page.charts.append(_compare_chart("by-team", title, series_rounds, x, scores, scopes, dimension, d))
    return page


def _selection_of(scope: ScopeKey) -> Selection:
    if scope.kind == ScopeKind.ORGANIZATION:
        return Selection(organization=True)
    if scope.kind == ScopeKind.LAYER:
        return Selection(layers=(scope.layer,))
    return Selection(team_ids=frozenset({scope.team}))


def _points(rounds, x, mine, dim) -> tuple[list, list]:
    ys, hover = [], []
    for r, label in zip(rounds, x, strict=True):
        s = mine.get((r.id, dim))
        if s is None or s.suppressed:
            ys.append(None)
            hover.append("")
            continue
        ys.append(round(s.score, 1))
        change = "" if s.delta is None else f" ({_signed(s.delta)} vs the round before)"
        value = f"{s.score:+.0f}" if dim == Dimension.ENPS else f"{s.score:.0f}"
        hover.append(f"<b>{LABELS[dim]}</b> · round {label}<br>{value}{change}<br>{s.respondents:,} respondents")
    return ys, hover


def _signed(value: float) -> str:
    n = round(value)
    return f"+{n}" if n > 0 else ("±0" if n == 0 else f"−{-n}")


def _value_cell(dim, s):
    if s is None:
        return t.missing()
    if dim == Dimension.ENPS:
        return t.signed(s.score, is_suppressed=s.suppressed)
    return t.score(s.score, is_suppressed=s.suppressed)


def _long_table(rounds, mine, dims, turnout, focus) -> t.Table:
    table = t.Table(
        name="trends",
        title="Scores by round",
        columns=["Round", "Opened", "Dimension", "Score", "Change vs the round before", "Respondents"],
    )
    for r in rounds:
        for dim in dims:
            s = mine.get((r.id, dim))
            if s is None:
                continue
            hidden = s.suppressed
            table.add(
                [
                    t.text(f"#{r.number}"),
                    t.Cell(f"{r.opens_at:%-d %b %Y}", r.opens_at.date().isoformat()),
                    t.text(LABELS[dim]),
                    _value_cell(dim, s),
                    t.signed(s.delta, is_suppressed=hidden),
                    t.count(s.respondents, is_suppressed=hidden),
                ]
            )
    return table


def _series_table(name, title, rounds, mine, dim) -> t.Table:
    table = t.Table(name=name, title=title, columns=["Round", "Opened", "eNPS", "Change", "Respondents"])
    for r in rounds:
        s = mine.get((r.id, dim))
        if s is None:
            continue
        table.add(
            [
                t.text(f"#{r.number}"),
                t.Cell(f"{r.opens_at:%-d %b %Y}", r.opens_at.date().isoformat()),
                _value_cell(dim, s),
                t.signed(s.delta, is_suppressed=s.suppressed),
                t.count(s.respondents, is_suppressed=s.suppressed),
            ]
        )
    return table


def _participation_chart(rounds, x, turnout, focus, label) -> charts.Chart:
    ys, hover = [], []
    table = t.Table(
        name="participation",
        title="Participation by round",
        columns=["Round", "Opened", "Participation", "Responses", "Invited"],
    )
    for r, xl in zip(rounds, x, strict=True):
        turn = turnout.get((r.id, focus))
        if turn is None:
            ys.append(None)
            hover.append("")
            continue
        hidden = turn.suppressed
        table.add(
            [
                t.text(f"#{r.number}"),
                t.Cell(f"{r.opens_at:%-d %b %Y}", r.opens_at.date().isoformat()),
                t.share(turn.rate, is_suppressed=hidden),
                t.count(turn.respondents, is_suppressed=hidden),
                t.count(turn.invited, is_suppressed=hidden),
            ]
        )
        if hidden or turn.rate is None:
            ys.append(None)
            hover.append("")
        else:
            ys.append(round(turn.rate * 100, 1))
            hover.append(
                f"<b>Participation</b> · round {xl}<br>{turn.rate * 100:.0f}% ({turn.respondents:,} of {turn.invited:,})"
            )
    fig = charts.lines(
        x,
        [charts.Series("Participation", ys, hover)],
        y_title="Responses ÷ invitations",
        y_range=(0, 100),
        height=300,
        percent=True,
    )
    return charts.make_chart(
        "participation",
        f"Participation · {label}",
        fig,
        table,
        f"Line chart of the share of invited people of {label} who answered, per round.",
    )


def _changes_table(rounds, mine, dims) -> t.Table:
    recent = rounds[-CHANGE_COLUMNS:]
    table = t.Table(
        name="changes",
        title="Round-to-round changes",
        columns=["Dimension", *(f"#{r.number}" for r in recent)],
        note="Each round's score minus the round before (points); eNPS in eNPS points.",
    )
    for dim in dims:
        cells = []
        for r in recent:
            s = mine.get((r.id, dim))
            cells.append(t.missing() if s is None else t.signed(s.delta, is_suppressed=s.suppressed))
        if any(c.value != "" for c in cells):
            table.add([t.text(LABELS[dim]), *cells])
    return table


def _compare_chart(chart_id, title, rounds, x, scores, scopes, dimension, d: Dashboard) -> charts.Chart:
    series = []
    table = t.Table(name=chart_id, title=title, columns=["Scope", *(f"#{r.number}" for r in rounds)])
    for scope in scopes:
        name = d.scope_label(scope)
        ys, hover, cells = [], [], []
        for r, xl in zip(rounds, x, strict=True):
            s = scores.get((r.id, scope, dimension))
            cells.append(_value_cell(dimension, s))
            if s is None or s.suppressed:
                ys.append(None)
                hover.append("")
            else:
                ys.append(round(s.score, 1))
                hover.append(
                    f"<b>{name}</b> · round {xl}<br>{LABELS[dimension]}: {s.score:.0f}<br>{s.respondents:,} respondents"
                )
        if all(c.value == "" for c in cells):
            continue
        series.append(charts.Series(name, ys, hover))
        table.add([t.text(name), *cells])
    enps = dimension == Dimension.ENPS
    fig = charts.lines(
        x,
        series,
        y_title="eNPS" if enps else "Score (0–100)",
        y_range=(-100, 100) if enps else (0, 100),
        height=360,
    )
    return charts.make_chart(
        chart_id, title, fig, table, f"Line chart of {LABELS[dimension]} per scope over {len(x)} rounds."
    )
