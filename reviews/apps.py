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
