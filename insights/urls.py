"""Organization pages of the insights engine, under /o/<org_slug>/signals/ (the dashboards own /insights/)."""

from django.urls import path

from insights import views

urlpatterns = [
    path("settings/", views.signal_settings, name="insights_signal_settings"),
]
