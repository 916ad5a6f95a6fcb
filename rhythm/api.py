"""REST API of the weekly rhythm (read-only): meetings, the scorecard, issues, decisions, and
decision velocity per team and department.

Lists hold the teams the caller sees on the pages (rhythm/access.py): leaders, admins and owners
(and their tokens) every team; members and managers their own teams. Rhythm health is for
those who see every team's rhythm.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import asdict

import django_filters
from django.db.models import Avg, Count, Q
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from peakos.api_base import IdFilter, OrgAPIView, OrgReadOnlyViewSet, read_schema
from peakos.models import TeamKind
from peakos.selectors import subtree_ids, team_tree
from rhythm import access, selectors
from rhythm import velocity as formulas
from rhythm.models import Decision, Direction, Issue, IssueStatus, Measurable, Meeting


# Read-only rhythm rows: those of the teams the caller sees (``team_fields`` name the rows' teams;
# a cross-team issue is seen by both). No docstring: the schema would show it on every retrieve.
class RhythmViewSet(OrgReadOnlyViewSet):
    team_fields: tuple[str, ...] = ("team_id",)
    schema_tags = ["rhythm"]

    def scoped_queryset(self):
        return access.visible_rows(self.rhythm_rows(), self.membership, *self.team_fields)

    def rhythm_rows(self):
        return self.queryset.model.objects.all()


# --- Meetings ------------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    series = serializers.CharField(source="series.name", read_only=True)
    rating_mean = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Mean of the attendees' 1–10 ratings (given openly in the meeting)."
    )
    ratings = serializers.IntegerField(read_only=True, help_text="How many attendees rated it.")
    decisions = serializers.IntegerField(source="decision_count", read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "team", "series", "held_on", "started_at", "ended_at", "rating_mean", "ratings", "decisions"]
        read_only_fields = fields


class MeetingFilter(django_filters.FilterSet):
    team = IdFilter()
    held_on_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_on_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte")

    class Meta:
        model = Meeting
        fields = ["team"]


MEETING_EXAMPLE = {
    "id": 17,
    "team": 12,
    "series": "Platform weekly",
    "held_on": "2026-11-30",
    "started_at": "2026-11-30T09:01:00Z",
    "ended_at": "2026-11-30T10:28:00Z",
    "rating_mean": 8.4,
    "ratings": 5,
    "decisions": 3,
}


@read_schema(
    plural="List meetings",
    one="One meeting",
    description="Team meetings held or going on, newest first, with their average rating and decisions.",
    example_name="Platform's weekly",
    example=MEETING_EXAMPLE,
)
class MeetingViewSet(RhythmViewSet):
    queryset = Meeting.objects.none()
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["held_on", "started_at", "id"]
    ordering = ["-held_on", "-id"]
    lookup_url_kwarg = "meeting_id"

    def rhythm_rows(self):
        qs = Meeting.objects.filter(started_at__isnull=False).select_related("series")
        qs = qs.annotate(
            rating_mean=Avg("attendees__rating"),
            ratings=Count("attendees", filter=Q(attendees__rating__isnull=False), distinct=True),
            decision_count=Count("decisions", distinct=True),
        )
        return qs


# --- Scorecard -----------------------------------------------------------------------------------


class MeasurableEntrySerializer(serializers.Serializer):
    week = serializers.DateField(help_text="The week's Monday.")
    value = serializers.DecimalField(max_digits=14, decimal_places=2)
    on_track = serializers.BooleanField(help_text="The value meets the goal in the measurable's direction.")


class MeasurableSerializer(serializers.ModelSerializer):
    entries = serializers.SerializerMethodField(help_text="Weekly values, oldest first (week = its Monday).")

    class Meta:
        model = Measurable
        fields = ["id", "team", "name", "owner", "goal", "direction", "unit", "metric", "archived", "entries"]
        read_only_fields = fields

    @extend_schema_field(MeasurableEntrySerializer(many=True))
    def get_entries(self, obj) -> list[dict]:
        return [
            {"week": e.week.isoformat(), "value": str(e.value), "on_track": obj.on_track(e.value)}
            for e in obj.entries.all()
        ]


class MeasurableFilter(django_filters.FilterSet):
    team = IdFilter()
    direction = django_filters.ChoiceFilter(choices=Direction.choices)
    archived = django_filters.BooleanFilter(
        help_text="true: the archived measurables (off the scorecard, their weeks kept). Left out: those on it."
    )

    class Meta:
        model = Measurable
        fields = ["team", "direction", "archived"]


MEASURABLE_EXAMPLE = {
    "id": 8,
    "team": 12,
    "name": "Deploys",
    "owner": 57,
    "goal": "10.00",
    "direction": "gte",
    "unit": "",
    "metric": None,
    "archived": False,
    "entries": [{"week": "2026-11-23", "value": "12.00", "on_track": True}],
}


@read_schema(
    plural="List scorecard measurables",
    one="One measurable",
    description="Each team's weekly measurables with owner, goal, direction (gte: at least, lte: at most) "
    "and their weekly entries.",
    example_name="Deploys a week",
    example=MEASURABLE_EXAMPLE,
)
class MeasurableViewSet(RhythmViewSet):
    queryset = Measurable.objects.none()
    serializer_class = MeasurableSerializer
    filterset_class = MeasurableFilter
    ordering_fields = ["name", "id"]
    ordering = ["team__name", "name"]
    lookup_url_kwarg = "measurable_id"

    def rhythm_rows(self):
        rows = Measurable.objects.prefetch_related("entries")
        return rows if "archived" in self.request.query_params else rows.filter(archived=False)


# --- Issues and decisions ------------------------------------------------------------------------


class IssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Issue
        fields = [
            "id", "team", "raised_to", "raised_by", "title", "priority", "status", "raised_at", "solved_at",
            "archived_at",
        ]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "archived_at": {"help_text": "When it was parked off the meeting's list (null: on it). A parked open "
                            "issue still counts as waiting in decision velocity."}
        }  # fmt: skip


class IssueFilter(django_filters.FilterSet):
    team = IdFilter()
    raised_to = IdFilter()
    status = django_filters.ChoiceFilter(choices=IssueStatus.choices)

    class Meta:
        model = Issue
        fields = ["team", "raised_to", "status"]


ISSUE_EXAMPLE = {
    "id": 31,
    "team": 12,
    "raised_to": 2,
    "raised_by": 57,
    "title": "The hiring freeze blocks the launch",
    "priority": 1,
    "status": "solved",
    "raised_at": "2026-11-03T14:00:00Z",
    "solved_at": "2026-11-16T09:40:00Z",
    "archived_at": None,
}


@read_schema(
    plural="List issues",
    one="One issue",
    description="Issues of the teams the caller sees: raised by them or raised to them (``raised_to``: "
    "another team or the leadership team).",
    example_name="Raised to leadership",
    example=ISSUE_EXAMPLE,
)
class IssueViewSet(RhythmViewSet):
    queryset = Issue.objects.none()
    serializer_class = IssueSerializer
    filterset_class = IssueFilter
    ordering_fields = ["raised_at", "solved_at", "priority", "id"]
    ordering = ["-raised_at"]
    lookup_url_kwarg = "issue_id"
    team_fields = ("team_id", "raised_to_id")


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = ["id", "team", "issue", "meeting", "what", "why", "decided_by", "decided_at"]
        read_only_fields = fields


class DecisionFilter(django_filters.FilterSet):
    team = IdFilter()
    meeting = IdFilter()

    class Meta:
        model = Decision
        fields = ["team", "meeting"]


DECISION_EXAMPLE = {
    "id": 5,
    "team": 2,
    "issue": 31,
    "meeting": 17,
    "what": "Two contractors for the launch quarter",
    "why": "Faster than hiring; the freeze ends in Q2",
    "decided_by": 3,
    "decided_at": "2026-11-16T09:40:00Z",
}


@read_schema(
    plural="List decisions",
    one="One decision",
    description="The decision log: what was decided, why, by whom and when, newest first.",
    example_name="A leadership decision",
    example=DECISION_EXAMPLE,
)
class DecisionViewSet(RhythmViewSet):
    queryset = Decision.objects.none()
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    ordering_fields = ["decided_at", "id"]
    ordering = ["-decided_at", "-id"]
    lookup_url_kwarg = "decision_id"


# --- Rhythm health -------------------------------------------------------------------------------


class VelocitySerializer(serializers.Serializer):
    issues_raised = serializers.IntegerField()
    issues_solved = serializers.IntegerField()
    median_days_to_decision = serializers.FloatField(allow_null=True)
    decidable = serializers.IntegerField()
    solved_within_two = serializers.IntegerField()
    solved_within_two_share = serializers.FloatField(allow_null=True)
    todos_due = serializers.IntegerField()
    todos_done_on_time = serializers.IntegerField()
    todo_completion_rate = serializers.FloatField(allow_null=True)
    meetings_held = serializers.IntegerField()
    meeting_ratings = serializers.ListField(child=serializers.FloatField())
    rating_mean = serializers.FloatField(allow_null=True)
    rating_trend = serializers.FloatField(allow_null=True)
    cross_team_raised = serializers.IntegerField()
    cross_team_solved = serializers.IntegerField()
    cross_team_median_days = serializers.FloatField(allow_null=True)
    cross_team_open = serializers.IntegerField()
    cross_team_oldest_open_days = serializers.FloatField(allow_null=True)


class HealthRowSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    name = serializers.CharField()
    teams = serializers.IntegerField(help_text="Teams pooled: 1 for a team, its subtree for a department.")
    has_series = serializers.BooleanField()
    measurables = serializers.IntegerField()
    scorecard_coverage = serializers.FloatField(allow_null=True, help_text="Share of the last 4 weeks' cells filled.")
    velocity = VelocitySerializer()


class HealthSerializer(serializers.Serializer):
    weeks = serializers.IntegerField()
    organization = VelocitySerializer()
    departments = HealthRowSerializer(many=True)
    teams = HealthRowSerializer(many=True)


def _row(r) -> dict:
    return {
        "team": r.team.pk, "name": r.team.name, "teams": r.teams, "has_series": r.has_series,
        "measurables": r.measurables, "scorecard_coverage": r.coverage, "velocity": asdict(r.velocity),
    }  # fmt: skip


VELOCITY_EXAMPLE = {
    "issues_raised": 7, "issues_solved": 4, "median_days_to_decision": 8.37, "decidable": 6,
    "solved_within_two": 3, "solved_within_two_share": 0.5, "todos_due": 4, "todos_done_on_time": 2,
    "todo_completion_rate": 0.5, "meetings_held": 5, "meeting_ratings": [8, 7, 8, 9, 9], "rating_mean": 8.2,
    "rating_trend": 0.4, "cross_team_raised": 2, "cross_team_solved": 1, "cross_team_median_days": 3.92,
    "cross_team_open": 1, "cross_team_oldest_open_days": 20.13,
}  # fmt: skip


class RhythmHealthView(OrgAPIView):
    """Decision velocity, meetings, ratings and scorecard coverage per team and department."""

    read_rule = staticmethod(access.can_see_health)
    serializer_class = HealthSerializer
    schema_tags = ["rhythm"]

    @extend_schema(
        summary="Rhythm health and decision velocity",
        description="The last 13 weeks, per team and per department (its subtree pooled), as on the Rhythm "
        "health page; formulas in docs/scoring.md. Leaders, admins and owners.",
        examples=[
            OpenApiExample(
                "One team",
                response_only=True,
                value={
                    "weeks": 13,
                    "organization": VELOCITY_EXAMPLE,
                    "departments": [],
                    "teams": [
                        {
                            "team": 12,
                            "name": "Platform",
                            "teams": 1,
                            "has_series": True,
                            "measurables": 3,
                            "scorecard_coverage": 0.83,
                            "velocity": VELOCITY_EXAMPLE,
                        }
                    ],
                },  # fmt: skip
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        health = selectors.rhythm_health(self.organization)
        return Response(
            {
                "weeks": health["weeks"],
                "organization": asdict(health["organization"]),
                "departments": [_row(r) for r in health["departments"]],
                "teams": [_row(r) for r in health["teams"]],
            }
        )


# --- Decision velocity by quarter ----------------------------------------------------------------


class QuarterVelocitySerializer(serializers.Serializer):
    quarter = serializers.CharField(help_text="The calendar quarter, as review periods write it: 2026-Q4.")
    complete = serializers.BooleanField(help_text="The quarter has ended: its figures are final.")
    decisions = serializers.IntegerField(help_text="Issues solved in the quarter.")
    median_days_to_decision = serializers.FloatField(
        allow_null=True, help_text="Median days from raised to solved, over the quarter's decisions."
    )
    waiting_at_end = serializers.IntegerField(help_text="Issues still open at the quarter's end (or now).")
    oldest_wait_days = serializers.FloatField(allow_null=True)
    todos_due = serializers.IntegerField(help_text="To-dos due in the quarter whose due day is over.")
    todos_done_on_time = serializers.IntegerField()
    todo_completion_rate = serializers.FloatField(allow_null=True)
    meetings_held = serializers.IntegerField()
    rating_mean = serializers.FloatField(allow_null=True, help_text="Mean of the meetings' mean 1–10 ratings.")
    rating_trend = serializers.FloatField(allow_null=True, help_text="Least-squares slope, rating points a meeting.")


class VelocityRowSerializer(serializers.Serializer):
    team = serializers.IntegerField()
    name = serializers.CharField()
    teams = serializers.IntegerField(help_text="Teams pooled: 1 for a team, its subtree for a department.")
    quarters = QuarterVelocitySerializer(many=True)


class QuarterlyVelocitySerializer(serializers.Serializer):
    quarters = serializers.ListField(child=serializers.CharField())
    organization = QuarterVelocitySerializer(many=True, allow_null=True, help_text="Leaders, admins and owners.")
    departments = VelocityRowSerializer(many=True, help_text="Leaders, admins and owners; else empty.")
    teams = VelocityRowSerializer(many=True)


class VelocityQuerySerializer(serializers.Serializer):
    quarters = serializers.IntegerField(
        required=False, min_value=1, max_value=12, default=4, help_text="The last N quarters, this one last."
    )
    period = serializers.CharField(
        required=False, help_text="A review period instead: a quarter (2026-Q3) or a year (2026, its four quarters)."
    )
    team = serializers.IntegerField(required=False, min_value=1, help_text="One team only.")

    def validate_period(self, value: str) -> str:
        try:
            formulas.quarters_of_period(value, None)
        except ValueError:
            raise serializers.ValidationError("Write a quarter (2026-Q3) or a year (2026).") from None
        return value


QUARTER_EXAMPLE = {
    "quarter": "2026-Q4", "complete": False, "decisions": 2, "median_days_to_decision": 7.5, "waiting_at_end": 1,
    "oldest_wait_days": 28.13, "todos_due": 2, "todos_done_on_time": 1, "todo_completion_rate": 0.5,
    "meetings_held": 4, "rating_mean": 7.67, "rating_trend": -0.75,
}  # fmt: skip


class RhythmVelocityView(OrgAPIView):
    """Decision velocity per quarter: per team, per department and for the organization."""

    serializer_class = QuarterlyVelocitySerializer
    schema_tags = ["rhythm"]

    @extend_schema(
        summary="Decision velocity by quarter",
        description="Per calendar quarter (the organization's time zone): decisions made and the median days "
        "from issue raised to decision, issues still waiting, to-do completion, meetings held and their rating "
        "trend; formulas in docs/scoring.md. Teams: those the caller sees on the rhythm pages (their own figures); "
        "departments (their subtree pooled) and the organization: leaders, admins and owners.",
        parameters=[VelocityQuerySerializer],
        examples=[
            OpenApiExample(
                "One team, one quarter",
                response_only=True,
                value={
                    "quarters": ["2026-Q4"],
                    "organization": [QUARTER_EXAMPLE],
                    "departments": [],
                    "teams": [{"team": 12, "name": "Platform", "teams": 1, "quarters": [QUARTER_EXAMPLE]}],
                },  # fmt: skip
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        query = VelocityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        args = query.validated_data
        tz = zoneinfo.ZoneInfo(self.organization.timezone or "UTC")
        quarters = formulas.quarters_of_period(args["period"], tz) if "period" in args else None
        tree = team_tree(self.organization, include_archived=False)
        visible = access.visible_team_ids(self.membership)
        team_ids = [t for t in tree.teams if visible is None or t in visible]
        if "team" in args:
            if args["team"] not in team_ids:
                raise NotFound("No such team, or not one whose rhythm you see.")
            team_ids = [args["team"]]
        leaders = access.can_see_health(self.membership)
        departments = [t.pk for t, _ in tree.walk() if t.kind == TeamKind.DEPARTMENT] if leaders else []
        if "team" in args:
            departments = [t for t in departments if t == args["team"]]
        groups = {("team", t): {t} for t in team_ids}
        groups |= {("department", t): subtree_ids(tree, t) for t in departments}
        if leaders and "team" not in args:
            groups["organization"] = set(tree.teams)
        found = selectors.quarterly_velocity(self.organization, groups, quarters=quarters, count=args["quarters"])
        labels = [q.quarter for q in next(iter(found.values()))] if found else []

        def rows(kind: str, ids: list[int]) -> list[dict]:
            order = {t.pk: i for i, (t, _) in enumerate(tree.walk())}
            return [
                {"team": t, "name": tree.teams[t].name, "teams": len(groups[(kind, t)]),
                 "quarters": [asdict(q) for q in found[(kind, t)]]}
                for t in sorted(ids, key=order.get)
            ]  # fmt: skip

        return Response(
            {
                "quarters": labels,
                "organization": [asdict(q) for q in found["organization"]] if "organization" in found else None,
                "departments": rows("department", departments),
                "teams": rows("team", team_ids),
            }
        )
