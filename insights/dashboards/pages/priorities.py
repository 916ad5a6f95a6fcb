"""Priorities: leadership's ranking against what each layer (or team) picked, and the share
naming leadership's top priority. Two queries: the round's priority alignment rows and the
priorities they name."""

from __future__ import annotations

from insights.dashboards import charts
from insights.dashboards import tables as t
from insights.dashboards.context import Dashboard
from insights.dashboards.pages import Page
from insights.models import ScopeKind
from insights.selectors import Selection, priorities_for, priority_alignment
from insights.vocabulary import ScopeKey
from peakos.models import LAYER_ORDER, Layer

MAX_GROUPS = 8  # bars per priority in the picks chart; the table has every group


def build(d: Dashboard, params) -> Page:
    page = Page(title="Priorities")
    if d.round is None:
        page.empty = "no_round"
        return page
    leader = d.leadership_team_id()
    org_wide = d.focus is None
    by_layer = org_wide and d.can_see_layers
    children = [tid for tid, level in d.units() if level == 1]
    team_ids = set(children)
    if d.focus is not None:
        team_ids.add(d.focus.id)
    if by_layer and leader is not None:
        team_ids.add(leader)
    rows = priority_alignment(
        d.round.id,
        Selection(organization=True, layers=tuple(Layer.values) if by_layer else (), team_ids=frozenset(team_ids)),
        d.viewer,
    )
    if not rows:
        page.empty = "no_priorities"
        return page

    groups: list[ScopeKey] = []
    if by_layer and leader is not None:
        groups.append(ScopeKey(ScopeKind.LEADERSHIP, leader))
    groups.append(d.focus_scope if d.focus is not None else ScopeKey(ScopeKind.ORGANIZATION))
    if by_layer:
        groups += [ScopeKey(ScopeKind.LAYER, layer=layer) for layer in sorted(Layer.values, key=LAYER_ORDER.get)]
    groups += [d.team_scope(tid) for tid in children]
    groups = [g for i, g in enumerate(groups) if g in rows and g not in groups[:i]]

    top_id = next((r.top_priority_id for r in rows.values() if r.top_priority_id), None)
    picked = {pid for r in rows.values() if r.pick_counts for pid in r.pick_counts}
    ranking, by_id = priorities_for(top_id, picked)
    ordered = ranking + sorted(
        (by_id[p] for p in picked if p in by_id and by_id[p] not in ranking), key=lambda p: p.title
    )
    page.extra["ranking"] = ranking
    page.extra["top"] = by_id.get(top_id)
    focus_row = rows.get(d.focus_scope)
    page.extra["focus_row"] = focus_row
    if focus_row is None or focus_row.suppressed:
        page.empty = "suppressed" if focus_row is not None else "no_results"

    def label(scope: ScopeKey) -> str:
        return "Leadership team" if scope.kind == ScopeKind.LEADERSHIP else d.scope_label(scope)

    # The share naming leadership's top priority, per group.
    top_table = t.Table(
        name="top",
        title="Share naming leadership's top priority",
        columns=["Group", "Respondents", "Named leadership's #1", "Overlap with leadership's top 3"],
    )
    names, shares, hover = [], [], []
    for scope in groups:
        r = rows[scope]
        hidden = r.suppressed
        top_table.add(
            [
                t.text(label(scope)),
                t.count(r.respondents, is_suppressed=hidden),
                t.share(r.top_priority_share, is_suppressed=hidden),
                t.share(r.top_overlap, is_suppressed=hidden),
            ]
        )
        if hidden or r.top_priority_share is None:
            names.append(charts.not_enough(label(scope)) if hidden else label(scope))
            shares.append(None)
            hover.append("")
        else:
            names.append(label(scope))
            shares.append(round(r.top_priority_share * 100, 1))
            hover.append(
                f"<b>{label(scope)}</b><br>{r.top_priority_share * 100:.0f}% name leadership's #1<br>{r.respondents:,} respondents"
            )
    fig = charts.bars(names, [charts.BarSeries("Named leadership's #1", shares, hover)], x_title="Share of respondents")
    top_title = page.extra["top"].title if page.extra["top"] else "leadership's top priority"
    page.charts.append(
        charts.make_chart(
            "top",
            "Share naming leadership's top priority",
            fig,
            top_table,
            f"Bar chart: for each group, the share of respondents who named {top_title} among their picks.",
        )
    )

    # What each group picked, priority by priority in leadership's order.
    picks_table = t.Table(
        name="picks",
        title="What each group picked",
        columns=[
            "Group",
            "Respondents",
            *(f"{i}. {p.title}" if p in ranking else p.title for i, p in enumerate(ordered, start=1)),
        ],
        note="Share of each group's respondents who picked the priority among their top three.",
    )
    # The chart compares leadership with the layers (organization-wide) or the focus with its
    # teams; every group is in the table.
    charted = [g for g in groups if g.kind != ScopeKind.DEPARTMENT] if by_layer else groups
    series = []
    for scope in groups:
        r = rows[scope]
        hidden = r.suppressed
        cells, xs, hov = [], [], []
        for p in ordered:
            value = None if hidden or not r.respondents else (r.pick_counts or {}).get(p.id, 0) / r.respondents
            cells.append(t.share(value, is_suppressed=hidden))
            xs.append(None if value is None else round(value * 100, 1))
            hov.append("" if value is None else f"<b>{label(scope)}</b><br>{p.title}: {value * 100:.0f}% picked it")
        picks_table.add([t.text(label(scope)), t.count(r.respondents, is_suppressed=hidden), *cells])
        if not hidden and scope in charted and len(series) < MAX_GROUPS:
            series.append(charts.BarSeries(label(scope), xs, hov))
    categories = [f"{i}. {p.title}" if p in ranking else p.title for i, p in enumerate(ordered, start=1)]
    if series and categories:
        fig = charts.bars(categories, series, x_title="Share of the group who picked it")
        page.charts.append(
            charts.make_chart(
                "picks",
                "Leadership's ranking vs what each group picked",
                fig,
                picks_table,
                "Grouped bar chart: leadership's priorities in its order, and for each group the share of respondents "
                "who picked each one.",
                tall=True,
            )
        )
    else:
        page.tables.append(picks_table)
    return page
