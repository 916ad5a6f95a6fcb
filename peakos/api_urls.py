"""URLs of the REST API, included at ``/api/`` by peakos/urls.py.

* ``/api/v1/…`` — the endpoints; each app's viewsets live in its ``api.py``.
* ``/api/schema/`` — the OpenAPI 3 schema (drf-spectacular), public: it holds no data.
* ``/api/docs/`` — Swagger UI, its assets served from drf-spectacular-sidecar (no CDN).

URL kwargs are named ``<model>_id`` like the pages', so tests/isolation.py can fill them
with another organization's ids.
"""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from insights import api as insights_api
from peakos import api
from peakos.api_base import IdConverter, api_not_found
from reviews import api as reviews_api
from rhythm import api as rhythm_api
from surveys import api as surveys_api

app_name = "api"
register_converter(IdConverter, "id")

router = SimpleRouter(use_regex_path=False)
router.register("teams", api.TeamViewSet, basename="team")
router.register("people", api.PersonViewSet, basename="person")
router.register("dependencies", api.TeamDependencyViewSet, basename="dependency")
router.register("priorities", api.PriorityViewSet, basename="priority")
router.register("surveys", surveys_api.SurveyViewSet, basename="survey")
router.register("rounds", surveys_api.RoundViewSet, basename="round")
router.register("snapshots", insights_api.SnapshotViewSet, basename="snapshot")
router.register("coordination", insights_api.CoordinationViewSet, basename="coordination")
router.register("signals", insights_api.SignalViewSet, basename="signal")
router.register("review-cycles", reviews_api.ReviewCycleViewSet, basename="review-cycle")
router.register("reviews", reviews_api.BusinessReviewViewSet, basename="review")
router.register("rhythm/meetings", rhythm_api.MeetingViewSet, basename="rhythm-meeting")
router.register("rhythm/measurables", rhythm_api.MeasurableViewSet, basename="rhythm-measurable")
router.register("rhythm/issues", rhythm_api.IssueViewSet, basename="rhythm-issue")
router.register("rhythm/decisions", rhythm_api.DecisionViewSet, basename="rhythm-decision")

urlpatterns = [
    path("v1/organization/", api.OrganizationView.as_view(), name="organization"),
    path("v1/rhythm/health/", rhythm_api.RhythmHealthView.as_view(), name="rhythm-health"),
    path("v1/rhythm/velocity/", rhythm_api.RhythmVelocityView.as_view(), name="rhythm-velocity"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/v1/ answers in the API's JSON error shape.
    re_path(r"^v1/", api_not_found, name="not_found"),
]
