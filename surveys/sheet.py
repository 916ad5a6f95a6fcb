"""The answer sheet: what one respondent is asked, how the page names its fields, and
how a submitted form is checked.

Every text a respondent reads is in the active language (the view activates the
person's): labels and messages through gettext, each question's wording through
``Question.wording`` (its own text, or the organization's default language when a
translation is missing). Field names and values never depend on the language, so a
draft survives a switch of language and the answers of every language are alike.

The same sheet renders the employee's page and the admin's preview (so the preview is
exactly what employees see) and validates a submission before anything is stored.

Field names: ``q<id>`` for one-value questions, ``q<id>_t<team id>`` for each team of
a rate-a-team question and ``q<id>_r<rank>`` for each rank of a priority pick.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from peakos.models import Priority, Team
from peakos.textcheck import BAD_CHARACTERS
from surveys.models import COMMENT_MAX_LENGTH, Question, QuestionKind

FIELD_RE = re.compile(r"^q\d+(_[tr]\d+)?$")
MAX_PRIORITY_PICKS = 3

LIKERT_LABELS = [
    gettext_lazy("Strongly disagree"),
    gettext_lazy("Disagree"),
    gettext_lazy("Neutral"),
    gettext_lazy("Agree"),
    gettext_lazy("Strongly agree"),
]
RATE_LABELS = [
    pgettext_lazy("how well a team works with yours", "Very poorly"),
    pgettext_lazy("how well a team works with yours", "Poorly"),
    pgettext_lazy("how well a team works with yours", "OK"),
    pgettext_lazy("how well a team works with yours", "Well"),
    pgettext_lazy("how well a team works with yours", "Very well"),
]
RANK_LABELS = [
    pgettext_lazy("rank of a priority pick", "Most important"),
    pgettext_lazy("rank of a priority pick", "Second"),
    pgettext_lazy("rank of a priority pick", "Third"),
]


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


@dataclass
class AnswerInput:
    """One validated answer, ready to be stored."""

    question: Question
    value: int | None = None
    text: str = ""
    rated_team_id: int | None = None
    priority_id: int | None = None


@dataclass
class SheetItem:
    number: int
    question: Question
    teams: list[Team] = field(default_factory=list)  # rate_team
    priorities: list[Priority] = field(default_factory=list)  # priority_pick

    @property
    def name(self) -> str:
        return f"q{self.question.id}"

    @property
    def required(self) -> bool:
        return self.question.required

    @property
    def ranks(self) -> list[int]:
        return list(range(1, min(MAX_PRIORITY_PICKS, len(self.priorities)) + 1))

    def field_names(self) -> list[str]:
        kind = self.question.kind
        if kind == QuestionKind.RATE_TEAM:
            return [f"{self.name}_t{t.id}" for t in self.teams]
        if kind == QuestionKind.PRIORITY_PICK:
            return [f"{self.name}_r{r}" for r in self.ranks]
        return [self.name]


@dataclass
class AnswerSheet:
    items: list[SheetItem]

    @property
    def required_count(self) -> int:
        return sum(1 for i in self.items if i.required)

    def field_names(self) -> set[str]:
        return {name for item in self.items for name in item.field_names()}

    def clean(self, data) -> list[AnswerInput]:
        """Validate a submitted form; raise ``ValidationError`` keyed by field name
        (``__all__`` for the form) or return the answers. Nothing is stored here."""
        errors: dict[str, list[str]] = {}
        known = self.field_names()
        unknown = [k for k in data if FIELD_RE.match(k) and k not in known]
        if unknown:
            errors["__all__"] = [_("The form had answers to questions that are not in this survey. Please try again.")]
        answers: list[AnswerInput] = []
        for item in self.items:
            try:
                answers.extend(_clean_item(item, data))
            except ValidationError as exc:
                errors.setdefault(item.name, []).extend(exc.messages)
        if errors:
            if "__all__" not in errors:
                count = len(errors)
                errors["__all__"] = [
                    ngettext("Please check %(count)s question below.", "Please check %(count)s questions below.", count)
                    % {"count": count}
                ]
            raise ValidationError(errors)
        return answers


def _int(raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError(_("Choose one of the options."))
    if not low <= value <= high:
        raise ValidationError(_("Choose a value from %(low)s to %(high)s.") % {"low": low, "high": high})
    return value


def _clean_item(item: SheetItem, data) -> list[AnswerInput]:  # noqa: C901 (one branch per question kind, each with its own validation message)
    q = item.question
    kind = q.kind
    if kind == QuestionKind.TEXT:
        text = (data.get(item.name) or "").replace("\r\n", "\n").strip()
        if BAD_CHARACTERS.search(text):
            # PostgreSQL cannot store a NUL (pasted from a PDF, say). Refused rather than silently
            # changed; the page shows the comment again without it (see views.answer).
            raise ValidationError(
                _(
                    "Your comment contained an invisible character that cannot be saved (NUL). "
                    "We removed it: check your comment and send it again."
                )
            )
        if len(text) > COMMENT_MAX_LENGTH:
            raise ValidationError(
                _("Keep your comment under %(max)s characters (it has %(length)s).")
                % {"max": _number(COMMENT_MAX_LENGTH), "length": _number(len(text))}
            )
        if not text:
            if q.required:
                raise ValidationError(_("This question needs an answer."))
            return []
        return [AnswerInput(question=q, text=text)]

    if kind in (QuestionKind.LIKERT5, QuestionKind.SCALE10, QuestionKind.SINGLE_CHOICE):
        raw = (data.get(item.name) or "").strip()
        if not raw:
            if q.required:
                raise ValidationError(_("This question needs an answer."))
            return []
        low, high = q.value_range
        return [AnswerInput(question=q, value=_int(raw, low, high))]

    if kind == QuestionKind.RATE_TEAM:
        out = []
        for team in item.teams:
            raw = (data.get(f"{item.name}_t{team.id}") or "").strip()
            if raw:
                out.append(AnswerInput(question=q, value=_int(raw, 1, 5), rated_team_id=team.id))
        if q.required and len(out) < len(item.teams):
            raise ValidationError(_("Rate every team in the list."))
        return out

    if kind == QuestionKind.PRIORITY_PICK:
        valid = {p.id for p in item.priorities}
        out, seen = [], set()
        for rank in item.ranks:
            raw = (data.get(f"{item.name}_r{rank}") or "").strip()
            if not raw:
                continue
            try:
                pid = int(raw)
            except ValueError:
                pid = None
            if pid not in valid:
                raise ValidationError(_("Choose priorities from the list."))
            if pid in seen:
                raise ValidationError(_("Pick each priority only once."))
            seen.add(pid)
            out.append(AnswerInput(question=q, value=rank, priority_id=pid))
        if q.required and not out:
            raise ValidationError(_("Pick at least the most important priority."))
        ranks = [a.value for a in out]
        if ranks != list(range(1, len(ranks) + 1)):
            raise ValidationError(_("Fill the ranks in order: first, then second, then third."))
        return out
    raise ValidationError(_("This question cannot be answered here."))


def bind(
    sheet: AnswerSheet,
    data=None,
    errors: dict | None = None,
    *,
    language: str = "en",
    fallback: str | None = None,
) -> list[dict]:
    """Template-ready items: the wording in ``language`` (else ``fallback``), choices with
    their current value, and the item's errors."""
    data = data or {}
    errors = errors or {}
    out = []
    for item in sheet.items:
        q = item.question
        wording = q.wording(language, fallback)
        entry = {
            "item": item,
            "question": q,
            "text": wording.text,
            "help_text": wording.help_text,
            "text_language": wording.language,
            "number": item.number,
            "name": item.name,
            "kind": q.kind,
            "required": q.required,
            "errors": errors.get(item.name, []),
        }
        if q.kind == QuestionKind.LIKERT5:
            entry["choices"] = _choices(item.name, data, [(str(i + 1), label) for i, label in enumerate(LIKERT_LABELS)])
        elif q.kind == QuestionKind.SCALE10:
            entry["choices"] = _choices(item.name, data, [(str(i), str(i)) for i in range(11)])
        elif q.kind == QuestionKind.SINGLE_CHOICE:
            entry["choices"] = _choices(item.name, data, [(str(i), o) for i, o in enumerate(wording.options)])
        elif q.kind == QuestionKind.TEXT:
            entry["value"] = data.get(item.name, "")
        elif q.kind == QuestionKind.RATE_TEAM:
            entry["teams"] = [
                {
                    "team": t,
                    "name": f"{item.name}_t{t.id}",
                    "choices": _choices(
                        f"{item.name}_t{t.id}", data, [(str(i + 1), label) for i, label in enumerate(RATE_LABELS)]
                    ),
                }
                for t in item.teams
            ]
        elif q.kind == QuestionKind.PRIORITY_PICK:
            entry["ranks"] = [
                {
                    "rank": r,
                    "label": RANK_LABELS[r - 1],
                    "name": f"{item.name}_r{r}",
                    "value": str(data.get(f"{item.name}_r{r}", "")),
                }
                for r in item.ranks
            ]
            entry["priorities"] = item.priorities
        out.append(entry)
    return out


def _choices(name: str, data, pairs: list[tuple[str, str]]) -> list[dict]:
    current = str(data.get(name, ""))
    return [
        {"value": v, "label": label, "id": f"{name}_{v}", "checked": v == current and current != ""}
        for v, label in pairs
    ]
