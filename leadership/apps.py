from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadershipConfig(AppConfig):
    """Leadership development: 360° feedback for leaders, manager effectiveness, development plans."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "leadership"
    verbose_name = "Leadership development"

    def ready(self) -> None:
        from leadership import access
        from peakos import navigation

        navigation.register(_("Leadership"), "leadership_home", order=47, visible=access.sees_leadership)
