"""Dashboard pages under /o/<org_slug>/insights/ (included from peakos.urls org_patterns).

Every page exists for the whole organization and for a team's subtree
(``teams/<team_id>/…``). Filters are GET parameters (``round``, ``layer``;
``department`` redirects to the team form), so a view can be bookmarked; each
page exports any table it shows with ``?format=csv&table=<name>``.
"""

from django.urls import path

from insights.dashboards import views

PAGES = [
    ("", views.overview, "dashboard"),
    ("coordination/", views.coordination, "dashboard_coordination"),
    ("trends/", views.trends, "dashboard_trends"),
    ("priorities/", views.priorities, "dashboard_priorities"),
    ("comments/", views.comments, "dashboard_comments"),
]

urlpatterns = [path(route, view, name=name) for route, view, name in PAGES] + [
    path(f"teams/<int:team_id>/{route}", view, name=f"{name}_team") for route, view, name in PAGES
]
