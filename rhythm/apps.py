from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RhythmConfig(AppConfig):
    """The weekly operating rhythm: meetings, the scorecard, issues → decisions, to-dos, decision velocity."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "rhythm"
    verbose_name = "Weekly rhythm"

    def ready(self) -> None:
        from peakos import navigation
        from peakos.permissions import is_member

        navigation.register(_("Rhythm"), "rhythm_home", order=45, visible=is_member)

        from insights import detectors
        from rhythm.detectors import detect_for_insights

        # Cross-team issues that wait for a decision are signals beside the survey's.
        detectors.organization_detector(detect_for_insights)
