from django.apps import AppConfig


class PeakosConfig(AppConfig):
    """The core tenancy app: organizations, memberships, teams, people."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "peakos"
    verbose_name = "Peak OS core"

    def ready(self) -> None:
        from peakos import navigation, permissions

        navigation.register("Members", "members", order=80, visible=permissions.can_manage)
        navigation.register("Settings", "org_settings", order=90, visible=permissions.can_manage)
        navigation.register("API tokens", "api_tokens", order=85, visible=permissions.can_manage)
