"""A URLconf with a deliberately unscoped view, to prove the isolation harness can fail."""

from django.http import HttpResponse
from django.urls import include, path

from peakos.models import Team
from peakos.urls import urlpatterns as real_patterns


def leaky_team(request, org_slug, team_id):
    # The bug the harness must catch: an escape hatch that ignores the tenant scope.
    team = Team.objects.with_scopes_disabled().get(pk=team_id)
    return HttpResponse(f"<h1>{team.name}</h1>")


def widget(request, org_slug, widget_id):
    return HttpResponse("ok")


urlpatterns = [
    path("o/<slug:org_slug>/", include([path("leaky/<int:team_id>/", leaky_team, name="leaky_team")])),
    path("o/<slug:org_slug>/", include([path("widgets/<int:widget_id>/", widget, name="widget")])),
    *real_patterns,
]
