"""Submitted versions of a business review: the frozen JSON snapshot and the diff of two snapshots.

A snapshot is plain JSON (strings, numbers as strings, lists of dicts) so a
version reads the same years later, whatever happens to the rows it came from
(a renamed team, a deleted priority). ``diff_snapshots`` is pure: it takes two
snapshots and says, section by section, what was added, removed or changed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

TEXT_SECTIONS = [("wins", _("Wins")), ("misses", _("Misses")), ("lessons", _("Lessons"))]

# section -> (title, key identifying a row across versions, fields compared)
LIST_SECTIONS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "metrics": (_("Metrics"), ("name",), ("target", "actual", "unit", "status")),
    "priorities": (_("Next-period priorities"), ("title",), ("description", "link")),
    "risks": (_("Risks"), ("description",), ("severity", "owner", "mitigation")),
    "asks": (_("Asks of other teams"), ("to_team", "request"), ()),
}


def snapshot_of(review) -> dict[str, Any]:
    """Freeze a review (with metrics, priorities, risks and asks prefetched) as JSON."""
    return {
        "team": review.team.name,
        "cycle": str(review.cycle),
        "health": review.health,
        "wins": review.wins,
        "misses": review.misses,
        "lessons": review.lessons,
        "metrics": [
            {
                "name": m.name,
                "target": _num(m.target),
                "actual": _num(m.actual),
                "unit": m.unit,
                "status": m.get_status_display(),
            }
            for m in review.metrics.all()
        ],
        "priorities": [
            {
                "title": p.title,
                "description": p.description,
                "parent_id": p.parent_id,
                "link": p.parent.title if p.parent_id else ("Unlinked on purpose" if p.unlinked else "Not linked yet"),
            }
            for p in review.priorities.all()
        ],
        "risks": [
            {
                "description": r.description,
                "severity": r.get_severity_display(),
                "owner": r.owner.name if r.owner_id else "",
                "mitigation": r.mitigation,
            }
            for r in review.risks.all()
        ],
        "asks": [
            {"to_team": a.to_team.name, "to_team_id": a.to_team_id, "request": a.request} for a in review.asks.all()
        ],
    }


def _num(value) -> str | None:
    """Decimals as short strings: 12.50 → "12.5", 40.00 → "40"."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


@dataclass
class TextDiff:
    title: str
    lines: list[tuple[str, str]]  # (" " | "+" | "-", line)

    @property
    def changed(self) -> bool:
        return any(op != " " for op, _ in self.lines)


@dataclass
class RowChange:
    kind: str  # "added" | "removed" | "changed" | "same"
    label: str
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (field, before, after)


@dataclass
class ListDiff:
    title: str
    rows: list[RowChange]

    @property
    def changed(self) -> bool:
        return any(r.kind != "same" for r in self.rows)


@dataclass
class SnapshotDiff:
    health: tuple[Any, Any]
    texts: list[TextDiff]
    lists: list[ListDiff]

    @property
    def changed(self) -> bool:
        return (
            self.health[0] != self.health[1]
            or any(t.changed for t in self.texts)
            or any(sec.changed for sec in self.lists)
        )


def diff_text(before: str, after: str) -> list[tuple[str, str]]:
    """Line diff: unchanged lines kept for context, removed lines as "-", added as "+"."""
    out = []
    for line in difflib.ndiff((before or "").splitlines(), (after or "").splitlines()):
        op, text = line[:1], line[2:]
        if op in (" ", "+", "-"):
            out.append((op, text))
    return out


def diff_rows(before: list[dict], after: list[dict], key: tuple[str, ...], fields: tuple[str, ...]) -> list[RowChange]:
    """Match rows by ``key``; report added, removed and per-field changes, in the order of ``after``."""

    def k(row):
        return tuple(str(row.get(name, "")).strip().lower() for name in key)

    def label(row):
        return " → ".join(str(row.get(name, "")) for name in key) if len(key) > 1 else str(row.get(key[0], ""))

    old = {k(r): r for r in before}
    seen = set()
    out: list[RowChange] = []
    for row in after:
        rk = k(row)
        seen.add(rk)
        if rk not in old:
            out.append(RowChange("added", label(row), [(f, None, row.get(f)) for f in fields if row.get(f)]))
            continue
        changes = [(f, old[rk].get(f), row.get(f)) for f in fields if old[rk].get(f) != row.get(f)]
        out.append(RowChange("changed" if changes else "same", label(row), changes))
    out.extend(RowChange("removed", label(r)) for r in before if k(r) not in seen)
    return out


def diff_snapshots(before: dict, after: dict) -> SnapshotDiff:
    return SnapshotDiff(
        health=(before.get("health"), after.get("health")),
        texts=[TextDiff(title, diff_text(before.get(key, ""), after.get(key, ""))) for key, title in TEXT_SECTIONS],
        lists=[
            ListDiff(title, diff_rows(before.get(section, []), after.get(section, []), key, fields))
            for section, (title, key, fields) in LIST_SECTIONS.items()
        ],
    )
