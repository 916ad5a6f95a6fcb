"""Survey admin pages under /o/<org_slug>/surveys/ (the public answering URL is in peakos/urls.py)."""

from django.urls import path

from surveys import views

urlpatterns = [
    path("", views.survey_list, name="surveys"),
    path("new/", views.survey_create, name="survey_create"),
    path("<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("<int:survey_id>/edit/", views.survey_edit, name="survey_edit"),
    path("<int:survey_id>/preview/", views.survey_preview, name="survey_preview"),
    path("<int:survey_id>/active/", views.survey_active, name="survey_active"),
    path("<int:survey_id>/open-now/", views.survey_open_now, name="survey_open_now"),
    path("rounds/<int:round_id>/", views.round_detail, name="round_detail"),
    path("rounds/<int:round_id>/close/", views.round_close, name="round_close"),
    path("questions/", views.question_list, name="survey_questions"),
    path("questions/new/", views.question_create, name="survey_question_create"),
    path("questions/from-bank/", views.question_from_bank, name="survey_question_from_bank"),
    path("questions/<int:question_id>/edit/", views.question_edit, name="survey_question_edit"),
]
