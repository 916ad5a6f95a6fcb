from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """The leaders' dashboards (issue 6): Plotly pages over the insights engine's stored results."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "insights.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from peakos import navigation, permissions

        # Everyone: members see the organization level only, managers their subtree, leaders everything.
        navigation.register(_("Dashboard"), "dashboard", order=10, visible=permissions.is_member)
