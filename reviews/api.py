"""REST API of the reviews app: review cycles (read) and business reviews (read; a team's lead
writes the draft and submits it).

Reads go through ``reviews.selectors.readable_reviews`` (``access.readable_reviews_filter``),
so a caller lists exactly the reviews the role rules let them read; writes go through the
reviews services, which check ``access.can_edit_review`` and the review's state. A team's
lead is a person, so writing needs a logged-in session: an API token (nobody) never leads a team.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from peakos import permissions
from peakos.api_base import IdFilter, OrgReadOnlyViewSet, OrgViewSet, read_schema
from reviews import access
from reviews.models import (
    Ask,
    BusinessReview,
    CycleKind,
    CycleStatus,
    Metric,
    MetricStatus,
    ReviewCycle,
    ReviewPriority,
    ReviewStatus,
    Risk,
    Severity,
)
from reviews.selectors import readable_reviews
from reviews.services import drafts, workflow

# --- Serializers ---------------------------------------------------------------------------------


class ReviewCycleSerializer(serializers.ModelSerializer):
    plans_for = serializers.CharField(read_only=True, help_text="The period the reviews' priorities are set for.")

    class Meta:
        model = ReviewCycle
        fields = ["id", "kind", "period", "plans_for", "opens_on", "due_on", "status", "opened_at", "closed_at"]
        read_only_fields = fields


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = Metric
        fields = ["name", "target", "actual", "unit", "status"]


class ReviewPrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewPriority
        fields = ["title", "description", "parent", "unlinked", "priority"]
        extra_kwargs = {
            "parent": {"help_text": "The company or department priority this one serves."},
            "priority": {"help_text": "The cascade priority created from this one when the review was approved."},
        }


class RiskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Risk
        fields = ["description", "severity", "owner", "mitigation"]


class AskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ask
        fields = ["to_team", "request", "status", "response", "answered_at"]


class BusinessReviewSerializer(serializers.ModelSerializer):
    metrics = MetricSerializer(many=True, read_only=True)
    priorities = ReviewPrioritySerializer(many=True, read_only=True)
    risks = RiskSerializer(many=True, read_only=True)
    asks = AskSerializer(many=True, read_only=True)

    class Meta:
        model = BusinessReview
        fields = [
            "id",
            "cycle",
            "team",
            "status",
            "version",
            "wins",
            "misses",
            "lessons",
            "health",
            "metrics",
            "priorities",
            "risks",
            "asks",
            "submitted_at",
            "decided_at",
            "updated_at",
        ]
        read_only_fields = fields


class MetricDraftSerializer(serializers.Serializer):
    # Text may be blank here: the service says what is missing, in the same words as the form.
    name = serializers.CharField(max_length=200, allow_blank=True)
    target = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    unit = serializers.CharField(max_length=30, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=MetricStatus.choices, required=False)


class PriorityDraftSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    link = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The id of the company/department priority this serves, or ``unlinked``.",
    )


class RiskDraftSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500, allow_blank=True)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    owner = serializers.IntegerField(required=False, allow_null=True, min_value=1, help_text="A person id.")
    mitigation = serializers.CharField(max_length=500, required=False, allow_blank=True)


class AskDraftSerializer(serializers.Serializer):
    to_team = serializers.IntegerField(min_value=1, help_text="The id of the team asked.")
    request = serializers.CharField(max_length=500, allow_blank=True)


class ReviewDraftSerializer(serializers.Serializer):
    """The whole draft: it replaces the review's content (sections left out become empty)."""

    wins = serializers.CharField(required=False, allow_blank=True)
    misses = serializers.CharField(required=False, allow_blank=True)
    lessons = serializers.CharField(required=False, allow_blank=True)
    health = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5)
    metrics = MetricDraftSerializer(many=True, required=False)
    priorities = PriorityDraftSerializer(many=True, required=False)
    risks = RiskDraftSerializer(many=True, required=False)
    asks = AskDraftSerializer(many=True, required=False)


# --- Views ---------------------------------------------------------------------------------------


class ReviewCycleFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=CycleKind.choices)
    status = django_filters.ChoiceFilter(choices=CycleStatus.choices)
    period = django_filters.CharFilter(help_text="2026 or 2026-Q3.")

    class Meta:
        model = ReviewCycle
        fields = ["kind", "status", "period"]


CYCLE_EXAMPLE = {
    "id": 3,
    "kind": "quarterly",
    "period": "2026-Q3",
    "plans_for": "2026-Q4",
    "opens_on": "2026-09-22",
    "due_on": "2026-10-06",
    "status": "open",
    "opened_at": "2026-09-22T06:00:00Z",
    "closed_at": None,
}


@read_schema(
    plural="List review cycles",
    one="One review cycle",
    description="Quarterly (QBR) and annual (ABR) review cycles, newest period first.",
    example_name="Q3 reviews",
    example=CYCLE_EXAMPLE,
)
class ReviewCycleViewSet(OrgReadOnlyViewSet):
    queryset = ReviewCycle.objects.none()
    serializer_class = ReviewCycleSerializer
    filterset_class = ReviewCycleFilter
    ordering_fields = ["period", "opens_on", "due_on", "id"]
    ordering = ["-period", "kind"]
    lookup_url_kwarg = "cycle_id"
    schema_tags = ["reviews"]


class BusinessReviewFilter(django_filters.FilterSet):
    cycle = IdFilter()
    team = IdFilter()
    status = django_filters.ChoiceFilter(choices=ReviewStatus.choices)

    class Meta:
        model = BusinessReview
        fields = ["cycle", "team", "status"]


REVIEW_EXAMPLE = {
    "id": 41,
    "cycle": 3,
    "team": 12,
    "status": "submitted",
    "version": 1,
    "wins": "Shipped the billing migration.",
    "misses": "On-call load stayed high.",
    "lessons": "Pair on incidents earlier.",
    "health": 4,
    "metrics": [{"name": "Uptime", "target": "99.90", "actual": "99.95", "unit": "%", "status": "on_track"}],
    "priorities": [
        {"title": "Cut p95 latency by 30%", "description": "", "parent": 8, "unlinked": False, "priority": None}
    ],
    "risks": [{"description": "Key engineer on leave", "severity": "medium", "owner": 57, "mitigation": "Rotate"}],
    "asks": [
        {"to_team": 5, "request": "Two weeks of design time", "status": "open", "response": "", "answered_at": None}
    ],
    "submitted_at": "2026-10-01T15:20:00Z",
    "decided_at": None,
    "updated_at": "2026-10-01T15:20:00Z",
}
DRAFT_EXAMPLE = {
    "wins": "Shipped the billing migration.",
    "misses": "On-call load stayed high.",
    "lessons": "Pair on incidents earlier.",
    "health": 4,
    "metrics": [{"name": "Uptime", "target": "99.9", "actual": "99.95", "unit": "%", "status": "on_track"}],
    "priorities": [{"title": "Cut p95 latency by 30%", "link": "8"}],
    "risks": [{"description": "Key engineer on leave", "severity": "medium", "owner": 57}],
    "asks": [{"to_team": 5, "request": "Two weeks of design time"}],
}


@extend_schema_view(
    list=extend_schema(
        summary="List business reviews",
        description="The reviews the caller may read: leaders and admins all; a team's lead theirs; managers "
        "their subtree; others the approved reviews of their own team.",
        examples=[OpenApiExample("Platform's Q3 review", value=REVIEW_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One business review",
        examples=[OpenApiExample("Platform's Q3 review", value=REVIEW_EXAMPLE, response_only=True)],
    ),
    update=extend_schema(
        summary="Save the draft (team lead)",
        description=(
            "Replaces the whole draft: every section is validated together and written, or nothing is "
            "(errors are keyed ``wins`` or ``metrics.2.actual``). Only the team's lead, logged in, while the "
            "review is a draft or returned and its cycle is open."
        ),
        request=ReviewDraftSerializer,
        responses={200: BusinessReviewSerializer},
        examples=[
            OpenApiExample("A draft", value=DRAFT_EXAMPLE, request_only=True),
            OpenApiExample("Saved", value={**REVIEW_EXAMPLE, "status": "draft"}, response_only=True),
        ],
    ),
)
class BusinessReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, OrgViewSet):
    queryset = BusinessReview.objects.none()
    serializer_class = BusinessReviewSerializer
    filterset_class = BusinessReviewFilter
    ordering_fields = ["id", "updated_at", "submitted_at", "team"]
    ordering = ["team__name"]
    lookup_url_kwarg = "review_id"
    http_method_names = ["get", "put", "post", "head", "options"]
    # Any member may try; the review's team lead is checked on the object (and again by the services).
    action_rules = {"update": permissions.is_member, "submit": permissions.is_member}
    object_rules = {"update": access.can_edit_review, "submit": access.can_edit_review}
    schema_tags = ["reviews"]

    def scoped_queryset(self):
        return readable_reviews(self.membership).prefetch_related(
            "metrics", Prefetch("priorities", queryset=ReviewPriority.objects.order_by("position")), "risks", "asks"
        )

    def update(self, request, *args, **kwargs):
        review = self.get_object()
        draft = ReviewDraftSerializer(data=request.data)
        draft.is_valid(raise_exception=True)
        data = {
            **draft.validated_data,
            # The service reads rows as the form posts them: ``row`` is each row's index for its errors.
            **{
                section: [{**row, "row": i} for i, row in enumerate(draft.validated_data.get(section, []))]
                for section in ("metrics", "priorities", "risks", "asks")
            },
        }
        drafts.save_draft(membership=self.membership, review=review, data=data)
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)

    @extend_schema(
        summary="Submit for approval (team lead)",
        description="Checks the review is complete (errors per field otherwise), freezes it as a new version "
        "and sends it to the leaders.",
        request=None,
        responses={200: BusinessReviewSerializer},
        examples=[OpenApiExample("Submitted", value=REVIEW_EXAMPLE, response_only=True)],
    )
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def submit(self, request, review_id=None):
        review = self.get_object()
        workflow.submit_review(membership=self.membership, review=review)
        return Response(self.get_serializer(self.get_queryset().get(pk=review.pk)).data)
