from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from identity import selectors
from identity.models import SSO_ROLES
from peakos.models import Role


class IdentityProviderForm(forms.Form):
    """The owner's single sign-on settings. The secret is write-only: blank keeps the stored one."""

    issuer = forms.URLField(
        label=_("Issuer URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The provider's address; Peak OS reads /.well-known/openid-configuration below it."),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted. Leave blank to keep the current one."),
    )
    email_domains = forms.CharField(
        label=_("E-mail domains"),
        required=False,
        max_length=1000,
        help_text=_("Comma-separated, e.g. example.com: the login page sends these addresses to your provider."),
    )
    default_role = forms.ChoiceField(label=_("Role of new SSO users"), choices=SSO_ROLES, initial=Role.MEMBER)
    role_claim = forms.CharField(
        label=_("Role claim"),
        required=False,
        max_length=100,
        help_text=_("Optional: a claim whose value (member, manager, leader, admin) sets the role at each login."),
    )
    team_claim = forms.CharField(
        label=_("Team claim"),
        required=False,
        max_length=100,
        help_text=_("Optional: a claim holding a team's name; the person moves to that team at each login."),
    )
    enabled = forms.BooleanField(label=_("SSO enabled"), required=False)
    sso_required = forms.BooleanField(
        label=_("Require SSO for everyone but the break-glass owner"),
        required=False,
        help_text=_("Password logins of members are refused; the break-glass owner keeps theirs."),
    )
    break_glass_owner = forms.ModelChoiceField(label=_("Break-glass owner"), queryset=None, required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["break_glass_owner"].queryset = owners

    def clean_email_domains(self) -> list[str]:
        return [d for d in self.cleaned_data["email_domains"].split(",") if d.strip()]


class PasswordLoginForm(AuthenticationForm):
    """The password login, refused to members of an organization that requires single sign-on
    (except its break-glass owner): the right password is not enough there."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if selectors.password_login_refused(user):
            raise forms.ValidationError(
                _("Your organization signs in with single sign-on: use “Sign in with SSO” below."),
                code="sso_required",
            )
