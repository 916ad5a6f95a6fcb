"""Admin forms of the surveys app. The answering page uses surveys/sheet.py instead."""

from __future__ import annotations

from django import forms

from peakos.i18n import language_name
from peakos.selectors import team_tree
from surveys.bank import TEMPLATES
from surveys.models import CADENCE_MAX_OPEN_DAYS, Audience, Cadence, Dimension, QuestionKind


class SurveyForm(forms.Form):
    name = forms.CharField(max_length=200)
    questions = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        help_text="In the order listed. Pick a template above to start from a ready-made set.",
    )
    audience = forms.ChoiceField(choices=Audience.choices, widget=forms.RadioSelect, initial=Audience.ORGANIZATION)
    audience_teams = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Teams (each with everyone below it)",
    )
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.BIWEEKLY)
    open_days = forms.IntegerField(
        min_value=1,
        max_value=90,
        initial=5,
        label="Days a round stays open",
        help_text="At most "
        + ", ".join(f"{Cadence(c).label.lower()} {d}" for c, d in CADENCE_MAX_OPEN_DAYS.items())
        + " (rounds never overlap).",
    )
    reminder_days = forms.CharField(
        required=False,
        initial="2, 4",
        label="Reminder days",
        help_text="Days after opening when those who have not answered get a reminder, e.g. 2, 4.",
    )
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="First round opens on")
    send_hour = forms.IntegerField(
        min_value=0, max_value=23, initial=9, label="At (hour, organization time)", help_text="0–23."
    )

    def __init__(self, *args, organization, catalog: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questions"].choices = [
            (label, [(e.key, e.text) for e in entries]) for label, entries in catalog.items()
        ]
        self.fields["audience_teams"].choices = [
            (str(t.id), ("— " * depth) + t.name) for t, depth in team_tree(organization, include_archived=False).walk()
        ]

    def clean_audience_teams(self) -> list[int]:
        return [int(v) for v in self.cleaned_data.get("audience_teams") or []]


class TemplateChoiceForm(forms.Form):
    template = forms.ChoiceField(choices=[(k, label) for k, (label, _) in TEMPLATES.items()])


class QuestionForm(forms.Form):
    text = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label="Wording")
    dimension = forms.ChoiceField(choices=Dimension.choices)
    kind = forms.ChoiceField(
        choices=[
            (QuestionKind.LIKERT5, QuestionKind.LIKERT5.label),
            (QuestionKind.SINGLE_CHOICE, QuestionKind.SINGLE_CHOICE.label),
            (QuestionKind.TEXT, QuestionKind.TEXT.label),
            (QuestionKind.SCALE10, QuestionKind.SCALE10.label),
        ],
        label="Kind",
    )
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Single choice only: one option a line.",
    )
    help_text = forms.CharField(required=False, max_length=300, label="Hint shown under the question")
    required = forms.BooleanField(required=False, initial=True)

    def clean_options(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("options") or "").splitlines() if line.strip()]


class QuestionEditForm(forms.Form):
    text = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}), label="Wording")
    options = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text="Single choice only: one option a line."
    )
    help_text = forms.CharField(required=False, max_length=300, label="Hint shown under the question")
    required = forms.BooleanField(required=False)

    def clean_options(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("options") or "").splitlines() if line.strip()]


class QuestionTranslationsForm(forms.Form):
    """A question's wording in the organization's other languages, one group of fields per
    language: ``text_<code>``, ``help_text_<code>``, ``options_<code>`` (single choice).

    A language left empty falls back to the organization's default language on the survey
    page (and the survey's page flags it). Checked by ``questions.clean_translations``.
    """

    def __init__(self, *args, languages: list[str], with_options: bool, translations: dict | None = None, **kwargs):
        initial = {}
        for code, entry in (translations or {}).items():
            initial[f"text_{code}"] = entry.get("text", "")
            initial[f"help_text_{code}"] = entry.get("help_text", "")
            initial[f"options_{code}"] = "\n".join(entry.get("options") or [])
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.languages = list(languages)
        for code in self.languages:
            name = language_name(code)
            self.fields[f"text_{code}"] = forms.CharField(
                required=False,
                max_length=500,
                label=f"Wording ({name})",
                widget=forms.Textarea(attrs={"rows": 2, "lang": code}),
            )
            self.fields[f"help_text_{code}"] = forms.CharField(
                required=False, max_length=300, label=f"Hint ({name})", widget=forms.TextInput(attrs={"lang": code})
            )
            if with_options:
                self.fields[f"options_{code}"] = forms.CharField(
                    required=False,
                    label=f"Options ({name})",
                    widget=forms.Textarea(attrs={"rows": 4, "lang": code}),
                    help_text="The same options as the original, in the same order, one a line.",
                )

    def groups(self) -> list[tuple[str, str, list, bool]]:
        """(code, language name, bound fields, shown open) per language, for the template."""
        out = []
        for code in self.languages:
            fields = [self[n] for n in self.fields if n.rsplit("_", 1)[-1] == code]
            out.append((code, language_name(code), fields, any(f.value() or f.errors for f in fields)))
        return out

    def translations(self) -> dict[str, dict]:
        data = self.cleaned_data
        out = {}
        for code in self.languages:
            options = [line.strip() for line in (data.get(f"options_{code}") or "").splitlines() if line.strip()]
            out[code] = {
                "text": data.get(f"text_{code}", ""),
                "help_text": data.get(f"help_text_{code}", ""),
                "options": options,
            }
        return out
