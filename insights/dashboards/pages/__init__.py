"""One builder per dashboard page: it reads through ``insights.selectors`` (a fixed
number of queries, whatever the number of teams), then assembles tiles, charts and tables.

A :class:`Page` is what the template shows and what ``?format=csv&table=…`` exports: the
export can only write a table the page builds, with the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from insights.dashboards.charts import Chart
from insights.dashboards.tables import Cell, Table
from insights.vocabulary import NOT_SCORED
from surveys.models import Dimension

# Likert dimensions in the product's order; eNPS is on its own scale (−100..100).
LIKERT = [d for d in Dimension.values if d not in NOT_SCORED]
LABELS = dict(Dimension.choices)
SHORT = {
    Dimension.LEADERSHIP: "Leadership",
    Dimension.COORDINATION: "Coordination",
    Dimension.EXECUTION_CONFIDENCE: "Execution",
    Dimension.DECISION_VELOCITY: "Decisions",
}


def short(dimension: str) -> str:
    """Column label of a dimension (the full name is in the hover text)."""
    return SHORT.get(dimension, LABELS.get(dimension, dimension))


@dataclass
class Tile:
    label: str
    value: Cell
    change: Cell | None = None
    note: str = ""


@dataclass
class Page:
    title: str
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)  # shown on their own (not behind a chart)
    tiles: list[Tile] = field(default_factory=list)
    empty: str = ""  # a reason to show an empty state instead of the page: "no_round", "suppressed", …
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def chart(self, chart_id: str) -> Chart | None:
        return next((c for c in self.charts if c.id == chart_id), None)

    def table(self, name: str) -> Table | None:
        """The table of that name, whether shown on its own or behind a chart."""
        for table in [*self.tables, *(c.table for c in self.charts)]:
            if table.name == name:
                return table
        return None

    def export_names(self) -> list[str]:
        seen: list[str] = []
        for table in [*(c.table for c in self.charts), *self.tables]:
            if table.name not in seen:
                seen.append(table.name)
        return seen
