"""Placeholder while the dashboards are written."""

from django.http import Http404


def _todo(request, org_slug, team_id=None):
    raise Http404("Not yet.")


overview = coordination = trends = priorities = comments = _todo
