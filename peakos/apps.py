from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeakosConfig(AppConfig):
    """The core tenancy app: organizations, memberships, teams, people."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "peakos"
    verbose_name = "Peak OS core"

    def ready(self) -> None:
        from peakos import navigation, permissions

        navigation.register(_("Teams"), "manage_teams", order=60, visible=permissions.can_manage)
        navigation.register(_("People"), "manage_people", order=62, visible=permissions.can_manage)
        navigation.register(_("Priorities"), "manage_priorities", order=64, visible=permissions.can_manage)
        navigation.register(_("Audit log"), "manage_audit", order=78, visible=permissions.can_manage)
        navigation.register(_("Members"), "members", order=80, visible=permissions.can_manage)
        navigation.register(_("Settings"), "org_settings", order=90, visible=permissions.can_manage)
        navigation.register(_("API tokens"), "api_tokens", order=85, visible=permissions.can_manage)
