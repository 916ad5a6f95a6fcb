"""What the reviews app reads from the insights engine: scores, signals, coordination.

The only module of this app that touches insights. Every function tolerates
insights data being absent (no closed round yet, or the engine not installed)
and returns ``None`` for "not available", so packets and pages say so instead
of failing. Anonymity: a suppressed figure is never turned into a number here;
it travels as ``None`` with ``suppressed=True``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def is_available() -> bool:
    return False


def survey_changes(team_ids: set[int], *, since: datetime | None) -> dict[int, list[dict[str, Any]]] | None:
    """team id → [{dimension, label, before, after, delta, suppressed}] between the last round before
    ``since`` and the latest closed round; ``None`` when insights has nothing."""
    return None


def team_signals(team_ids: set[int]) -> dict[int, list[dict[str, Any]]] | None:
    """team id → [{source, kind, severity, title}] of the insights signals about that team."""
    return None


def weak_links(team_ids: set[int]) -> dict[int, list[dict[str, Any]]] | None:
    """team id → [{from_team, to_team, score, direction}] weakest coordination links touching the team."""
    return None


def team_scores(team_id: int) -> list[dict[str, Any]] | None:
    """The team's latest dimension scores: [{dimension, label, score, suppressed, round}]."""
    return None


def before_after(actions: list) -> dict[int, dict[str, Any]]:
    """action id → {before, after, org_before, org_after, change, org_change, rounds} once a round closed after it."""
    return {}
