"""Forms of the rhythm pages: they parse input; the services validate and write."""

from __future__ import annotations

from django import forms

from rhythm.models import Cadence, Direction, IssuePriority, Weekday

TODO_ROWS = 3


class PeopleChoiceMixin:
    """Fills ``owner``-like fields with the organization's people (passed in by the view)."""

    person_fields: tuple[str, ...] = ()

    def set_people(self, people: list[tuple[int, str]]) -> None:
        for name in self.person_fields:
            self.fields[name].choices = [("", "—")] + list(people)


class SeriesForm(forms.Form):
    name = forms.CharField(max_length=200)
    cadence = forms.ChoiceField(choices=Cadence.choices)
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    agenda = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="One section a line: minutes, title (and optionally | kind), e.g. “5, Check-in | checkin”.",
    )

    @staticmethod
    def agenda_text(agenda: list[dict]) -> str:
        return "\n".join(f"{s['minutes']}, {s['title']} | {s.get('kind', 'other')}" for s in agenda)

    def clean_agenda(self) -> list[dict]:
        sections = []
        for n, line in enumerate(self.cleaned_data["agenda"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            head, _, kind = line.partition("|")
            minutes, sep, title = head.partition(",")
            if not sep:
                raise forms.ValidationError(f"Line {n}: write minutes, then a comma, then the title.")
            sections.append({"minutes": minutes.strip(), "title": title.strip(), "kind": kind.strip() or "other"})
        return sections


class MeasurableForm(PeopleChoiceMixin, forms.Form):
    person_fields = ("owner_id",)
    name = forms.CharField(max_length=200)
    goal = forms.CharField(max_length=20, help_text="A number, e.g. 40 or 12.5.")
    direction = forms.ChoiceField(choices=Direction.choices)
    unit = forms.CharField(max_length=30, required=False)
    owner_id = forms.TypedChoiceField(label="Owner", coerce=int, required=False, empty_value=None)
    metric_id = forms.TypedChoiceField(
        label="Behind the review metric", coerce=int, required=False, empty_value=None,
        help_text="Optional: the quarterly review metric these weeks add up to.",
    )  # fmt: skip

    def set_metrics(self, metrics: list[tuple[int, str]]) -> None:
        self.fields["metric_id"].choices = [("", "—")] + list(metrics)

    @staticmethod
    def initial_for(m) -> dict:
        return {"name": m.name, "goal": m.goal.normalize(), "direction": m.direction, "unit": m.unit,
                "owner_id": m.owner_id, "metric_id": m.metric_id}  # fmt: skip


class EntryForm(forms.Form):
    week = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.CharField(max_length=20)


class IssueEditForm(forms.Form):
    title = forms.CharField(max_length=300)
    details = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    priority = forms.TypedChoiceField(choices=IssuePriority.choices, coerce=int, initial=IssuePriority.MEDIUM)


class IssueForm(IssueEditForm):
    raised_to_id = forms.TypedChoiceField(
        label="Raise to", coerce=int, required=False, empty_value=None,
        help_text="Leave empty for this team's own list; choose a team (or the leadership team) to send it there.",
    )  # fmt: skip

    def set_teams(self, teams: list[tuple[int, str]]) -> None:
        self.fields["raised_to_id"].choices = [("", "— this team —")] + list(teams)


class SolveForm(PeopleChoiceMixin, forms.Form):
    """A decision and up to three to-dos, in one form (the meeting solves an issue in one go)."""

    person_fields = ("decided_by_id",) + tuple(f"todo_{n}_owner" for n in range(1, TODO_ROWS + 1))
    what = forms.CharField(label="Decision", widget=forms.Textarea(attrs={"rows": 2}))
    why = forms.CharField(label="Why", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    decided_by_id = forms.TypedChoiceField(label="Decided by", coerce=int, required=False, empty_value=None)
    meeting_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, TODO_ROWS + 1):
            self.fields[f"todo_{n}_title"] = forms.CharField(label=f"To-do {n}", max_length=300, required=False)
            self.fields[f"todo_{n}_owner"] = forms.TypedChoiceField(
                label="Owner", coerce=int, required=False, empty_value=None
            )
            self.fields[f"todo_{n}_due"] = forms.DateField(
                label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                help_text="Empty: in seven days.",
            )  # fmt: skip

    def todo_rows(self):
        return [
            (self[f"todo_{n}_title"], self[f"todo_{n}_owner"], self[f"todo_{n}_due"]) for n in range(1, TODO_ROWS + 1)
        ]

    def service_data(self) -> dict:
        data = self.cleaned_data
        todos = [
            {"title": data.get(f"todo_{n}_title"), "owner_id": data.get(f"todo_{n}_owner"),
             "due_on": data.get(f"todo_{n}_due")}
            for n in range(1, TODO_ROWS + 1)
        ]  # fmt: skip
        return {
            "what": data["what"], "why": data.get("why", ""), "decided_by_id": data.get("decided_by_id"),
            "todos": todos, "meeting_id": data.get("meeting_id"),
        }  # fmt: skip


class TodoForm(PeopleChoiceMixin, forms.Form):
    person_fields = ("owner_id",)
    title = forms.CharField(max_length=300)
    owner_id = forms.TypedChoiceField(label="Owner", coerce=int, required=False, empty_value=None)
    due_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Empty: in seven days."
    )
    meeting_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(choices=[(n, str(n)) for n in range(1, 11)], coerce=int)
