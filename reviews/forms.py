"""Forms of the reviews app. They only shape input; reviews/services.py validates it.

Metric figures and priority links are plain text here on purpose: the service
parses them and explains what is wrong ("“about 40” is not a number",
"“X” is a 2026-Q3 priority; this review plans 2027-Q1"), for the page and the
background autosave alike.
"""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from peakos.models import validate_period
from reviews.models import TARGET_DIMENSIONS, ActionStatus, AskStatus, BusinessReview, CycleKind, MetricStatus, Severity
from reviews.services import UNLINKED


class CycleForm(forms.Form):
    kind = forms.ChoiceField(choices=CycleKind.choices, initial=CycleKind.QUARTERLY, label=_("Kind"))
    period = forms.CharField(
        max_length=7,
        label=_("Period"),
        help_text=_("A quarter (2026-Q4) for a QBR, a year (2026) for an ABR."),
    )
    opens_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Opens on"))
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Due on"))
    team_ids = forms.TypedMultipleChoiceField(
        coerce=int,
        label=_("Teams"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Each chosen team's lead is e-mailed a link when the cycle opens."),
    )
    invite_leads = forms.BooleanField(
        required=False,
        initial=True,
        label=_("Invite the team leads who have no account yet (as managers)"),
        help_text=_(
            "Their review e-mail then carries an invitation link that sets their password and links them "
            "to their team, instead of asking them to log in."
        ),
    )

    def __init__(self, *args, teams: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team_ids"].choices = teams

    def clean_period(self):
        period = self.cleaned_data["period"].strip().upper()
        validate_period(period)
        return period


class ReviewForm(forms.Form):
    health = forms.TypedChoiceField(
        choices=BusinessReview.HEALTH_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        label=_("Team health (self-rated)"),
    )
    wins = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label=_("Wins"), help_text=_("What went well.")
    )
    misses = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Misses"),
        help_text=_("What did not happen, and why."),
    )
    lessons = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Lessons"),
        help_text=_("What the team will do differently."),
    )


class MetricForm(forms.Form):
    name = forms.CharField(required=False, max_length=200)
    target = forms.CharField(required=False, max_length=40)
    actual = forms.CharField(required=False, max_length=40)
    unit = forms.CharField(required=False, max_length=30)
    status = forms.ChoiceField(choices=MetricStatus.choices, initial=MetricStatus.ON_TRACK, required=False)

    key_fields = ("name", "target", "actual", "unit")


class PriorityForm(forms.Form):
    title = forms.CharField(required=False, max_length=300)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    link = forms.CharField(required=False, widget=forms.Select, label=_("Serves"))

    key_fields = ("title", "description")

    def __init__(self, *args, link_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].widget.choices = link_choices or []


class RiskForm(forms.Form):
    description = forms.CharField(required=False, max_length=500)
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MEDIUM, required=False)
    owner = forms.CharField(required=False, widget=forms.Select)
    mitigation = forms.CharField(required=False, max_length=500)

    key_fields = ("description", "mitigation")

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].widget.choices = [("", "—")] + list(people or [])


class AskForm(forms.Form):
    to_team = forms.CharField(required=False, widget=forms.Select, label=_("Team"))
    request = forms.CharField(required=False, max_length=500, label=_("What you ask of them"))

    key_fields = ("request",)

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_team"].widget.choices = [("", _("— choose a team —"))] + list(teams or [])


MetricFormSet = formset_factory(MetricForm, extra=1, can_delete=True, max_num=50, absolute_max=60)
PriorityFormSet = formset_factory(PriorityForm, extra=1, can_delete=True, max_num=20, absolute_max=30)
RiskFormSet = formset_factory(RiskForm, extra=1, can_delete=True, max_num=30, absolute_max=40)
AskFormSet = formset_factory(AskForm, extra=1, can_delete=True, max_num=30, absolute_max=40)

SECTIONS = ("metrics", "priorities", "risks", "asks")


def link_choices(groups) -> list:
    """Options of a priority's "Serves" select: not chosen, unlinked on purpose, then grouped priorities."""
    return [
        ("", _("— choose the priority it serves —")),
        (UNLINKED, _("None: unlinked on purpose")),
        *[(label, [(str(pk), title) for pk, title in items]) for label, items in groups],
    ]


def initial_from(review: BusinessReview) -> dict:
    """Form initial data from a saved review (sections prefetched)."""

    def num(value):
        return "" if value is None else format(value.normalize(), "f")

    return {
        "review": {"health": review.health, "wins": review.wins, "misses": review.misses, "lessons": review.lessons},
        "metrics": [
            {"name": m.name, "target": num(m.target), "actual": num(m.actual), "unit": m.unit, "status": m.status}
            for m in review.metrics.all()
        ],
        "priorities": [
            {
                "title": p.title,
                "description": p.description,
                "link": str(p.parent_id) if p.parent_id else (UNLINKED if p.unlinked else ""),
            }
            for p in review.priorities.all()
        ],
        "risks": [
            {
                "description": r.description,
                "severity": r.severity,
                "owner": r.owner_id or "",
                "mitigation": r.mitigation,
            }
            for r in review.risks.all()
        ],
        "asks": [{"to_team": a.to_team_id, "request": a.request} for a in review.asks.all()],
    }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approved", _("Approve")), ("returned", _("Return to the team"))], label=_("Decision")
    )
    comment = forms.CharField(
        required=False,
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you return the review: say what the team should change."),
    )


class AskAnswerForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(AskStatus.ACCEPTED, _("Accept")), (AskStatus.DECLINED, _("Decline"))], label=_("Status")
    )
    response = forms.CharField(required=False, max_length=500, label=_("Answer"))


class ActionForm(forms.Form):
    title = forms.CharField(max_length=200, label=_("Title"))
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("Description"))
    dimension = forms.ChoiceField(choices=TARGET_DIMENSIONS, label=_("Score it should move"))
    scope_team_id = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label=_("Scope"))
    owner_id = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label=_("Owner"))
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Due on"))
    source = forms.CharField(required=False, widget=forms.HiddenInput)
    source_label = forms.CharField(required=False, widget=forms.HiddenInput)
    review_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, teams, people, allow_org: bool, **kwargs):
        super().__init__(*args, **kwargs)
        scopes = ([("", _("The whole organization"))] if allow_org else []) + list(teams)
        self.fields["scope_team_id"].choices = scopes
        self.fields["owner_id"].choices = [("", "—")] + list(people)

    def clean_review_id(self):
        raw = self.cleaned_data.get("review_id") or ""
        return int(raw) if raw.isdigit() else None


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices, label=_("Status"))
    owner_id = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label=_("Owner"))
    due_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label=_("Due on"))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", "—")] + list(people)
