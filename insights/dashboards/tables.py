"""The tables of the dashboards: one object per table, rendered as HTML and exported as CSV.

A page builds its tables once; the template shows them (also as the screen-reader
version of each chart) and ``?format=csv&table=<name>`` writes the very same rows.
So a figure can only reach an export if it is on the page, and a suppressed scope is
"not enough responses" in both, never a number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

NOT_ENOUGH = "not enough responses"
NO_DATA = "—"


@dataclass(frozen=True)
class Cell:
    """``text`` for the page, ``value`` for the CSV (a number or a string)."""

    text: str
    value: Any = ""
    css: str = ""
    href: str | None = None
    badge: str = ""  # shown as a badge of that kind: good, warn, bad, info

    @property
    def suppressed(self) -> bool:
        return self.css == "suppressed"


def text(value: str, href: str | None = None, css: str = "") -> Cell:
    return Cell(value, value, css, href)


def suppressed() -> Cell:
    return Cell(NOT_ENOUGH, NOT_ENOUGH, "suppressed")


def missing() -> Cell:
    """No figure exists (no earlier round, no rating yet): neither a number nor suppressed."""
    return Cell(NO_DATA, "", "muted")


def _number(value: float | None, shown: str, csv_digits: int = 1) -> Cell:
    if value is None:
        return missing()
    return Cell(shown, round(value, csv_digits), "num")


def score(value: float | None, *, is_suppressed: bool = False) -> Cell:
    """A 0–100 score."""
    return suppressed() if is_suppressed else _number(value, f"{value:.0f}" if value is not None else "")


def signed(value: float | None, *, is_suppressed: bool = False, unit: str = "") -> Cell:
    """A change or an eNPS: always with its sign."""
    if is_suppressed:
        return suppressed()
    if value is None:
        return missing()
    rounded = round(value)
    shown = f"+{rounded}" if rounded > 0 else ("0" if rounded == 0 else f"−{abs(rounded)}")
    css = "num delta up" if rounded > 0 else ("num delta down" if rounded < 0 else "num")
    return Cell(shown + unit, round(value, 1), css)


def share(value: float | None, *, is_suppressed: bool = False) -> Cell:
    """A 0–1 share shown as a percentage (the CSV has the percentage too)."""
    if is_suppressed:
        return suppressed()
    if value is None:
        return missing()
    return Cell(f"{value * 100:.0f}%", round(value * 100, 1), "num")


def mean(value: float | None, *, is_suppressed: bool = False) -> Cell:
    """A mean on the 1–5 scale."""
    if is_suppressed:
        return suppressed()
    return _number(value, f"{value:.1f}" if value is not None else "", 2)


def correlation(value: float | None) -> Cell:
    """A correlation coefficient (−1..1), two decimals with its sign."""
    if value is None:
        return missing()
    shown = f"{abs(value):.2f}"
    shown = "0.00" if shown == "0.00" else ("+" if value > 0 else "−") + shown
    return Cell(shown, round(value, 2), "num")


def count(value: int | None, *, is_suppressed: bool = False) -> Cell:
    if is_suppressed:
        return suppressed()
    if value is None:
        return missing()
    return Cell(f"{value:,}", value, "num")


@dataclass
class Table:
    name: str  # the ?table= of its export
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""
    cap: int | None = None  # most rows a page lists (its CSV has every row: built without a cap)
    skipped: int = 0  # rows past the cap, counted, not built

    @property
    def header(self) -> list[tuple[str, bool]]:
        """(label, numeric) per column: numeric columns are right-aligned."""
        return [
            (label, any(i < len(row) and "num" in row[i].css for row in self.rows))
            for i, label in enumerate(self.columns)
        ]

    @property
    def full(self) -> bool:
        """At the cap: count further rows (``skip``) instead of building them."""
        return self.cap is not None and len(self.rows) >= self.cap

    def skip(self) -> None:
        self.skipped += 1

    @property
    def total(self) -> int:
        return len(self.rows) + self.skipped

    def body_html(self) -> SafeString:
        """The <tbody> rows. Built here, not in a template loop: a table of a large organization
        has thousands of cells and Django's template engine would spend most of the request on them."""
        out = []
        for row in self.rows:
            parts = ["<tr>"]
            for i, cell in enumerate(row):
                content = escape(cell.text)
                if cell.badge:
                    content = f'<span class="badge badge-{escape(cell.badge)}">{content}</span>'
                elif cell.href:
                    content = f'<a href="{escape(cell.href)}">{content}</a>'
                elif cell.suppressed:
                    content = f'<span class="suppressed">{content}</span>'
                if i == 0:
                    parts.append(f'<th scope="row">{content}</th>')
                else:
                    css = f' class="{escape(cell.css)}"' if cell.css else ""
                    parts.append(f"<td{css}>{content}</td>")
            parts.append("</tr>")
            out.append("".join(parts))
        return mark_safe("\n".join(out))  # noqa: S308 - every value escaped above

    def add(self, cells: list[Cell]) -> None:
        self.rows.append(cells)

    def is_empty(self) -> bool:
        return not self.rows


# A cell starting with one of these is a formula in a spreadsheet: neutralise it (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_response(table: Table, *, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_value(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(cell.value) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(filename)}.csv"'
    return response
