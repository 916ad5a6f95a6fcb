"""Plotly figures of the dashboards, built with plotly.graph_objects from stored results.

Each builder takes values the page already read (no queries, no scoring) and returns a
:class:`Chart`: the figure's JSON for ``static/js/dashboard.js`` (``Plotly.newPlot``) and
the table that says the same thing for screen readers and the CSV export.

Suppressed scopes have no value in any trace: heatmap cells are gaps whose hover text is
"not enough responses", line and bar points are missing (``None``) with no hover at all,
and their axis label says "not enough responses".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import plotly.graph_objects as go
from django.utils.safestring import SafeString, mark_safe

from insights.dashboards.tables import NOT_ENOUGH, Table

FONT = {"family": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif', "size": 13}
INK, MUTED, LINE, BRAND = "#15202b", "#6b7885", "#dfe4ea", "#1f3a5f"
PALETTE = ["#1f3a5f", "#2a9d8f", "#c77d12", "#8e5ea2", "#4a90c2", "#c0392b", "#6b7885", "#2e7d32", "#b0517d"]
# Red (low) to blue (high) through light grey: readable with red-green colour blindness.
DIVERGING = [
    [0.0, "#b2182b"],
    [0.25, "#ef8a62"],
    [0.45, "#fbd3c0"],
    [0.55, "#e8eef4"],
    [0.75, "#92c5de"],
    [1.0, "#2166ac"],
]
WEAK, MODERATE, STRONG, HIDDEN_EDGE = "#c0392b", "#d68910", "#2166ac", "#a8b3bf"

# JSON inside <script type="application/json">: a team name must not be able to close the tag.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@dataclass
class Chart:
    id: str
    title: str
    figure: SafeString  # JSON for Plotly.newPlot
    table: Table
    description: str = ""  # aria-label: what the chart shows, in a sentence
    traces: int = 0
    height: int = 360
    tall: bool = False  # spans the page width
    notes: list[str] = field(default_factory=list)
    group: str = ""  # a page section of its own ("drivers"); "" for the page's main grid


def _layout(height: int, **extra) -> dict:
    layout = {
        "template": "none",
        "font": {**FONT, "color": INK},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"font": FONT, "bgcolor": "#ffffff", "bordercolor": LINE},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "font": {"size": 12}},
        "hovermode": "closest",
    }
    layout.update(extra)
    return layout


def _axis(**extra) -> dict:
    axis = {"automargin": True, "gridcolor": LINE, "zeroline": False, "linecolor": LINE, "tickfont": {"size": 12}}
    axis.update(extra)
    return axis


def make_chart(chart_id: str, title: str, fig: go.Figure, table: Table, description: str, **extra) -> Chart:
    text = fig.to_json().translate(_JSON_ESCAPES)
    return Chart(
        id=chart_id,
        title=title,
        figure=mark_safe(text),  # noqa: S308 - JSON escaped for a script element above
        table=table,
        description=description,
        traces=len(fig.data),
        height=int(fig.layout.height or 360),
        **extra,
    )


# --------------------------------------------------------------------------
# Heatmaps
# --------------------------------------------------------------------------


@dataclass
class Grid:
    """A heatmap's content: rows × columns of values (None: a gap) with their texts."""

    rows: list[str]
    columns: list[str]
    values: list[list[float | None]]
    cell_text: list[list[str]]
    hover: list[list[str]]
    links: list[str | None]  # per row: where a click goes


def heatmap(grid: Grid, *, zmin: float, zmax: float, colorbar: str, height: int | None = None) -> go.Figure:
    """Rows top to bottom. Gaps (suppressed or no figure) show the grey plot background."""
    height = height or max(180, 34 * len(grid.rows) + 110)
    customdata = [[link or "" for _ in grid.columns] for link in grid.links]
    fig = go.Figure(
        go.Heatmap(
            z=grid.values,
            x=grid.columns,
            y=grid.rows,
            text=grid.cell_text,
            texttemplate="%{text}",
            textfont={"size": 12},
            hovertext=grid.hover,
            hovertemplate="%{hovertext}<extra></extra>",
            hoverongaps=True,
            customdata=customdata,
            zmin=zmin,
            zmax=zmax,
            colorscale=DIVERGING,
            xgap=2,
            ygap=2,
            colorbar={"title": {"text": colorbar, "side": "right"}, "thickness": 12, "len": 0.9, "outlinewidth": 0},
        ),
        layout=_layout(
            height,
            plot_bgcolor="#eef1f5",
            xaxis=_axis(side="top", showgrid=False),
            yaxis=_axis(autorange="reversed", showgrid=False, ticksuffix=" "),
        ),
    )
    return fig


# --------------------------------------------------------------------------
# Lines and points
# --------------------------------------------------------------------------


@dataclass
class Series:
    """One line: y is None where a point is suppressed or missing (no marker, no hover)."""

    name: str
    y: list[float | None]
    hover: list[str]
    visible: bool = True
    width: float = 2.0
    labels: list[str] | None = None  # text shown beside each point


def lines(
    x: list[str],
    series: list[Series],
    *,
    y_title: str,
    y_range: tuple[float, float] | None = None,
    height: int = 360,
    percent: bool = False,
) -> go.Figure:
    traces = [
        {
            "type": "scatter",
            "x": x,
            "y": s.y,
            "name": s.name,
            "mode": "lines+markers+text" if s.labels else "lines+markers",
            "text": s.labels,
            "textposition": "top center",
            "textfont": {"size": 12, "color": PALETTE[i % len(PALETTE)]},
            "line": {"color": PALETTE[i % len(PALETTE)], "width": s.width},
            "marker": {"size": 7 if s.width >= 2 else 5},
            "hovertext": s.hover,
            "hovertemplate": "%{hovertext}<extra></extra>",
            "connectgaps": False,
            "visible": True if s.visible else "legendonly",
        }
        for i, s in enumerate(series)
    ]
    # Traces as dicts into one Figure(data=...): go.Figure validates them once (a go.Scatter per
    # trace would be validated twice, and add_trace copies the figure each time).
    return go.Figure(
        data=traces,
        layout=_layout(
            height,
            xaxis=_axis(type="category", showgrid=False),
            yaxis=_axis(
                title={"text": y_title, "font": {"size": 12, "color": MUTED}},
                range=list(y_range) if y_range else None,
                ticksuffix="%" if percent else "",
            ),
        ),
    )


def points(
    x: list[str],
    y: list[float | None],
    hover: list[str],
    links: list[str | None],
    *,
    y_title: str,
    reference: tuple[str, float] | None = None,
    height: int = 340,
    labels: list[str] | None = None,
) -> go.Figure:
    """Teams as dots by level of the tree, with leadership's score as a reference line."""
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text" if labels else "markers",
            text=labels,
            textposition="middle right",
            textfont={"size": 11, "color": MUTED},
            name="Teams",
            marker={"size": 12, "color": PALETTE[1], "line": {"width": 1, "color": "#fff"}, "opacity": 0.9},
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            customdata=[link or "" for link in links],
        ),
        layout=_layout(
            height,
            showlegend=False,
            xaxis=_axis(type="category", showgrid=False),
            yaxis=_axis(title={"text": y_title, "font": {"size": 12, "color": MUTED}}, range=[0, 100]),
        ),
    )
    if reference is not None:
        label, value = reference
        fig.add_hline(
            y=value,
            line={"color": BRAND, "dash": "dash", "width": 1.5},
            annotation_text=label,
            annotation_position="top left",
            annotation_font={"size": 12, "color": BRAND},
        )
    return fig


def scatter(
    x: list[float],
    y: list[float],
    hover: list[str],
    links: list[str | None],
    labels: list[str],
    *,
    x_title: str,
    y_title: str,
    height: int = 360,
) -> go.Figure:
    """Teams as labelled dots on two numeric axes (x a 0–100 score; y from 0 up), e.g. how fast
    decisions feel against how fast they are made."""
    top = max(y, default=0)
    return go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="markers+text",
            text=labels,
            textposition="middle right",
            textfont={"size": 11, "color": MUTED},
            marker={"size": 12, "color": PALETTE[0], "line": {"width": 1, "color": "#fff"}, "opacity": 0.9},
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            customdata=[link or "" for link in links],
            cliponaxis=False,
        ),
        layout=_layout(
            height,
            showlegend=False,
            xaxis=_axis(title={"text": x_title, "font": {"size": 12, "color": MUTED}}, range=[0, 100]),
            yaxis=_axis(title={"text": y_title, "font": {"size": 12, "color": MUTED}}, range=[0, max(1.0, top * 1.15)]),
        ),
    )


# --------------------------------------------------------------------------
# Bars
# --------------------------------------------------------------------------


@dataclass
class BarSeries:
    name: str
    x: list[float | None]  # None: suppressed, no bar
    hover: list[str]


def bars(
    categories: list[str], series: list[BarSeries], *, x_title: str, percent: bool = True, height: int | None = None
) -> go.Figure:
    """Horizontal bars, categories top to bottom, one colour per series (grouped)."""
    height = height or max(200, len(categories) * (22 * max(1, len(series)) + 14) + 90)
    traces = [
        {
            "type": "bar",
            "y": categories,
            "x": s.x,
            "name": s.name,
            "orientation": "h",
            "marker": {"color": PALETTE[i % len(PALETTE)]},
            "hovertext": s.hover,
            "hovertemplate": "%{hovertext}<extra></extra>",
        }
        for i, s in enumerate(series)
    ]
    return go.Figure(
        data=traces,
        layout=_layout(
            height,
            barmode="group",
            bargap=0.25,
            showlegend=len(series) > 1,
            xaxis=_axis(
                title={"text": x_title, "font": {"size": 12, "color": MUTED}},
                range=[0, 100] if percent else None,
                dtick=25 if percent else None,
                ticksuffix="%" if percent else "",
            ),
            yaxis=_axis(autorange="reversed", showgrid=False, ticksuffix=" "),
        ),
    )


def correlations(categories: list[str], r: list[float], hover: list[str], *, height: int | None = None) -> go.Figure:
    """Horizontal bars of correlations (−1..1), strongest at the top: blue moves with the
    outcome, red against it, with the value written at the end of each bar."""
    height = height or max(180, len(categories) * 34 + 70)
    return go.Figure(
        data=[
            {
                "type": "bar",
                "y": categories,
                "x": r,
                "orientation": "h",
                "marker": {"color": [STRONG if v >= 0 else WEAK for v in r]},
                "text": [f"{v:+.2f}" for v in r],
                "textposition": "outside",
                "cliponaxis": False,
                "hovertext": hover,
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        ],
        layout=_layout(
            height,
            showlegend=False,
            bargap=0.3,
            xaxis=_axis(
                title={"text": "Correlation across respondents (r)", "font": {"size": 12, "color": MUTED}},
                range=[-1.15, 1.15],
                tickvals=[-1, -0.5, 0, 0.5, 1],
                zeroline=True,
                zerolinecolor=MUTED,
            ),
            yaxis=_axis(autorange="reversed", showgrid=False, ticksuffix=" "),
        ),
    )


# --------------------------------------------------------------------------
# The dependency network
# --------------------------------------------------------------------------


@dataclass
class Node:
    id: int
    label: str
    hover: str
    link: str | None


@dataclass
class Edge:
    source: int
    target: int
    bucket: str  # a key of EDGE_BUCKETS
    hover: str


EDGE_BUCKETS = {
    "weak": ("Weak link", WEAK, "solid"),
    "moderate": ("Moderate", MODERATE, "solid"),
    "strong": ("Strong", STRONG, "solid"),
    "hidden": ("Not enough responses", HIDDEN_EDGE, "dot"),
    "none": ("No ratings yet", "#cfd6de", "dot"),
}


def network(nodes: list[Node], edges: list[Edge], *, height: int | None = None) -> go.Figure:
    """Teams on a circle, dependencies as arrows coloured by their score (one trace per colour)."""
    n = max(len(nodes), 1)
    height = height or min(680, 340 + 16 * n)
    position = {}
    for i, node in enumerate(nodes):
        angle = math.pi / 2 - 2 * math.pi * (i + 0.5) / n  # no node straight at the top: labels clash less
        position[node.id] = (math.cos(angle), math.sin(angle))
    traces: list = []
    layout = _layout(
        height,
        meta="network",  # dashboard.js lays it out again on phones
        showlegend=True,
        xaxis={"visible": False, "range": [-2.1, 2.1], "fixedrange": True},
        yaxis={"visible": False, "range": [-1.3, 1.3], "scaleanchor": "x", "fixedrange": True},
        legend={"orientation": "h", "yanchor": "top", "y": 0.0, "x": 0, "font": {"size": 12}},
    )
    annotations = []
    for bucket, (label, colour, dash) in EDGE_BUCKETS.items():
        xs, ys, mx, my, hover = [], [], [], [], []
        for edge in (e for e in edges if e.bucket == bucket):
            (x0, y0), (x1, y1) = position[edge.source], position[edge.target]
            # Stop short of the nodes so the arrowhead stays visible.
            dx, dy = x1 - x0, y1 - y0
            length = math.hypot(dx, dy) or 1.0
            ux, uy = dx / length, dy / length
            sx, sy, ex, ey = x0 + ux * 0.07, y0 + uy * 0.07, x1 - ux * 0.09, y1 - uy * 0.09
            xs += [sx, ex, None]
            ys += [sy, ey, None]
            mx.append((sx + ex) / 2)
            my.append((sy + ey) / 2)
            hover.append(edge.hover)
            annotations.append(
                {
                    "x": ex,
                    "y": ey,
                    "ax": ex - ux * 0.12,
                    "ay": ey - uy * 0.12,
                    "xref": "x",
                    "yref": "y",
                    "axref": "x",
                    "ayref": "y",
                    "showarrow": True,
                    "arrowhead": 2,
                    "arrowsize": 1.2,
                    "arrowwidth": 2,
                    "arrowcolor": colour,
                    "text": "",
                }
            )
        if not xs:
            continue
        traces.append(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                mode="lines",
                name=label,
                line={"color": colour, "width": 2.5 if bucket == "weak" else 2, "dash": dash},
                hoverinfo="skip",
                legendgroup=bucket,
            )
        )
        traces.append(
            dict(
                type="scatter",
                x=mx,
                y=my,
                mode="markers",
                name=label,
                marker={"size": 9, "color": colour, "line": {"width": 1, "color": "#fff"}},
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
                showlegend=False,
                legendgroup=bucket,
            )
        )
    xs = [position[node.id][0] for node in nodes]
    ys = [position[node.id][1] for node in nodes]
    traces.append(
        dict(
            type="scatter",
            x=xs,
            y=ys,
            mode="markers+text",
            name="Teams",
            text=[node.label for node in nodes],
            textposition=[_label_side(x, y) for x, y in zip(xs, ys, strict=True)],
            textfont={"size": 12, "color": INK},
            marker={"size": 16, "color": "#ffffff", "line": {"width": 2, "color": BRAND}},
            hovertext=[node.hover for node in nodes],
            hovertemplate="%{hovertext}<extra></extra>",
            customdata=[node.link or "" for node in nodes],
            showlegend=False,
            cliponaxis=False,
        )
    )
    layout["annotations"] = annotations
    return go.Figure(data=traces, layout=layout)


def _label_side(x: float, y: float) -> str:
    """Node labels outside the circle, in the direction of the node (eight directions)."""
    vertical = "top" if y > 0.38 else ("bottom" if y < -0.38 else "middle")
    horizontal = "right" if x > 0.12 else ("left" if x < -0.12 else "center")
    if vertical == "middle" and horizontal == "center":
        horizontal = "right"
    return f"{vertical} {horizontal}"


def not_enough(label: str) -> str:
    """An axis label for a suppressed scope."""
    return f"{label} ({NOT_ENOUGH})"
