from django import forms
from django.contrib.auth import password_validation

from peakos.models import Organization, Role, User


class OrganizationSettingsForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "timezone", "anonymity_threshold", "comment_threshold"]

    def __init__(self, *args, can_edit_privacy: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_edit_privacy:
            for name in ("anonymity_threshold", "comment_threshold"):
                self.fields[name].disabled = True
                self.fields[name].help_text += " Only an owner can change this."


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
