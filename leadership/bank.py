"""The 360° feedback items: what raters rate a leader on (1–5 agree/disagree) and the two comments.

Frozen keys: reports compare by key. Wording is third person about the leader, so the
same sheet serves every relationship (the leader rating themself reads "{name}" as
themself, which the page says).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Item:
    key: str
    area: str  # the focus area a development plan can pick
    text: object  # lazy translation, formatted with the leader's name


ITEMS: tuple[Item, ...] = (
    Item("priorities", "alignment", _("%(name)s makes clear what matters most right now.")),
    Item("why", "alignment", _("%(name)s explains why our priorities were chosen.")),
    Item("connects", "coordination", _("%(name)s connects our work to the work of other teams.")),
    Item("obstacles", "leadership", _("%(name)s helps remove obstacles to our work.")),
    Item("feedback", "leadership", _("%(name)s gives feedback that helps people improve.")),
    Item("listens", "communication", _("%(name)s listens and changes course when given good reasons.")),
    Item("decides", "decision_velocity", _("%(name)s makes decisions quickly enough.")),
    Item("develops", "team_health", _("%(name)s makes it safe to raise problems and admit mistakes.")),
)
ITEM_KEYS = tuple(i.key for i in ITEMS)
BY_KEY = {i.key: i for i in ITEMS}

COMMENT_KEEP = "comment-keep"
COMMENT_CHANGE = "comment-change"
COMMENTS: tuple[tuple[str, object], ...] = (
    (COMMENT_KEEP, _("What should %(name)s keep doing?")),
    (COMMENT_CHANGE, _("What should %(name)s do differently?")),
)

LIKERT_LABELS = (
    (1, _("Strongly disagree")),
    (2, _("Disagree")),
    (3, _("Neither agree nor disagree")),
    (4, _("Agree")),
    (5, _("Strongly agree")),
)
