from django import forms
from django.contrib.auth import password_validation

from peakos.i18n import language_choices, shipped_languages
from peakos.models import Organization, Role, User

PRIVACY_FIELDS = ("anonymity_threshold", "comment_threshold", "retention_months")


class OrganizationSettingsForm(forms.ModelForm):
    default_language = forms.ChoiceField(
        label="Default language",
        help_text="Surveys, reminders and the survey page are in it for people without a language of their own.",
    )
    languages = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        label="Languages people may answer in",
        help_text=(
            "A person's language (CSV import, API) must be one of these; the survey page offers a switch to "
            "each. People whose language is turned off get the default language. Your own questions are "
            "flagged in a survey when they lack one of these languages."
        ),
    )

    class Meta:
        model = Organization
        fields = [
            "name",
            "timezone",
            "anonymity_threshold",
            "comment_threshold",
            "retention_months",
            "default_language",
            "languages",
            "require_mfa",
        ]
        labels = {"retention_months": "Keep raw answers for (months)"}

    def __init__(self, *args, can_edit_privacy: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_language"].choices = language_choices(shipped_languages())
        self.fields["languages"].choices = language_choices(shipped_languages())
        if not can_edit_privacy:
            for name in PRIVACY_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text += " Only an owner can change this."

    def clean_languages(self) -> list[str]:
        picked = set(self.cleaned_data.get("languages") or [])
        return [code for code in shipped_languages() if code in picked]  # settings order, no duplicates


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name"]


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    """Set a name and password when accepting an invitation without an account."""

    name = forms.CharField(max_length=150)
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        if p1:
            try:
                password_validation.validate_password(p1, User(email=self.email, name=cleaned.get("name", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned
