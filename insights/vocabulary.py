"""The words of insights, declared once (no Django).

Models, the engine, the writer, the selectors and the API serializers take
their scope kinds, scope keys and figure names from here, so adding a figure
or a scope kind starts in this file.
"""

from __future__ import annotations

from typing import NamedTuple

# --- Scopes ---------------------------------------------------------------------------------
ORGANIZATION = "organization"  # everyone who answered
LEADERSHIP = "leadership"  # the members of a leadership-kind team (its own people, not its subtree)
DEPARTMENT = "department"  # a department-kind team's whole subtree
TEAM = "team"  # a team-kind team's whole subtree
LAYER = "layer"  # everyone of one management layer
DEPTH = "depth"  # the members of every team at one depth of the tree (0 = top)

SCOPE_KINDS = (ORGANIZATION, LEADERSHIP, DEPARTMENT, TEAM, LAYER, DEPTH)
SCOPE_LABELS = {
    ORGANIZATION: "Organization",
    LEADERSHIP: "Leadership team",
    DEPARTMENT: "Department",
    TEAM: "Team",
    LAYER: "Layer",
    DEPTH: "Depth in the team tree",
}
TEAM_SCOPE_KINDS = (LEADERSHIP, DEPARTMENT, TEAM)
CROSS_KINDS = (LAYER, DEPTH)  # cut across the team tree


class ScopeKey(NamedTuple):
    """Names a scope the way the models do: kind plus team id, layer or depth."""

    kind: str
    team: int | None = None
    layer: str = ""
    depth: int | None = None


# --- Questions the engine counts ------------------------------------------------------------
LIKERT5, SCALE10, PRIORITY_PICK, RATE_TEAM = "likert5", "scale10", "priority_pick", "rate_team"
ENPS = "enps"
ALIGNMENT = "alignment"
OUTCOMES = (ENPS, ALIGNMENT)  # what the driver analysis correlates each dimension with
# Dimensions that are not pooled Likert scores even when a Likert question carries them.
NOT_SCORED = frozenset({ENPS, "priority_pick", "rate_team", "comment"})

# --- Figures --------------------------------------------------------------------------------
# What ``scoring.summaries`` gives per histogram (Likert or eNPS), in the API's order.
SUMMARY_FIGURES = ("score", "mean", "favorable_share", "unfavorable_share", "spread")
# Per outcome, the correlation of a dimension with it across respondents (``driver_enps``, …).
DRIVER_FIGURES = tuple(f"driver_{outcome}" for outcome in OUTCOMES)
# Stored per snapshot (round × scope × dimension); null on a suppressed row. The model's
# fields, the writer's columns, the selectors' rows and the API's fields, in this order.
SNAPSHOT_FIGURES = ("respondents", *SUMMARY_FIGURES, "delta", "gap", *DRIVER_FIGURES)
# Computed by the engine as arrays [scope, dimension] (respondents is a count, the rest floats).
SNAPSHOT_FLOATS = SNAPSHOT_FIGURES[1:]
# Stored per round × scope (``Participation``), per round × scope (``PriorityAlignment``) and
# per rater × rated team (``CoordinationCell``); all null on a suppressed row.
PARTICIPATION_FIGURES = ("respondents", "invited", "rate")
PRIORITY_FIGURES = ("respondents", "top_priority_share", "top_overlap", "pick_counts")
COORDINATION_FIGURES = ("respondents", "mean", "score")

# --- Why a scope is hidden ------------------------------------------------------------------
FEW = "few"  # fewer respondents than the threshold
PROTECT = "protect"  # hidden so that a smaller group cannot be worked out
HIDDEN_REASONS = {
    FEW: "fewer than {k} responses",
    PROTECT: "hidden so a smaller group cannot be worked out",
}

# --- What is published live -----------------------------------------------------------------
# While a round is open, only respondent counts and dimension scores are released, in
# batches (see insights.engine.publish); comments, priority picks, coordination and drivers
# appear when the round closes.
RESPONDENTS = "respondents"  # the variable of respondent counts (participation)
