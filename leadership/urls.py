"""Pages under /o/<org_slug>/leadership/ (the public 360 answering URL is in peakos/urls.py)."""

from django.urls import path

from leadership import views

urlpatterns = [
    path("", views.home, name="leadership_home"),
    path("managers/", views.managers, name="manager_effectiveness"),
    path("360/new/", views.feedback_new, name="feedback_new"),
    path("360/<int:feedback_id>/", views.feedback_detail, name="feedback_detail"),
    path("360/<int:feedback_id>/close/", views.feedback_close, name="feedback_close"),
]
