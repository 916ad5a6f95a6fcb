"""The priority cascade: company → department → team priorities of a period, with coverage figures.

* coverage: the share of team priorities linked upward (to a department or company priority);
* company priorities no team carries: no team-level priority serves them, directly or
  through a department priority;
* priorities linked to nothing: department and team priorities with no parent, the
  "competing priorities" a team pursues beside the company's.

A quarter's company priorities include the year's (a 2027-Q1 team priority may serve
a 2027 company priority). Two queries whatever the size of the tree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from peakos.models import Priority, PriorityLevel, Team, TeamKind
from peakos.selectors import team_tree
from reviews.models import parent_periods


@dataclass
class Node:
    priority: Priority
    children: list[Node] = field(default_factory=list)
    carried_by_team: bool = False


@dataclass
class DepartmentCoverage:
    department: Team
    total: int
    linked: int

    @property
    def coverage(self) -> float | None:
        return self.linked / self.total if self.total else None


@dataclass
class Cascade:
    period: str
    roots: list[Node]
    unlinked: list[Priority]  # department/team priorities linked to nothing: competing priorities
    uncarried: list[Node]  # company priorities no team priority serves
    team_total: int
    team_linked: int
    departments: list[DepartmentCoverage]
    linked_elsewhere: list[Priority]  # linked to a priority outside the period shown
    periods: list[str]

    @property
    def coverage(self) -> float | None:
        """Share of team priorities linked upward (to a department or company priority)."""
        return self.team_linked / self.team_total if self.team_total else None


def cascade_periods() -> list[str]:
    return sorted(set(Priority.objects.values_list("period", flat=True)), reverse=True)


def cascade(organization, period: str) -> Cascade:
    """The company → department → team tree of one period, with coverage figures. Two queries."""
    periods = parent_periods(period)
    priorities = list(
        Priority.objects.filter(
            Q(level=PriorityLevel.COMPANY, period__in=periods) | (~Q(level=PriorityLevel.COMPANY) & Q(period=period))
        )
        .select_related("team")
        .order_by("level", "rank", "title")
    )
    nodes = {p.pk: Node(p) for p in priorities}
    roots, unlinked, elsewhere = [], [], []
    for p in priorities:
        node = nodes[p.pk]
        if p.level == PriorityLevel.COMPANY:
            roots.append(node)
        elif p.parent_id is None:
            unlinked.append(p)
        elif p.parent_id in nodes:
            nodes[p.parent_id].children.append(node)
        else:
            elsewhere.append(p)
    level_order = {PriorityLevel.COMPANY: 0, PriorityLevel.DEPARTMENT: 1, PriorityLevel.TEAM: 2}
    for node in nodes.values():
        node.children.sort(key=lambda n: (level_order[n.priority.level], n.priority.team.name, n.priority.rank))

    def carried(node: Node) -> bool:
        node.carried_by_team = any(
            child.priority.level == PriorityLevel.TEAM or carried(child) for child in node.children
        ) if node.children else False  # fmt: skip
        return node.carried_by_team

    for root in roots:
        carried(root)
    roots.sort(key=lambda n: (n.priority.period != period, n.priority.rank, n.priority.title))

    team_prios = [p for p in priorities if p.level == PriorityLevel.TEAM]
    tree = team_tree(organization)

    def department_of(team_id: int) -> int | None:
        for tid in [*tree.ancestors(team_id), team_id]:
            if tree.teams[tid].kind == TeamKind.DEPARTMENT:
                return tid
        return None

    per_dept: dict[int | None, list[Priority]] = defaultdict(list)
    for p in team_prios:
        per_dept[department_of(p.team_id) if p.team_id in tree.teams else None].append(p)
    departments = [
        DepartmentCoverage(tree.teams[d], len(items), sum(1 for p in items if p.parent_id))
        for d, items in per_dept.items()
        if d is not None
    ]
    departments.sort(key=lambda d: d.department.name)
    return Cascade(
        period=period,
        roots=roots,
        unlinked=sorted(unlinked, key=lambda p: (p.team.name, p.rank)),
        uncarried=[n for n in roots if not n.carried_by_team],
        team_total=len(team_prios),
        team_linked=sum(1 for p in team_prios if p.parent_id),
        departments=departments,
        linked_elsewhere=elsewhere,
        periods=cascade_periods(),
    )
