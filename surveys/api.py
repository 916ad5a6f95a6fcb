"""REST API of the surveys app (read-only): surveys, their rounds, and a round's participation.

Participation counts invitations, never answers, and per-team figures only for teams with at
least the round's anonymity threshold invited (``insights.selectors.round_participation``).
Registered in peakos/api_urls.py; the shared machinery is peakos/api_base.py.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count, OuterRef, Prefetch, Subquery
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from insights.models import Participation, ScopeKind
from insights.selectors import round_participation
from peakos import permissions
from peakos.api_base import IdFilter, OrgReadOnlyViewSet, read_schema
from surveys.models import Audience, Cadence, Question, Round, RoundStatus, Survey, SurveyQuestion

# --- Serializers ---------------------------------------------------------------------------------


class QuestionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Question
        fields = ["id", "key", "version", "dimension", "kind", "text"]
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer):
    questions = serializers.SerializerMethodField(help_text="The survey's current questions, in order.")
    audience_teams = serializers.SerializerMethodField(
        help_text="With audience ``teams``: the teams whose subtrees get the survey."
    )
    round_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "name",
            "audience",
            "audience_teams",
            "cadence",
            "open_days",
            "start_date",
            "next_run_at",
            "active",
            "round_count",
            "questions",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, obj):
        return QuestionSerializer([sq.question for sq in obj.ordered_questions], many=True).data

    def get_audience_teams(self, obj) -> list[int]:
        return [st.team_id for st in obj.survey_teams.all()]


class RoundSerializer(serializers.ModelSerializer):
    anonymity_threshold = serializers.IntegerField(
        source="effective_anonymity_threshold",
        read_only=True,
        help_text="Fewer respondents than this in a scope: no figures for it (frozen at the first response).",
    )
    comment_threshold = serializers.IntegerField(source="effective_comment_threshold", read_only=True)
    answered = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="People who answered, as published: null until the organization's count passes the anonymity "
        "audit; while a round is open it moves in releases of several responses.",
    )

    class Meta:
        model = Round
        fields = [
            "id",
            "survey",
            "number",
            "status",
            "opens_at",
            "closes_at",
            "closed_at",
            "anonymity_threshold",
            "comment_threshold",
            "invited_count",
            "answered",
        ]
        read_only_fields = fields


class TeamParticipationSerializer(serializers.Serializer):
    team = serializers.IntegerField(source="team.id", allow_null=True, default=None)
    team_name = serializers.CharField(source="team.name", allow_null=True, default=None)
    invited = serializers.IntegerField(help_text="People invited in the team and the teams below it.")
    answered = serializers.IntegerField(allow_null=True, help_text="Null where the count is not published.")
    rate = serializers.IntegerField(allow_null=True, help_text="Percent answered; null with answered.")
    hidden = serializers.ChoiceField(
        choices=["", "few", "protect"],
        help_text="Why answered is null: 'few' (fewer responses than the threshold) or 'protect' (hidden so a "
        "smaller group's count cannot be worked out by subtraction).",
    )


class ParticipationSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    invited = serializers.IntegerField()
    answered = serializers.IntegerField(allow_null=True, help_text="Null until published (see the round's answered).")
    rate = serializers.IntegerField(allow_null=True, help_text="Percent answered (aim for 75–80%).")
    threshold = serializers.IntegerField(help_text="The round's anonymity threshold.")
    live = serializers.BooleanField(help_text="The round is open: counts move in releases of several responses.")
    teams = TeamParticipationSerializer(many=True)
    hidden_teams = serializers.IntegerField(help_text="Teams whose answered count is not published.")


# --- Views ---------------------------------------------------------------------------------------


class SurveyFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter()
    cadence = django_filters.ChoiceFilter(choices=Cadence.choices)
    audience = django_filters.ChoiceFilter(choices=Audience.choices)

    class Meta:
        model = Survey
        fields = ["active", "cadence", "audience"]


SURVEY_EXAMPLE = {
    "id": 2,
    "name": "Alignment pulse",
    "audience": "organization",
    "audience_teams": [],
    "cadence": "biweekly",
    "open_days": 5,
    "start_date": "2026-09-07",
    "next_run_at": "2026-10-05T07:00:00Z",
    "active": True,
    "round_count": 4,
    "questions": [
        {
            "id": 11,
            "key": "alignment-priorities",
            "version": 1,
            "dimension": "alignment",
            "kind": "likert5",
            "text": "I know our company's top priorities this quarter.",
        }
    ],
    "created_at": "2026-09-01T10:00:00Z",
}


@read_schema(
    plural="List surveys",
    one="One survey",
    description="Pulse surveys with their questions, audience and schedule.",
    example_name="A pulse",
    example=SURVEY_EXAMPLE,
)
class SurveyViewSet(OrgReadOnlyViewSet):
    queryset = Survey.objects.none()
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    ordering_fields = ["name", "id", "start_date", "created_at"]
    ordering = ["name"]
    lookup_url_kwarg = "survey_id"
    schema_tags = ["surveys"]

    def scoped_queryset(self):
        return Survey.objects.annotate(round_count=Count("rounds", distinct=True)).prefetch_related(
            Prefetch(
                "survey_questions",
                queryset=SurveyQuestion.objects.select_related("question").order_by("position", "id"),
                to_attr="ordered_questions",
            ),
            "survey_teams",
        )


class RoundFilter(django_filters.FilterSet):
    survey = IdFilter()
    status = django_filters.ChoiceFilter(choices=RoundStatus.choices)
    opens_after = django_filters.IsoDateTimeFilter(field_name="opens_at", lookup_expr="gte")
    opens_before = django_filters.IsoDateTimeFilter(field_name="opens_at", lookup_expr="lt")

    class Meta:
        model = Round
        fields = ["survey", "status", "opens_after", "opens_before"]


ROUND_EXAMPLE = {
    "id": 9,
    "survey": 2,
    "number": 4,
    "status": "closed",
    "opens_at": "2026-09-21T07:00:00Z",
    "closes_at": "2026-09-26T07:00:00Z",
    "closed_at": "2026-09-26T07:00:03Z",
    "anonymity_threshold": 5,
    "comment_threshold": 10,
    "invited_count": 212,
    "answered": 171,
}
PARTICIPATION_EXAMPLE = {
    "round": 9,
    "invited": 212,
    "answered": 171,
    "rate": 81,
    "threshold": 5,
    "live": False,
    "teams": [
        {"team": 12, "team_name": "Platform", "invited": 9, "answered": 8, "rate": 89, "hidden": ""},
        {"team": 14, "team_name": "Data", "invited": 4, "answered": None, "rate": None, "hidden": "few"},
    ],
    "hidden_teams": 1,
}


@read_schema(
    plural="List rounds",
    one="One round",
    description="Every sending of every survey, newest first. ``status=closed`` for rounds with final scores.",
    example_name="A closed round",
    example=ROUND_EXAMPLE,
)
class RoundViewSet(OrgReadOnlyViewSet):
    queryset = Round.objects.none()
    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    ordering_fields = ["opens_at", "closes_at", "number", "id"]
    ordering = ["-opens_at", "-number"]
    lookup_url_kwarg = "round_id"
    action_rules = {"participation": permissions.can_see_all_results}
    schema_tags = ["surveys"]

    def scoped_queryset(self):
        published = Participation.objects.filter(
            round=OuterRef("pk"), scope_kind=ScopeKind.ORGANIZATION, suppressed=False
        ).values("respondents")[:1]
        return Round.objects.select_related("organization").annotate(answered=Subquery(published))

    @extend_schema(
        summary="A round's participation",
        description="Invited and answered, overall and per team (a team counts the teams below it; teams as when "
        "the round opened). Answered counts are those the anonymity audit publishes: null where a count could "
        "reveal fewer respondents than the threshold, directly or by subtracting other published counts; while "
        "the round is open they move in releases. Owners, admins and leaders.",
        responses={200: ParticipationSerializer},
        examples=[OpenApiExample("Participation", value=PARTICIPATION_EXAMPLE, response_only=True)],
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def participation(self, request, round_id=None):
        round_ = self.get_object()
        data = round_participation(round_)
        payload = {
            "round": round_.pk,
            "invited": data.invited,
            "answered": data.answered,
            "rate": data.rate,
            "threshold": data.threshold,
            "live": data.live,
            "teams": data.teams,
            "hidden_teams": data.hidden_teams,
        }
        return Response(ParticipationSerializer(payload).data)
