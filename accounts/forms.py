from django import forms

SLUG_HELP = "Lowercase letters, digits and dashes; your pages live at /o/<address>/."


class SignupForm(forms.Form):
    """A stranger's signup: the organization and its first owner."""

    organization_name = forms.CharField(label="Organization name", max_length=200)
    slug = forms.SlugField(label="Web address", max_length=60, help_text=SLUG_HELP)
    name = forms.CharField(label="Your name", max_length=150)
    email = forms.EmailField(label="Your work e-mail")
    password = forms.CharField(
        label="Password", widget=forms.PasswordInput, strip=False, help_text="At least 8 characters, not too common."
    )


class OrganizationForm(forms.Form):
    """A logged-in user's new organization: their account is known already."""

    organization_name = forms.CharField(label="Organization name", max_length=200)
    slug = forms.SlugField(label="Web address", max_length=60, help_text=SLUG_HELP)


class ResendForm(forms.Form):
    email = forms.EmailField(label="The e-mail address you signed up with")
