"""Coordination: how teams rate the teams they depend on. The team × team matrix as a
heatmap, the dependency graph as a network whose edges are coloured by their score, and
the weak links. Reads the declared dependencies, their coordination cells and the
organization's weak-link threshold: three queries whatever the size of the tree."""

from __future__ import annotations

import pandas as pd

from insights import scoring
from insights.dashboards import charts
from insights.dashboards import tables as t
from insights.dashboards.context import Dashboard
from insights.dashboards.pages import Page
from insights.models import SignalSettings
from insights.selectors import Cell, coordination_cells, dependencies

MAX_TEAMS = 30  # per axis of the matrix and nodes of the graph; the tables list everything
SHOWN_ROWS = 60  # rows of the long tables on the page; their CSV has every row
STRONG_FROM = 3.5  # mean rating (1–5) from which a link is drawn as strong
ASYMMETRY_FROM = 0.5  # points of 5 between the two directions from which a pair is listed


def build(d: Dashboard, params) -> Page:
    page = Page(title="Coordination")
    if d.round is None:
        page.empty = "no_round"
        return page
    if not d.sees_teams:
        page.empty = "no_teams"
        return page
    scope_ids = d.focus_team_ids()
    links = dependencies(scope_ids)
    if not links:
        page.empty = "no_dependencies"
        return page
    cells, received = coordination_cells(d.round.id, links, d.viewer)
    weak_at = SignalSettings.for_organization(d.organization).weak_link_mean
    page.extra["weak_at"] = weak_at
    page.extra["asymmetry_from"] = ASYMMETRY_FROM
    names = {tid: team.name for tid, team in d.tree.teams.items()}
    order = {team.id: i for i, (team, _) in enumerate(d.tree.walk())}

    def cell_of(link) -> Cell | None:
        return cells.get((link.from_team_id, link.to_team_id))

    def weakness(link) -> tuple:
        c = cell_of(link)
        shown = c is not None and not c.suppressed
        return (0 if shown else 1, c.mean if shown else 0, order.get(link.from_team_id, 0))

    ranked = sorted(links, key=weakness)
    shown_teams: list[int] = []
    for link in ranked:  # the weakest links' teams first, up to the cap
        for tid in (link.from_team_id, link.to_team_id):
            if tid not in shown_teams and len(shown_teams) < MAX_TEAMS:
                shown_teams.append(tid)
    shown_set = set(shown_teams)
    drawn = [link for link in links if link.from_team_id in shown_set and link.to_team_id in shown_set]
    if len(drawn) < len(links):
        page.notes.append(
            f"The matrix and the graph show the {len(shown_set)} teams of the weakest links "
            f"({len(drawn)} of {len(links)} dependencies); the tables list them all. Drill into a department for the rest."
        )

    drawn_table = _links_table(d, drawn, cell_of, names, order, name="matrix", title="Dependencies in the matrix")
    page.charts.append(_matrix(d, drawn, cells, received, names, order, drawn_table))
    page.charts.append(_network(d, drawn, cells, received, names, order, weak_at))
    page.tables.append(_weak_table(d, ranked, cell_of, names, weak_at))
    cap = None if params.get("format") == "csv" else SHOWN_ROWS
    page.tables.append(_asymmetry_table(d, cells, names, cap=cap))
    everything = _links_table(
        d, ranked, cell_of, names, order, name="links", title="Every dependency, weakest first", cap=cap
    )
    page.tables.append(everything)
    page.tables.append(_received_table(d, links, received, names, order, cap=cap))
    return page


def _describe(cell: Cell | None) -> str:
    if cell is None:
        return "no ratings in this round"
    if cell.suppressed:
        return t.NOT_ENOUGH
    return f"{cell.mean:.1f} of 5 ({cell.respondents:,} ratings)"


def _rating_cells(cell: Cell | None) -> list[t.Cell]:
    if cell is None:
        return [t.missing(), t.missing(), t.missing()]
    hidden = cell.suppressed
    return [
        t.mean(cell.mean, is_suppressed=hidden),
        t.score(cell.score, is_suppressed=hidden),
        t.count(cell.respondents, is_suppressed=hidden),
    ]


def _team_cell(d: Dashboard, team_id: int, names) -> t.Cell:
    link = d.url("coordination", team_id=team_id) if d.team_visible(team_id) else None
    return t.text(names.get(team_id, "(removed team)"), href=link)


def _links_table(d, links, cell_of, names, order, *, name: str, title: str, cap: int | None = None) -> t.Table:
    """Dependencies in the order given (the matrix's: the tree's; the full list: weakest first)."""
    table = t.Table(
        name=name, title=title, columns=["Team", "Depends on", "Mean rating (1–5)", "Score (0–100)", "Ratings"], cap=cap
    )
    if name == "matrix":
        links = sorted(links, key=lambda k: (order.get(k.from_team_id, 0), order.get(k.to_team_id, 0)))
    for link in links:
        if table.full:
            table.skip()
            continue
        table.add(
            [
                _team_cell(d, link.from_team_id, names),
                _team_cell(d, link.to_team_id, names),
                *_rating_cells(cell_of(link)),
            ]
        )
    return table


def _matrix(d, drawn, cells, received, names, order, table) -> charts.Chart:
    raters = sorted({link.from_team_id for link in drawn}, key=lambda tid: order.get(tid, 0))
    rated = sorted({link.to_team_id for link in drawn}, key=lambda tid: order.get(tid, 0))
    expected = {(link.from_team_id, link.to_team_id) for link in drawn}
    rows, values, texts, hover, links = [], [], [], [], []
    for rater in [*raters, None]:
        label = names[rater] if rater is not None else "Everyone (received)"
        rows.append(label)
        links.append(d.url("coordination", team_id=rater) if rater is not None and d.team_visible(rater) else None)
        z_row, text_row, hover_row = [], [], []
        for target in rated:
            cell = received.get(target) if rater is None else cells.get((rater, target))
            pair = f"<b>{label}</b> → <b>{names[target]}</b><br>"
            if rater is not None and (rater, target) not in expected:
                z_row.append(None)
                text_row.append("")
                hover_row.append(pair + "no declared dependency")
            elif cell is None or cell.suppressed:
                z_row.append(None)
                text_row.append("–" if cell is not None else "")
                hover_row.append(pair + _describe(cell))
            else:
                z_row.append(round(cell.mean, 2))
                text_row.append(f"{cell.mean:.1f}")
                hover_row.append(pair + _describe(cell))
        values.append(z_row)
        texts.append(text_row)
        hover.append(hover_row)
    grid = charts.Grid(rows, [names[r] for r in rated], values, texts, hover, links)
    fig = charts.heatmap(grid, zmin=1, zmax=5, colorbar="Mean (1–5)")
    description = (
        f"Heatmap: rows are the {len(raters)} rating teams, columns the {len(rated)} teams they depend on, "
        "colour the mean rating from 1 to 5; the last row is every rating each team received."
    )
    return charts.make_chart("matrix", "Team × team coordination matrix", fig, table, description, tall=True)


def _bucket(cell: Cell | None, weak_at: float) -> str:
    if cell is None:
        return "none"
    if cell.suppressed:
        return "hidden"
    if cell.mean <= weak_at:
        return "weak"
    return "strong" if cell.mean >= STRONG_FROM else "moderate"


def _network(d, drawn, cells, received, names, order, weak_at) -> charts.Chart:
    teams = sorted(
        {tid for link in drawn for tid in (link.from_team_id, link.to_team_id)}, key=lambda x: order.get(x, 0)
    )
    table = t.Table(
        name="graph",
        title="Teams in the graph",
        columns=["Team", "Depends on", "Mean rating received (1–5)", "Ratings"],
    )
    for tid in teams:
        mine = received.get(tid) if d.team_visible(tid) else None  # another subtree's total is not shown
        mean_cells = [t.missing(), t.missing()] if mine is None else _rating_cells(mine)[::2]
        targets = ", ".join(names[link.to_team_id] for link in drawn if link.from_team_id == tid)
        table.add([_team_cell(d, tid, names), t.text(targets or "—"), *mean_cells])
    nodes = [
        charts.Node(
            tid,
            names[tid],
            f"<b>{names[tid]}</b><br>Rated by the teams that depend on it: {_describe(received.get(tid))}"
            if d.team_visible(tid)
            else f"<b>{names[tid]}</b>",  # another subtree's team: its received total is not the member's to see
            d.url("coordination", team_id=tid) if d.team_visible(tid) else None,
        )
        for tid in teams
    ]
    edges = []
    for link in drawn:
        cell = cells.get((link.from_team_id, link.to_team_id))
        edges.append(
            charts.Edge(
                link.from_team_id,
                link.to_team_id,
                _bucket(cell, weak_at),
                f"<b>{names[link.from_team_id]}</b> depends on <b>{names[link.to_team_id]}</b><br>{_describe(cell)}",
            )
        )
    fig = charts.network(nodes, edges)
    description = (
        f"Network of {len(nodes)} teams; an arrow from a team to a team it depends on, coloured by how it rates "
        f"that team: red at or below {weak_at:.1f} of 5, amber moderate, blue strong, grey dotted not enough responses."
    )
    return charts.make_chart("network", "Dependency graph", fig, table, description, tall=True)


def _weak_table(d, ranked, cell_of, names, weak_at) -> t.Table:
    table = t.Table(
        name="weak",
        title="Weak links",
        columns=["Team", "Depends on", "Mean rating (1–5)", "Score (0–100)", "Ratings"],
        note=f"Dependencies rated {weak_at:.1f} of 5 or lower (the organization's weak-link threshold).",
    )
    for link in ranked:
        cell = cell_of(link)
        if cell is None or cell.suppressed or cell.mean > weak_at:
            continue
        table.add(
            [_team_cell(d, link.from_team_id, names), _team_cell(d, link.to_team_id, names), *_rating_cells(cell)]
        )
    return table


def _asymmetry_table(d, cells, names, *, cap: int | None) -> t.Table:
    """Pairs rated both ways where one team rates the other well and is rated poorly back,
    widest gap first (``scoring.asymmetry`` on the stored cells; suppressed cells carry no
    mean and never contribute)."""
    table = t.Table(
        name="asymmetry",
        title="One-sided coordination",
        columns=["Team A", "Rates B (1–5)", "Team B", "Rates A (1–5)", "Difference"],
        note=f"Pairs of teams that rate each other, listed when one direction is at least {ASYMMETRY_FROM:.1f} "
        "points of 5 above the other; widest gap first.",
        cap=cap,
    )
    shown = {key: c.mean for key, c in cells.items() if not c.suppressed and c.mean is not None}
    if not shown:
        return table
    mean = pd.Series(shown, dtype=float).unstack()
    for row in scoring.asymmetry(mean).itertuples(index=False):
        if row.difference < ASYMMETRY_FROM - 1e-9:
            break  # widest first: the rest are closer still
        if table.full:
            table.skip()
            continue
        table.add(
            [
                _team_cell(d, int(row.team_a), names),
                t.mean(row.a_rates_b),
                _team_cell(d, int(row.team_b), names),
                t.mean(row.b_rates_a),
                _number_diff(row.difference),
            ]
        )
    return table


def _number_diff(value: float) -> t.Cell:
    return t.Cell(f"{value:.1f}", round(value, 2), "num")


def _received_table(d, links, received, names, order, *, cap: int | None) -> t.Table:
    table = t.Table(
        name="received",
        title="Coordination received, lowest first",
        columns=["Team", "Mean rating received (1–5)", "Score (0–100)", "Ratings"],
        note="A team's coordination score: the mean of every rating it received from the teams that depend on it.",
        cap=cap,
    )

    def lowest(tid):
        c = received.get(tid)
        shown = c is not None and not c.suppressed
        return (0 if shown else 1, c.mean if shown else 0, order.get(tid, 0))

    for tid in sorted({link.to_team_id for link in links}, key=lowest):
        if table.full:
            table.skip()
            continue
        table.add([_team_cell(d, tid, names), *_rating_cells(received.get(tid))])
    return table
