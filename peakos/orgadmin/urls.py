"""Organization administration, under /o/<org_slug>/manage/ (not Django's /admin/)."""

from django.urls import path

from peakos.orgadmin import people_views, views

urlpatterns = [
    path("teams/", views.teams, name="manage_teams"),
    path("teams/<int:team_id>/", views.team_detail, name="manage_team"),
    path("teams/<int:team_id>/archive/", views.team_archive, name="manage_team_archive"),
    path("teams/<int:team_id>/dependencies/", views.team_dependency_add, name="manage_team_dependency_add"),
    path("dependencies/", views.dependencies, name="manage_dependencies"),
    path("dependencies/<int:dependency_id>/remove/", views.dependency_remove, name="manage_dependency_remove"),
    path("people/", people_views.people, name="manage_people"),
    path("people/new/", people_views.person_new, name="manage_person_new"),
    path("people/bulk/", people_views.people_bulk, name="manage_people_bulk"),
    path("people/<int:person_id>/", people_views.person_detail, name="manage_person"),
    path("people/<int:person_id>/erase/", people_views.person_erase, name="manage_person_erase"),
    path("people/<int:person_id>/login/", people_views.person_login, name="manage_person_login"),
    path("people/import/", people_views.people_import, name="manage_import"),
    path("people/import/<int:import_id>/", people_views.people_import_preview, name="manage_import_preview"),
    path("people/export.csv", people_views.people_export, name="manage_export"),
    path("priorities/", views.priorities, name="manage_priorities"),
    path("priorities/<int:priority_id>/", views.priority_detail, name="manage_priority"),
    path("priorities/<int:priority_id>/delete/", views.priority_delete, name="manage_priority_delete"),
    path("audit/", views.audit_log, name="manage_audit"),
]
