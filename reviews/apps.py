from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """Review cycles, business reviews, the priority cascade and action plans."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Business reviews"

    def ready(self) -> None:
        from peakos import navigation

        # One entry: the cascade and the action plans are tabs inside the Reviews section.
        navigation.register(_("Reviews"), "reviews_home", order=40)

        from insights import detectors
        from reviews.detectors import detect_for_insights

        # The review-based signals (unlinked priorities, overdue reviews...) beside the survey's.
        detectors.organization_detector(detect_for_insights)
