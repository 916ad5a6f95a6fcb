"""Template tags for pages rendered without a request context (Django's 500 view has none)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def errors_are_reported() -> bool:
    """Whether an unhandled error notifies someone (ADMINS or Sentry): what the 500 page may claim."""
    return settings.ERRORS_ARE_REPORTED
