"""Dashboard views: parse the filters, build the page from stored results, render it or
export one of its tables as CSV. Thin on purpose; see insights/dashboards/pages/ and
insights/selectors.py.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_safe

from insights.dashboards import context
from insights.dashboards.pages import comments as comments_page
from insights.dashboards.pages import coordination as coordination_page
from insights.dashboards.pages import overview as overview_page
from insights.dashboards.pages import priorities as priorities_page
from insights.dashboards.pages import trends as trends_page
from insights.dashboards.tables import csv_response

BUILDERS = {
    "overview": overview_page.build,
    "coordination": coordination_page.build,
    "trends": trends_page.build,
    "priorities": priorities_page.build,
    "comments": comments_page.build,
}


def _department_redirect(request, page: str):
    """``?department=<id>`` (the filter form) → the team's own URL, keeping the other filters."""
    raw = request.GET.get("department", "").strip()
    query = {k: v for k, v in request.GET.items() if k != "department" and v}
    if not raw:
        name, kwargs = context.PAGES[page][1], {"org_slug": request.organization.slug}
    else:
        if not raw.isdigit() or int(raw) > context.MAX_ID:
            raise Http404("Unknown department.")
        query.pop("layer", None)
        name, kwargs = context.PAGES[page][1] + "_team", {"org_slug": request.organization.slug, "team_id": int(raw)}
    url = reverse(name, kwargs=kwargs)
    return redirect(f"{url}?{urlencode(query)}" if query else url)


def _view(page: str):
    @require_safe
    def view(request, org_slug, team_id=None):
        if "department" in request.GET:
            return _department_redirect(request, page)
        dashboard = context.build(request, page, team_id)
        built = BUILDERS[page](dashboard, request.GET)
        if request.GET.get("format") == "csv":
            name = request.GET.get("table", "")
            table = built.table(name)
            if table is None:
                raise Http404("No such table on this page.")
            where = dashboard.focus.name if dashboard.focus is not None else dashboard.focus_label
            round_part = f"round-{dashboard.round.number}" if dashboard.round else ""
            return csv_response(table, filename=f"{dashboard.organization.slug} {where} {page} {name} {round_part}")
        return render(request, f"dashboards/{page}.html", {"d": dashboard, "page": built})

    view.__name__ = page
    view.__doc__ = f"The {page} dashboard of the organization or of a team's subtree."
    return view


overview = _view("overview")
coordination = _view("coordination")
trends = _view("trends")
priorities = _view("priorities")
comments = _view("comments")
