from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Pulse surveys: question bank, schedules, e-mailed single-use links, anonymous answers."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys"

    def ready(self) -> None:
        from peakos import navigation, permissions

        navigation.register(_("Surveys"), "surveys", order=30, visible=permissions.can_manage)
