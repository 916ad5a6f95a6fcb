"""Pages under /o/<org_slug>/reviews/ (included from peakos.urls org_patterns)."""

from django.urls import path

from reviews import views

urlpatterns = [
    path("", views.home, name="reviews_home"),
    path("cycles/new/", views.cycle_create, name="review_cycle_create"),
    path("cycles/<int:cycle_id>/", views.cycle_detail, name="review_cycle"),
    path("cycles/<int:cycle_id>/open/", views.cycle_open, name="review_cycle_open"),
    path("cycles/<int:cycle_id>/close/", views.cycle_close, name="review_cycle_close"),
    path("cycles/<int:cycle_id>/print/", views.cycle_print, name="review_cycle_print"),
    path("<int:review_id>/", views.review_detail, name="review_detail"),
    path("<int:review_id>/edit/", views.review_edit, name="review_edit"),
    path("<int:review_id>/decide/", views.review_decide, name="review_decide"),
    path("<int:review_id>/print/", views.review_print, name="review_print"),
    path("<int:review_id>/versions/", views.review_diff, name="review_diff"),
    path("teams/<int:team_id>/", views.team_page, name="review_team"),
    path("asks/<int:ask_id>/answer/", views.ask_answer, name="review_ask_answer"),
    path("cascade/", views.cascade, name="priority_cascade"),
    path("actions/", views.action_list, name="review_actions"),
    path("actions/new/", views.action_create, name="review_action_create"),
    path("actions/<int:action_id>/", views.action_detail, name="review_action"),
]
