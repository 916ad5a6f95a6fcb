"""Pages under /o/<org_slug>/reviews/ (included from peakos.urls org_patterns)."""

from django.urls import path

from reviews.views import actions, cycles, editing, review, teams

urlpatterns = [
    path("", cycles.home, name="reviews_home"),
    path("cycles/new/", cycles.cycle_create, name="review_cycle_create"),
    path("cycles/<int:cycle_id>/", cycles.cycle_detail, name="review_cycle"),
    path("cycles/<int:cycle_id>/open/", cycles.cycle_open, name="review_cycle_open"),
    path("cycles/<int:cycle_id>/close/", cycles.cycle_close, name="review_cycle_close"),
    path("cycles/<int:cycle_id>/print/", cycles.cycle_print, name="review_cycle_print"),
    path("<int:review_id>/", review.review_detail, name="review_detail"),
    path("<int:review_id>/edit/", editing.review_edit, name="review_edit"),
    path("<int:review_id>/decide/", review.review_decide, name="review_decide"),
    path("<int:review_id>/print/", review.review_print, name="review_print"),
    path("<int:review_id>/versions/", review.review_diff, name="review_diff"),
    path("teams/<int:team_id>/", teams.team_page, name="review_team"),
    path("asks/<int:ask_id>/answer/", teams.ask_answer, name="review_ask_answer"),
    path("cascade/", teams.cascade, name="priority_cascade"),
    path("actions/", actions.action_list, name="review_actions"),
    path("actions/new/", actions.action_create, name="review_action_create"),
    path("actions/<int:action_id>/", actions.action_detail, name="review_action"),
]
