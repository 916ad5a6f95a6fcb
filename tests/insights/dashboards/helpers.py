"""Reading dashboard pages in tests: the embedded figures, the tables, the CSV exports."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

from django.urls import reverse

PAGES = ["dashboard", "dashboard_coordination", "dashboard_trends", "dashboard_priorities", "dashboard_comments"]


def url(name: str, tenant, team=None, **query) -> str:
    kwargs = {"org_slug": tenant.org.slug}
    if team is not None:
        name += "_team"
        kwargs["team_id"] = team.pk
    path = reverse(name, kwargs=kwargs)
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def figures(html: str) -> dict[str, dict]:
    """chart id → its Plotly figure, as the page embeds it."""
    found = re.findall(r'<script type="application/json" id="fig-([\w-]+)">(.*?)</script>', html, re.S)
    return {chart_id: json.loads(body) for chart_id, body in found}


class _Tables(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = None
        self._in_caption = False
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables.setdefault(self._caption.strip(), self._rows)
            self._rows = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    """caption → rows (header first) of every table on the page."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv"), response["Content-Type"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def has_digit(text: str) -> bool:
    return bool(re.search(r"\d", text))
