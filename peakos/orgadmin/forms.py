"""Forms of organization administration. Querysets are filtered to the organization
explicitly (the request scope would do it too; this keeps forms usable anywhere)."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from peakos.i18n import language_choices, language_name, organization_languages
from peakos.models import Layer, Person, Priority, PriorityLevel, Role, Team, TeamKind, User, validate_period
from peakos.orgadmin.peoplecsv import UploadError, read_upload
from peakos.people.services import BULK_ACTIONS

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return obj.name + (" (archived)" if obj.archived else "")


def active_teams(organization, *, keep: Team | None = None):
    """Teams people and priorities can be put in: not archived (plus the current one, if archived)."""
    condition = Q(archived=False) | Q(pk=keep.pk) if keep is not None else Q(archived=False)
    return Team.objects.filter(condition, organization=organization).order_by("name")


class PersonByEmailField(forms.EmailField):
    """A person of the organization named by e-mail (a select of 10,000 people would not do)."""

    def __init__(self, *args, organization=None, **kwargs):
        self.organization = organization
        super().__init__(*args, **kwargs)

    def clean(self, value):
        email = super().clean(value)
        if not email:
            return None
        person = Person.objects.filter(organization=self.organization, email__iexact=email.strip()).first()
        if person is None:
            raise forms.ValidationError(f"No person with the e-mail {email} in this organization.")
        return person


class TeamCreateForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=TeamKind.choices, initial=TeamKind.TEAM)
    parent = TeamChoiceField(queryset=Team.objects.none(), required=False, empty_label="— top level —")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = active_teams(organization)


class TeamEditForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=TeamKind.choices)
    parent = TeamChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label="— top level —",
        help_text="Move the team under another one. Its own subtree is not offered: no cycles.",
    )
    lead = PersonByEmailField(required=False, label="Lead (e-mail)", help_text="The person who leads this team.")

    def __init__(self, *args, organization, team: Team, targets: list[Team], **kwargs):
        initial = {
            "name": team.name,
            "kind": team.kind,
            "parent": team.parent_id,
            "lead": team.lead and team.lead.email,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["parent"].queryset = Team.objects.filter(
            organization=organization, pk__in=[t.pk for t in targets]
        ).order_by("name")
        self.fields["lead"].organization = organization


class DependencyForm(forms.Form):
    to_team = TeamChoiceField(queryset=Team.objects.none(), label="Depends on", empty_label="— choose a team —")
    note = forms.CharField(max_length=300, required=False, help_text="What it needs, e.g. “qualified leads”.")

    def __init__(self, *args, organization, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = active_teams(organization).exclude(pk=team.pk)


def parse_attributes(text: str) -> dict[str, str]:
    """``key: value`` lines → dict. Empty lines are skipped."""
    out: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise forms.ValidationError(f"Line {number}: write “name: value”.")
        if value.strip():
            out[key.strip()] = value.strip()
    return out


def format_attributes(attributes: dict) -> str:
    return "\n".join(f"{k}: {v}" for k, v in sorted((attributes or {}).items()))


class PersonForm(forms.Form):
    email = forms.EmailField()
    name = forms.CharField(max_length=200)
    team = TeamChoiceField(queryset=Team.objects.none(), required=False, empty_label="— no team —")
    manager_email = PersonByEmailField(required=False, label="Manager (e-mail)")
    layer = forms.ChoiceField(choices=Layer.choices, initial=Layer.INDIVIDUAL)
    language = forms.ChoiceField(
        required=False, help_text="Their surveys and e-mails are in it; they can switch on the survey page."
    )
    active = forms.BooleanField(required=False, initial=True, help_text="Inactive people get no surveys.")
    attributes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Optional, one per line: “location: Berlin”. The CSV import fills these from extra columns.",
    )

    def __init__(self, *args, organization, person: Person | None = None, **kwargs):
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "email": person.email,
                    "name": person.name,
                    "team": person.team_id,
                    "manager_email": person.manager.email if person.manager else "",
                    "layer": person.layer,
                    "language": person.language,
                    "active": person.active,
                    "attributes": format_attributes(person.attributes),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = active_teams(organization, keep=person.team if person else None)
        self.fields["manager_email"].organization = organization
        offered = organization_languages(organization)
        if person is not None and person.language and person.language not in offered:
            offered = [*offered, person.language]  # turned off since: keep it visible until changed
        self.fields["language"].choices = [
            ("", f"The organization's default ({language_name(offered[0])})"),
            *language_choices(offered),
        ]
        if person is None:
            del self.fields["active"]

    def clean_attributes(self):
        return parse_attributes(self.cleaned_data.get("attributes", ""))


class PeopleFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search", widget=forms.TextInput(attrs={"type": "search"}))
    team = TeamChoiceField(queryset=Team.objects.none(), required=False, empty_label="All teams")
    layer = forms.ChoiceField(choices=[("", "All layers"), *Layer.choices], required=False)
    status = forms.ChoiceField(
        choices=[("active", "Active"), ("inactive", "Inactive"), ("all", "Everyone")], required=False
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.filter(organization=organization).order_by("name")


class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError("Select people from the list.")


INVITE_ACTION = "invite"


class BulkPeopleForm(forms.Form):
    people = IdListField(required=True, error_messages={"required": "Select at least one person."})
    action = forms.ChoiceField(
        choices=[("", "Choose an action"), *BULK_ACTIONS.items(), (INVITE_ACTION, "Invite to log in")]
    )
    team = TeamChoiceField(queryset=Team.objects.none(), required=False, empty_label="— team —")
    # For "Invite to log in": managers see their team's results and file its review.
    role = forms.ChoiceField(
        choices=[(v, label) for v, label in Role.choices if v != Role.OWNER], required=False, initial=Role.MANAGER
    )
    layer = forms.ChoiceField(choices=[("", "— layer —"), *Layer.choices], required=False)
    manager_email = PersonByEmailField(required=False, label="Manager (e-mail)")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = active_teams(organization)
        self.fields["manager_email"].organization = organization


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, comma- or semicolon-separated, at most 10 MB.")
    deactivate_missing = forms.BooleanField(
        required=False,
        label="Full sync: deactivate active people who are not in this file",
        help_text="Leave unticked to only add and update people.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 10 MB; split it or use the import_people command.")
        try:
            return upload.name, read_upload(upload.read())
        except UploadError as exc:
            raise forms.ValidationError(exc.messages)


class PriorityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Priority) -> str:
        return f"{obj.period} · {obj.get_level_display()} · {obj.title}"


class PriorityForm(forms.Form):
    """A priority of the cascade. The service checks the cascade rules and names the field at fault."""

    title = forms.CharField(max_length=300)
    level = forms.ChoiceField(choices=PriorityLevel.choices, initial=PriorityLevel.COMPANY)
    period = forms.CharField(
        max_length=7, validators=[validate_period], help_text="A year (2026) or a quarter (2026-Q4)."
    )
    team = TeamChoiceField(queryset=Team.objects.none(), required=False, empty_label="— none (company) —")
    parent = PriorityChoiceField(
        queryset=Priority.objects.none(),
        required=False,
        empty_label="— none (company) —",
        help_text="Department priorities link to a company priority; team priorities to a company or department one.",
    )
    rank = forms.IntegerField(min_value=1, max_value=99, initial=1, help_text="1 is the most important.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, organization, priority: Priority | None = None, **kwargs):
        if priority is not None:
            kwargs["initial"] = {
                "title": priority.title,
                "level": priority.level,
                "period": priority.period,
                "team": priority.team_id,
                "parent": priority.parent_id,
                "rank": priority.rank,
                "description": priority.description,
            }
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = active_teams(organization, keep=priority.team if priority else None)
        parents = Priority.objects.filter(
            organization=organization, level__in=[PriorityLevel.COMPANY, PriorityLevel.DEPARTMENT]
        )
        if priority is not None:
            parents = parents.exclude(pk=priority.pk)
        self.fields["parent"].queryset = parents.order_by("-period", "level", "rank", "title")


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(required=False)
    actor = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actions: list[str], actors: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "All actions"), *((a, a) for a in actions)]
        self.fields["actor"].choices = [("", "Anyone"), *((u.pk, u.name or u.email) for u in actors)]


class ConfirmTypedForm(forms.Form):
    """A destructive action confirmed by typing a word shown on the page (an e-mail, a slug)."""

    confirm = forms.CharField(max_length=254, label="Type it to confirm")

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirm(self) -> str:
        value = (self.cleaned_data.get("confirm") or "").strip()
        if value.lower() != self.expected.lower():
            raise forms.ValidationError(f"Type “{self.expected}” exactly to confirm; nothing was changed.")
        return value


class PersonLoginForm(forms.Form):
    """Which member's login is this person (their results and reviews follow it)."""

    user = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="— no login —", label="Login"
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(memberships__organization=organization).order_by("email")
        self.fields["user"].label_from_instance = lambda u: f"{u.email}" + (f" ({u.name})" if u.name else "")
