from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Single sign-on per organization (OpenID Connect) and, later, SCIM provisioning (issue 18)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "identity"
    verbose_name = "Identity"
