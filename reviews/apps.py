from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Review cycles, business reviews, the priority cascade and action plans."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = "Business reviews"

    def ready(self) -> None:
        from peakos import navigation

        # One entry: the cascade and the action plans are tabs inside the Reviews section.
        navigation.register("Reviews", "reviews_home", order=40)
        self._register_signal_detector()

    @staticmethod
    def _register_signal_detector() -> None:
        """Hand the review-based signals to the insights engine when it offers a registry."""
        try:
            from insights import detectors
        except ImportError:
            return
        register = getattr(detectors, "organization_detector", None)
        if register is not None:
            from reviews.detectors import detect_for_insights

            register(detect_for_insights)
