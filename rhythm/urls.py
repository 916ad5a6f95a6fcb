"""Pages under /o/<org_slug>/rhythm/ (included from peakos.urls org_patterns)."""

from django.urls import path

from rhythm import views

urlpatterns = [
    path("", views.home, name="rhythm_home"),
    path("health/", views.health, name="rhythm_health"),
    path("teams/<int:team_id>/", views.team_page, name="rhythm_team"),
    path("teams/<int:team_id>/series/", views.series_edit, name="rhythm_series"),
    path("teams/<int:team_id>/measurables/", views.measurable_create, name="rhythm_measurable_create"),
    path("teams/<int:team_id>/issues/", views.issue_create, name="rhythm_issue_create"),
    path("teams/<int:team_id>/todos/", views.todo_create, name="rhythm_todo_create"),
    path("teams/<int:team_id>/start/", views.meeting_start, name="rhythm_meeting_start"),
    path("measurables/<int:measurable_id>/entry/", views.entry_save, name="rhythm_entry"),
    path("measurables/<int:measurable_id>/edit/", views.measurable_edit, name="rhythm_measurable_edit"),
    path("measurables/<int:measurable_id>/archive/", views.measurable_archive, name="rhythm_measurable_archive"),
    path("issues/<int:issue_id>/edit/", views.issue_edit, name="rhythm_issue_edit"),
    path("issues/<int:issue_id>/archive/", views.issue_archive, name="rhythm_issue_archive"),
    path("issues/<int:issue_id>/solve/", views.issue_solve, name="rhythm_issue_solve"),
    path("issues/<int:issue_id>/drop/", views.issue_drop, name="rhythm_issue_drop"),
    path("todos/<int:todo_id>/done/", views.todo_done, name="rhythm_todo_done"),
    path("meetings/<int:meeting_id>/", views.meeting_page, name="rhythm_meeting"),
    path("meetings/<int:meeting_id>/live/", views.meeting_live, name="rhythm_meeting_live"),
    path("meetings/<int:meeting_id>/section/", views.meeting_section, name="rhythm_meeting_section"),
    path("meetings/<int:meeting_id>/rate/", views.meeting_rate, name="rhythm_meeting_rate"),
    path("meetings/<int:meeting_id>/conclude/", views.meeting_conclude, name="rhythm_meeting_conclude"),
]
