"""Writes of the reviews app: cycles, drafts, the review workflow, asks and actions.

Each service is one transaction, checks the role rules of reviews/access.py,
validates all of its input before writing anything (a bad row changes nothing),
and raises ``ValidationError`` with keys the views map back onto their forms:
``"wins"``, ``"metrics"`` (the whole section) or ``"metrics.2.actual"`` (a row's field).

Modules, by domain: ``cycles`` (open, close, e-mails, reminders, the tick),
``drafts`` (saving a review), ``workflow`` (submit, approve/return, asks),
``actions`` (action plans). Callers import from ``reviews.services``.
"""

from reviews.services.actions import create_action, update_action
from reviews.services.cycles import (
    REMINDER_DAYS_BEFORE,
    TickResult,
    close_cycle,
    create_cycle,
    open_cycle,
    open_cycle_now,
    reminder_due,
    send_invitations,
    send_reminders,
    tick,
)
from reviews.services.drafts import UNLINKED, parse_number, save_draft
from reviews.services.workflow import (
    answer_ask,
    completeness_errors,
    decide_review,
    send_decision_email,
    set_next_period_priorities,
    submit_review,
)

__all__ = [
    "REMINDER_DAYS_BEFORE",
    "UNLINKED",
    "TickResult",
    "answer_ask",
    "close_cycle",
    "completeness_errors",
    "create_action",
    "create_cycle",
    "decide_review",
    "open_cycle",
    "open_cycle_now",
    "parse_number",
    "reminder_due",
    "save_draft",
    "send_decision_email",
    "send_invitations",
    "send_reminders",
    "set_next_period_priorities",
    "submit_review",
    "tick",
    "update_action",
]
