"""Small dependency graphs laid out on the server and drawn as inline SVG by a template.

No JavaScript and no CDN: the template ``peakos/manage/_graph.html`` renders the
nodes and edges computed here (the template engine escapes every team name).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

NODE_W, NODE_H, ROW_H = 150, 34, 44
MAX_LABEL = 19


@dataclass
class Node:
    x: float
    y: float
    label: str
    title: str
    url: str = ""
    current: bool = False
    w: float = NODE_W
    h: float = NODE_H
    anchor: str = "middle"  # circle layout: where the label sits
    lx: float = 0
    ly: float = 0

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    title: str


@dataclass
class Graph:
    width: int
    height: int
    nodes: list[Node]
    edges: list[Edge]
    shape: str = "box"  # "box" (team neighbourhood) or "dot" (organization circle)
    headings: tuple = ()


def _short(name: str, limit: int = MAX_LABEL) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def neighbourhood(team, depended_on_by: list, depends_on: list, url_for=lambda t: "") -> Graph:
    """Three columns: the teams that need this team → the team → the teams it needs."""
    left = [d.from_team for d in depended_on_by]
    right = [d.to_team for d in depends_on]
    rows = max(len(left), len(right), 1)
    top = 30
    height = top + rows * ROW_H + 10
    xs = (4, 4 + NODE_W + 44, 4 + 2 * (NODE_W + 44))
    width = xs[2] + NODE_W + 4

    def column(teams, x):
        offset = top + (rows - len(teams)) * ROW_H / 2
        return [Node(x, offset + i * ROW_H, _short(t.name), t.name, url_for(t)) for i, t in enumerate(teams)]

    centre = Node(xs[1], top + (rows - 1) * ROW_H / 2, _short(team.name), team.name, current=True)
    lefts, rights = column(left, xs[0]), column(right, xs[2])
    edges = [Edge(n.x + n.w, n.cy, centre.x - 6, centre.cy, f"{n.title} depends on {team.name}") for n in lefts]
    edges += [Edge(centre.x + centre.w, centre.cy, n.x - 6, n.cy, f"{team.name} depends on {n.title}") for n in rights]
    headings = ((xs[0], "Depend on it"), (xs[1], "This team"), (xs[2], "It depends on"))
    return Graph(width, int(height), [*lefts, centre, *rights], edges, "box", headings)


def organization_circle(dependencies: list, url_for=lambda t: "") -> Graph:
    """Every team that has a dependency, on a circle; an arrow from each team to the team it depends on."""
    teams = {}
    for d in dependencies:
        teams.setdefault(d.from_team_id, d.from_team)
        teams.setdefault(d.to_team_id, d.to_team)
    ordered = sorted(teams.values(), key=lambda t: t.name.casefold())
    n = len(ordered)
    if n == 0:
        return Graph(0, 0, [], [], "dot")
    radius = max(90, 26 * n / math.pi)
    margin_x, margin_y = 150, 30
    width, height = int(2 * (radius + margin_x)), int(2 * (radius + margin_y))
    cx, cy = width / 2, height / 2
    nodes, where = [], {}
    for i, team in enumerate(ordered):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        nodes.append(Node(x, y, _short(team.name, 20), team.name, url_for(team), w=0, h=0))
        where[team.id] = (x, y)
    edges = []
    for d in dependencies:
        (x1, y1), (x2, y2) = where[d.from_team_id], where[d.to_team_id]
        length = math.hypot(x2 - x1, y2 - y1) or 1
        trim = 11 / length  # stop short of the dots so the arrowhead shows
        edges.append(
            Edge(
                x1 + (x2 - x1) * trim,
                y1 + (y2 - y1) * trim,
                x2 - (x2 - x1) * trim,
                y2 - (y2 - y1) * trim,
                f"{d.from_team.name} depends on {d.to_team.name}",
            )
        )
    for node in nodes:  # labels outside the circle, anchored away from the centre
        node.anchor = "start" if node.x > cx + 1 else "end" if node.x < cx - 1 else "middle"
        node.lx = node.x + (10 if node.anchor == "start" else -10 if node.anchor == "end" else 0)
        node.ly = node.y + (4 if node.anchor != "middle" else (-12 if node.y < cy else 20))
    return Graph(width, height, nodes, edges, "dot")
