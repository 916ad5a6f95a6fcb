from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    """The insights engine: scores every survey round into snapshots, coordination cells and signals."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "insights"

    def ready(self) -> None:
        from insights import tasks
        from peakos import navigation, permissions
        from surveys import events

        navigation.register(
            _("Signal thresholds"), "insights_signal_settings", order=88, visible=permissions.can_manage
        )
        # Rounds are scored when surveys say so; surveys never import insights.
        events.round_closed.connect(tasks.on_round_closed, dispatch_uid="insights.recompute_closed_round")
        events.response_submitted.connect(tasks.on_response_submitted, dispatch_uid="insights.schedule_recompute")
