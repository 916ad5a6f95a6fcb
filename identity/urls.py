"""Organization pages of the identity app, under /o/<org_slug>/settings/sso/."""

from django.urls import path

from identity import views

urlpatterns = [
    path("", views.sso_settings, name="sso_settings"),
]
