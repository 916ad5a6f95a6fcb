"""A URLconf with a deliberately unscoped API view, to prove the API isolation check can fail."""

from django.urls import include, path
from rest_framework.response import Response

from peakos.api_base import OrgAPIView
from peakos.models import Team
from peakos.urls import urlpatterns as real_patterns


class LeakyTeamView(OrgAPIView):
    def get(self, request, team_id):
        # The bug the harness must catch: an escape hatch that ignores the organization.
        team = Team.objects.with_scopes_disabled().get(pk=team_id)
        return Response({"name": team.name})


urlpatterns = [
    path("api/", include(([path("v1/leaky/<int:team_id>/", LeakyTeamView.as_view(), name="leaky")], "api"))),
    *real_patterns,
]
