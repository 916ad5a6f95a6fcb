"""REST API of the insights engine (read-only): score snapshots, the coordination matrix, signals.

These endpoints read the precomputed rows only. A suppressed row ("not enough responses")
stores no values, so it is answered with ``suppressed: true`` and null figures — there is
nothing else to leak. Which rows a caller sees follows ``peakos.permissions``:
organization-wide rows for every member, team rows for the teams the member sees, layer and
depth rows for those who see all results.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from insights import access, vocabulary
from insights.models import CoordinationCell, ScopeKind, Severity, Signal, SignalKind, SignalStatus, Snapshot
from peakos.api_base import IdFilter, OrgReadOnlyViewSet, read_schema
from peakos.models import Layer
from surveys.models import Dimension

# --- Serializers ---------------------------------------------------------------------------------

SCOPE_FIELDS = ["scope_kind", "team", "layer", "depth"]


class SnapshotSerializer(serializers.ModelSerializer):
    survey = serializers.IntegerField(source="round.survey_id", read_only=True)

    class Meta:
        model = Snapshot
        fields = [
            "id",
            "round",
            "survey",
            *SCOPE_FIELDS,
            "dimension",
            "suppressed",
            "hidden_reason",
            *vocabulary.SNAPSHOT_FIGURES,
        ]
        read_only_fields = fields
        extra_kwargs = {
            "suppressed": {"help_text": "Not published: every figure is null (see hidden_reason)."},
            "hidden_reason": {
                "help_text": "Why a suppressed row is hidden: 'few' (fewer respondents than the threshold) or "
                "'protect' (hidden so that a smaller group cannot be worked out from the rows that are shown)."
            },
            "score": {"help_text": "0–100 for Likert dimensions; −100..100 for eNPS."},
            "respondents": {"help_text": "Null when suppressed."},
        }


class CoordinationCellSerializer(serializers.ModelSerializer):
    class Meta:
        model = CoordinationCell
        fields = ["id", "round", "rater_team", "rated_team", "suppressed", *vocabulary.COORDINATION_FIGURES]
        read_only_fields = fields
        extra_kwargs = {
            "rater_team": {"help_text": "The rating team (its subtree); null: every rating the rated team received."}
        }


class SignalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Signal
        fields = [
            "id",
            "round",
            "kind",
            "key",
            *SCOPE_FIELDS,
            "dimension",
            "severity",
            "title",
            "figures",
            "status",
            "detected_at",
            "resolved_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"figures": {"help_text": "The figures that triggered the signal (their names depend on kind)."}}


# --- Filters -------------------------------------------------------------------------------------


class LatestRoundFilterSet(django_filters.FilterSet):
    """``latest=true`` keeps the most recent round with results among the rows the other filters keep."""

    latest = django_filters.BooleanFilter(
        method="applied_last", help_text="Only the most recent round that has results (after the other filters)."
    )

    def applied_last(self, queryset, name, value):
        return queryset  # see filter_queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.form.cleaned_data.get("latest"):
            latest = queryset.order_by("-round__opens_at", "-round_id").values_list("round_id", flat=True).first()
            queryset = queryset.filter(round_id=latest)
        return queryset


class SnapshotFilter(LatestRoundFilterSet):
    round = IdFilter()
    survey = IdFilter(field_name="round__survey")
    scope_kind = django_filters.ChoiceFilter(choices=ScopeKind.choices)
    team = IdFilter()
    layer = django_filters.ChoiceFilter(choices=Layer.choices)
    depth = django_filters.NumberFilter(min_value=0, max_value=1000)
    dimension = django_filters.ChoiceFilter(choices=Dimension.choices)
    suppressed = django_filters.BooleanFilter()

    class Meta:
        model = Snapshot
        fields = ["round", "survey", "scope_kind", "team", "layer", "depth", "dimension", "suppressed", "latest"]


class CoordinationFilter(LatestRoundFilterSet):
    round = IdFilter()
    survey = IdFilter(field_name="round__survey")
    rater_team = IdFilter()
    rated_team = IdFilter()
    received = django_filters.BooleanFilter(
        field_name="rater_team", lookup_expr="isnull", help_text="true: each team's received coordination only."
    )
    suppressed = django_filters.BooleanFilter()

    class Meta:
        model = CoordinationCell
        fields = ["round", "survey", "rater_team", "rated_team", "received", "suppressed", "latest"]


class SignalFilter(django_filters.FilterSet):
    round = IdFilter()
    kind = django_filters.ChoiceFilter(choices=SignalKind.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    status = django_filters.ChoiceFilter(choices=SignalStatus.choices)
    scope_kind = django_filters.ChoiceFilter(choices=ScopeKind.choices)
    team = IdFilter()
    dimension = django_filters.ChoiceFilter(choices=Dimension.choices)
    detected_since = django_filters.IsoDateTimeFilter(field_name="detected_at", lookup_expr="gte")

    class Meta:
        model = Signal
        fields = ["round", "kind", "severity", "status", "scope_kind", "team", "dimension", "detected_since"]


# --- Views ---------------------------------------------------------------------------------------

SNAPSHOT_EXAMPLE = {
    "id": 4410,
    "round": 9,
    "survey": 2,
    "scope_kind": "team",
    "team": 12,
    "layer": "",
    "depth": None,
    "dimension": "alignment",
    "suppressed": False,
    "respondents": 8,
    "score": 71.9,
    "mean": 3.875,
    "favorable_share": 0.69,
    "unfavorable_share": 0.09,
    "spread": 0.86,
    "delta": -4.2,
    "gap": 12.5,
    "driver_enps": None,
    "driver_alignment": None,
}
SUPPRESSED_EXAMPLE = {
    **SNAPSHOT_EXAMPLE,
    "id": 4411,
    "team": 13,
    "suppressed": True,
    **dict.fromkeys(vocabulary.SNAPSHOT_FIGURES),
}


@extend_schema_view(
    list=extend_schema(
        summary="List score snapshots",
        description=(
            "Scores per round × scope × dimension. ``latest=true`` keeps the most recent round with results; "
            "e.g. ``?latest=true&scope_kind=organization`` is the organization's latest scores. A scope with "
            "fewer respondents than the anonymity threshold (or one that could be derived by subtraction) "
            "has ``suppressed: true`` and null figures. Members see organization-wide rows, managers also "
            "their teams' rows, leaders and admins everything."
        ),
        examples=[
            OpenApiExample("A team's alignment", value=SNAPSHOT_EXAMPLE, response_only=True),
            OpenApiExample("Not enough responses", value=SUPPRESSED_EXAMPLE, response_only=True),
        ],
    ),
    retrieve=extend_schema(
        summary="One score snapshot",
        examples=[OpenApiExample("A team's alignment", value=SNAPSHOT_EXAMPLE, response_only=True)],
    ),
)
class SnapshotViewSet(OrgReadOnlyViewSet):
    queryset = Snapshot.objects.none()
    serializer_class = SnapshotSerializer
    filterset_class = SnapshotFilter
    ordering_fields = ["id", "round", "dimension", "scope_kind", "score", "respondents"]
    ordering = ["round", "scope_kind", "team", "layer", "depth", "dimension"]
    lookup_url_kwarg = "snapshot_id"
    schema_tags = ["scores"]

    def get_queryset(self):
        if self.is_schema_generation:
            return Snapshot.objects.none()
        return Snapshot.objects.filter(access.visible_scopes_filter(self.membership)).select_related("round")


COORDINATION_EXAMPLE = {
    "id": 301,
    "round": 9,
    "rater_team": 7,
    "rated_team": 5,
    "suppressed": False,
    "respondents": 11,
    "mean": 2.4,
    "score": 35.0,
}


@extend_schema_view(
    list=extend_schema(
        summary="The coordination matrix",
        description=(
            "How each team's people rate the teams they depend on (1–5), one cell per rating team × rated "
            "team and round; ``received=true`` gives each team's coordination score (every rating it got). "
            "Use ``latest=true`` for the most recent round. Cells with too few ratings are suppressed "
            "(null figures). Team-level: managers see cells of their teams, leaders and admins all."
        ),
        examples=[OpenApiExample("Sales rates Marketing", value=COORDINATION_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One coordination cell",
        examples=[OpenApiExample("Sales rates Marketing", value=COORDINATION_EXAMPLE, response_only=True)],
    ),
)
class CoordinationViewSet(OrgReadOnlyViewSet):
    queryset = CoordinationCell.objects.none()
    serializer_class = CoordinationCellSerializer
    filterset_class = CoordinationFilter
    ordering_fields = ["id", "round", "rated_team", "rater_team", "score"]
    ordering = ["round", "rated_team", "rater_team"]
    lookup_url_kwarg = "cell_id"
    schema_tags = ["scores"]

    def get_queryset(self):
        if self.is_schema_generation:
            return CoordinationCell.objects.none()
        return CoordinationCell.objects.filter(access.visible_coordination_filter(self.membership))


SIGNAL_EXAMPLE = {
    "id": 77,
    "round": 9,
    "kind": "drop",
    "key": "drop:team:12:alignment",
    "scope_kind": "team",
    "team": 12,
    "layer": "",
    "depth": None,
    "dimension": "alignment",
    "severity": "high",
    "title": "Alignment fell 14 points in Platform",
    "figures": {"score": 58.0, "previous": 72.0, "delta": -14.0},
    "status": "open",
    "detected_at": "2026-09-26T07:01:12Z",
    "resolved_at": None,
}


@read_schema(
    plural="List signals",
    one="One signal",
    description="Risks the engine found (drops, leadership gaps, low participation, priority confusion, weak "
    "links, unlinked priorities, overdue reviews), each with where it is and the figures behind it.",
    example_name="A drop",
    example=SIGNAL_EXAMPLE,
)
class SignalViewSet(OrgReadOnlyViewSet):
    queryset = Signal.objects.none()
    serializer_class = SignalSerializer
    filterset_class = SignalFilter
    ordering_fields = ["detected_at", "kind", "id"]
    ordering = ["-detected_at", "kind", "key"]
    lookup_url_kwarg = "signal_id"
    schema_tags = ["signals"]

    def get_queryset(self):
        if self.is_schema_generation:
            return Signal.objects.none()
        return Signal.objects.filter(access.visible_scopes_filter(self.membership))
