"""REST API of the core: the current organization, teams, people (with the HRIS bulk upsert),
team dependencies and priorities. Thin views: parse, call one selector or service, answer.

The shared machinery (organization resolution, permissions, errors) is in peakos/api_base.py.
"""

from __future__ import annotations

from contextlib import contextmanager

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from peakos import erasure, permissions
from peakos.api_base import IdFilter, OrgAPIView, OrgReadOnlyViewSet, OrgViewSet
from peakos.models import Layer, Person, Priority, PriorityLevel, Team, TeamDependency, TeamKind
from peakos.people import bulk_upsert
from peakos.people import services as people_services
from peakos.serializers import (
    ErasureSerializer,
    OrganizationSerializer,
    PeopleUpsertResultSerializer,
    PeopleUpsertSerializer,
    PersonEraseSerializer,
    PersonSerializer,
    PrioritySerializer,
    TeamDependencySerializer,
    TeamSerializer,
)

# --- Organization ------------------------------------------------------------------------------


class OrganizationView(OrgAPIView):
    serializer_class = OrganizationSerializer
    schema_tags = ["organization"]

    @extend_schema(
        summary="The current organization",
        description="The organization of the token (or the one the session names), with the caller's role "
        "and the anonymity thresholds every score of this API respects.",
        examples=[
            OpenApiExample(
                "Northwind",
                value={
                    "id": 1,
                    "slug": "northwind",
                    "name": "Northwind Analytics",
                    "timezone": "Europe/Berlin",
                    "anonymity_threshold": 5,
                    "comment_threshold": 10,
                    "default_language": "en",
                    "languages": ["en", "de", "pt-BR", "ja"],
                    "role": "leader",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request):
        return Response(self.get_serializer(self.organization).data)


# --- Teams -------------------------------------------------------------------------------------


class TeamFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=TeamKind.choices)
    parent = IdFilter(help_text="Teams directly below this team id.")
    is_root = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", help_text="Top-level teams.")
    archived = django_filters.BooleanFilter()
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the name, any case.")

    class Meta:
        model = Team
        fields = ["kind", "parent", "is_root", "archived", "name"]


TEAM_EXAMPLE = {
    "id": 12,
    "name": "Platform",
    "kind": "team",
    "parent": 4,
    "lead": 57,
    "archived": False,
    "headcount": 9,
    "created_at": "2026-01-05T09:00:00Z",
}


@extend_schema_view(
    list=extend_schema(
        summary="List teams",
        description="The team tree, flat: follow ``parent`` to rebuild it. Filter by kind, parent, name.",
        examples=[OpenApiExample("A page of teams", value=TEAM_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One team", examples=[OpenApiExample("Platform", value=TEAM_EXAMPLE, response_only=True)]
    ),
)
class TeamViewSet(OrgReadOnlyViewSet):
    queryset = Team.objects.none()
    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    ordering_fields = ["name", "id", "kind", "created_at"]
    ordering = ["name"]
    lookup_url_kwarg = "team_id"
    schema_tags = ["teams"]

    def get_queryset(self):
        if self.is_schema_generation:
            return Team.objects.none()
        return Team.objects.annotate(headcount=Count("people", filter=Q(people__active=True)))


# --- People ------------------------------------------------------------------------------------


class PersonFilter(django_filters.FilterSet):
    team = IdFilter(help_text="People of this team id.")
    manager = IdFilter(help_text="Direct reports of this person id.")
    layer = django_filters.ChoiceFilter(choices=Layer.choices)
    active = django_filters.BooleanFilter()
    email = django_filters.CharFilter(lookup_expr="iexact", help_text="Exact e-mail address, any case.")
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the name, any case.")
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after this time (ISO 8601)."
    )

    class Meta:
        model = Person
        fields = ["team", "manager", "layer", "active", "email", "name", "updated_since"]


PERSON_EXAMPLE = {
    "id": 57,
    "email": "ava.berg@northwind.example",
    "name": "Ava Berg",
    "team": 12,
    "team_name": "Platform",
    "manager": 31,
    "layer": "lead",
    "language": "de",
    "active": True,
    "attributes": {"location": "Berlin"},
    "created_at": "2026-01-05T09:00:00Z",
    "updated_at": "2026-03-01T08:30:00Z",
}
PERSON_WRITE_EXAMPLE = {
    "email": "ava.berg@northwind.example",
    "name": "Ava Berg",
    "team": 12,
    "manager": 31,
    "layer": "lead",
    "attributes": {"location": "Berlin"},
}


@extend_schema_view(
    list=extend_schema(
        summary="List people",
        description="The people directory (owners, admins and leaders). ``updated_since`` lets a sync fetch "
        "only what changed.",
        examples=[OpenApiExample("A page of people", value=PERSON_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One person", examples=[OpenApiExample("Ava", value=PERSON_EXAMPLE, response_only=True)]
    ),
    create=extend_schema(
        summary="Add a person",
        description="Owners and admins. The e-mail must not be in the directory yet (any case).",
        examples=[
            OpenApiExample("New person", value=PERSON_WRITE_EXAMPLE, request_only=True),
            OpenApiExample("Created", value=PERSON_EXAMPLE, response_only=True, status_codes=["201"]),
        ],
    ),
    update=extend_schema(
        summary="Replace a person's fields",
        examples=[
            OpenApiExample("Move to Platform", value=PERSON_WRITE_EXAMPLE, request_only=True),
            OpenApiExample("Updated", value=PERSON_EXAMPLE, response_only=True),
        ],
    ),
    partial_update=extend_schema(
        summary="Change some of a person's fields",
        examples=[
            OpenApiExample("New team", value={"team": 12}, request_only=True),
            OpenApiExample("Updated", value=PERSON_EXAMPLE, response_only=True),
        ],
    ),
)
class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    OrgViewSet,
):
    queryset = Person.objects.none()
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    ordering_fields = ["name", "email", "id", "created_at", "updated_at"]
    ordering = ["name"]
    lookup_url_kwarg = "person_id"
    read_rule = staticmethod(permissions.can_see_people)
    action_rules = {"erase": permissions.is_owner}
    schema_tags = ["people"]

    def get_queryset(self):
        if self.is_schema_generation:
            return Person.objects.none()
        return Person.objects.select_related("team")

    def perform_create(self, serializer):
        with _person_errors():
            serializer.instance = people_services.create_person(
                organization=self.organization, actor=self.actor, **serializer.validated_data
            )

    def perform_update(self, serializer):
        person = serializer.instance
        fields = {key: getattr(person, key) for key in PERSON_FIELDS} | serializer.validated_data
        with _person_errors():
            serializer.instance = people_services.update_person(
                organization=self.organization, actor=self.actor, person=person, **fields
            )

    @extend_schema(
        summary="Deactivate a person",
        description="Someone who left: kept for history, no longer invited to surveys. Deactivating twice "
        "changes nothing. (A bulk upsert that includes them makes them active again.)",
        request=None,
        responses={200: PersonSerializer},
        examples=[OpenApiExample("Deactivated", value={**PERSON_EXAMPLE, "active": False}, response_only=True)],
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request, person_id=None):
        person = self.get_object()
        fields = {key: getattr(person, key) for key in PERSON_FIELDS} | {"active": False}
        person = people_services.update_person(
            organization=self.organization, actor=self.actor, person=person, **fields
        )
        return Response(self.get_serializer(person).data)

    @extend_schema(
        summary="Erase a person (owners only)",
        description=(
            "GDPR erasure: the person, their survey invitations and links, their login's membership here "
            "(and the login if it has no other organization) go, and the audit log names them as "
            '"erased person #N" from then on. Anonymous answers and every result stay unchanged. '
            "``confirm`` must repeat the person's e-mail address. Owners only, so a session, not a token "
            "(tokens never carry the owner role)."
        ),
        request=PersonEraseSerializer,
        responses={200: ErasureSerializer},
        examples=[
            OpenApiExample("Confirm", value={"confirm": "ava.berg@northwind.example"}, request_only=True),
            OpenApiExample(
                "Erased",
                value={
                    "pseudonym": "erased person #3",
                    "invitations": 6,
                    "login_deleted": False,
                    "membership_removed": False,
                    "audit_events_rewritten": 4,
                },
                response_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def erase(self, request, person_id=None):
        person = self.get_object()
        body = PersonEraseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if body.validated_data["confirm"].strip().lower() != person.email.lower():
            raise ValidationError({"confirm": "Repeat the person's e-mail address exactly; nothing was changed."})
        report = erasure.erase_person(membership=self.membership, actor=self.actor, person=person)
        return Response(ErasureSerializer(report).data)

    @extend_schema(
        summary="Create or update people by e-mail (HRIS sync)",
        description=(
            "Up to 10,000 people in one call, matched by e-mail (any case), with the rules of the people "
            "CSV import: each row is the person's whole record. ``team`` is a team name (created when missing, "
            "under ``parent_team`` if given); ``manager_email`` may name someone elsewhere in the same request "
            "(no manager loops); ``team``, ``manager_email``, ``layer`` and ``language`` left out mean no team, "
            "no manager, individual, the organization's default language (``language`` is a BCP 47 tag of a "
            "language the organization offers: ``de``, ``pt-BR``; ``de-AT`` reads as ``de``); ``attributes`` are merged (an empty value removes one). People in the request become "
            "active; ``deactivate_missing: true`` deactivates active people absent from it. All or nothing: if "
            "any row is invalid the answer is 400 with one entry per bad row under ``errors.rows`` "
            "(``index`` from 0, ``email``, ``errors`` per field) and nothing changes."
        ),
        request=PeopleUpsertSerializer,
        responses={200: PeopleUpsertResultSerializer},
        examples=[
            OpenApiExample(
                "Two people",
                value={
                    "people": [
                        {"email": "ava.berg@northwind.example", "name": "Ava Berg", "team": "Platform"},
                        {
                            "email": "ben.ortiz@northwind.example",
                            "name": "Ben Ortiz",
                            "team": "Platform",
                            "manager_email": "ava.berg@northwind.example",
                            "layer": "individual",
                            "attributes": {"location": "Lisbon"},
                        },
                    ],
                    "deactivate_missing": False,
                },
                request_only=True,
            ),
            OpenApiExample(
                "Applied",
                value={
                    "created": 1,
                    "updated": 1,
                    "unchanged": 0,
                    "deactivated": 0,
                    "teams_created": 0,
                    "teams_moved": 0,
                    "leads_set": 0,
                    "results": [
                        {"index": 0, "email": "ava.berg@northwind.example", "id": 57, "result": "updated"},
                        {"index": 1, "email": "ben.ortiz@northwind.example", "id": 412, "result": "created"},
                    ],
                },
                response_only=True,
                status_codes=["200"],
            ),
            OpenApiExample(
                "A bad row (nothing changed)",
                value={
                    "status": 400,
                    "code": "invalid",
                    "detail": "1 of 2 rows are invalid; nothing was changed.",
                    "errors": {
                        "rows": [
                            {
                                "index": 1,
                                "email": "ben.ortiz@northwind.example",
                                "errors": {
                                    "manager_email": [
                                        "unknown manager “ava.berg@northwind.exmaple”: not in this file and not in Northwind Analytics"
                                    ]
                                },
                            }
                        ]
                    },
                },
                response_only=True,
                status_codes=["400"],
            ),
        ],
    )
    @action(detail=False, methods=["post"], url_path="bulk-upsert", filter_backends=[], pagination_class=None)
    def bulk_upsert(self, request):
        envelope = request.data if isinstance(request.data, dict) else {}
        deactivate_missing = envelope.get("deactivate_missing", False)
        if not isinstance(deactivate_missing, bool):
            raise ValidationError({"deactivate_missing": "Use true or false."})
        result = bulk_upsert.bulk_upsert_people(
            organization=self.organization,
            actor=self.actor,
            rows=envelope.get("people"),
            deactivate_missing=deactivate_missing,
        )
        return Response(result, status=status.HTTP_200_OK)

    def get_serializer_class(self):
        if self.action == "bulk_upsert":
            return PeopleUpsertSerializer
        if self.action == "erase":
            return PersonEraseSerializer
        return super().get_serializer_class()


PERSON_FIELDS = ("email", "name", "team", "manager", "layer", "language", "active", "attributes")


@contextmanager
def _person_errors():
    """The people services name the manager field as the CSV does (``manager_email``); here it is ``manager``."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "manager_email" in exc.error_dict:
            exc.error_dict["manager"] = exc.error_dict.pop("manager_email")
        raise


# --- Dependencies and priorities ---------------------------------------------------------------


class TeamDependencyFilter(django_filters.FilterSet):
    from_team = IdFilter(help_text="Dependencies of this team id (it depends on to_team).")
    to_team = IdFilter(help_text="Teams that depend on this team id.")

    class Meta:
        model = TeamDependency
        fields = ["from_team", "to_team"]


DEPENDENCY_EXAMPLE = {"id": 3, "from_team": 7, "to_team": 5, "note": "Sales depends on Marketing for leads"}


@extend_schema_view(
    list=extend_schema(
        summary="List team dependencies",
        description="``from_team`` depends on ``to_team``. These pairs are the cells of the coordination matrix.",
        examples=[OpenApiExample("Sales → Marketing", value=DEPENDENCY_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One team dependency",
        examples=[OpenApiExample("Sales → Marketing", value=DEPENDENCY_EXAMPLE, response_only=True)],
    ),
)
class TeamDependencyViewSet(OrgReadOnlyViewSet):
    queryset = TeamDependency.objects.none()
    serializer_class = TeamDependencySerializer
    filterset_class = TeamDependencyFilter
    ordering_fields = ["id", "from_team", "to_team"]
    ordering = ["id"]
    lookup_url_kwarg = "dependency_id"
    schema_tags = ["dependencies"]

    def get_queryset(self):
        if self.is_schema_generation:
            return TeamDependency.objects.none()
        return TeamDependency.objects.all()


class PriorityFilter(django_filters.FilterSet):
    period = django_filters.CharFilter(help_text="A year (2026) or a quarter (2026-Q4).")
    level = django_filters.ChoiceFilter(choices=PriorityLevel.choices)
    team = IdFilter()
    parent = IdFilter(help_text="Priorities that cascade from this priority id.")

    class Meta:
        model = Priority
        fields = ["period", "level", "team", "parent"]


PRIORITY_EXAMPLE = {
    "id": 8,
    "title": "Win the mid-market",
    "description": "",
    "level": "company",
    "parent": None,
    "team": None,
    "period": "2026-Q4",
    "rank": 1,
    "created_at": "2026-09-20T10:00:00Z",
}


@extend_schema_view(
    list=extend_schema(
        summary="List priorities",
        description="The priority cascade: company → department → team, per period (``parent`` links them).",
        examples=[OpenApiExample("A company priority", value=PRIORITY_EXAMPLE, response_only=True)],
    ),
    retrieve=extend_schema(
        summary="One priority", examples=[OpenApiExample("Priority", value=PRIORITY_EXAMPLE, response_only=True)]
    ),
)
class PriorityViewSet(OrgReadOnlyViewSet):
    queryset = Priority.objects.none()
    serializer_class = PrioritySerializer
    filterset_class = PriorityFilter
    ordering_fields = ["period", "level", "rank", "title", "id"]
    ordering = ["period", "level", "rank", "title"]
    lookup_url_kwarg = "priority_id"
    schema_tags = ["priorities"]

    def get_queryset(self):
        if self.is_schema_generation:
            return Priority.objects.none()
        return Priority.objects.all()
