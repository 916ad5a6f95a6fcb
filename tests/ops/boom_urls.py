"""The site's URLs plus two that fail, for the error-reporting tests."""

from django.urls import path

from peakos.urls import handler400, handler500  # noqa: F401 - the site's error handlers, as in production
from peakos.urls import urlpatterns as site_patterns


def boom(request, token: str = ""):
    raise RuntimeError("boom for the error-report test")


urlpatterns = [path("boom/", boom), path("s/<str:token>/boom/", boom), *site_patterns]
