from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Self-service signup: a stranger creates an organization and verifies their e-mail."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
