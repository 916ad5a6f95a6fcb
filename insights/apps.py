from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """The insights engine: scores every survey round into snapshots, coordination cells and signals."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "insights"

    def ready(self) -> None:
        from peakos import navigation, permissions

        navigation.register("Signal thresholds", "insights_signal_settings", order=88, visible=permissions.can_manage)
