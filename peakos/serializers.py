"""REST API representations of the core: organization, teams, people, dependencies, priorities.

Related objects are written and read as ids. Their querysets are the scoped managers
(not ``.all()`` at import time), so an id of another organization is "does not exist".
"""

from __future__ import annotations

from rest_framework import serializers

from peakos.i18n import bcp47, organization_languages
from peakos.models import Layer, Organization, Person, Priority, Team, TeamDependency
from peakos.people.bulk_upsert import MAX_UPSERT_ROWS


class LanguageTagField(serializers.CharField):
    """A language as a BCP 47 tag in its usual casing (``pt-BR``); read in any case (the service checks it)."""

    def to_representation(self, value) -> str:
        return bcp47(str(value or ""))


class OrganizationSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="The role this token (or user) has in the organization.")
    default_language = LanguageTagField(
        read_only=True, help_text="BCP 47: surveys go out in it to people without a language of their own."
    )
    languages = serializers.SerializerMethodField(
        help_text="BCP 47 tags of the languages people may have (the `language` of a person), default first."
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "slug",
            "name",
            "timezone",
            "anonymity_threshold",
            "comment_threshold",
            "retention_months",
            "default_language",
            "languages",
            "role",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "retention_months": {
                "help_text": "Raw answers and comments of rounds closed longer ago than this are deleted "
                "(stored results stay); null: kept."
            }
        }

    def get_languages(self, obj) -> list[str]:
        return [bcp47(code) for code in organization_languages(obj)]

    def get_role(self, obj) -> str:
        return self.context["membership"].role


class PersonEraseSerializer(serializers.Serializer):
    confirm = serializers.CharField(help_text="The person's e-mail address, typed again: erasing cannot be undone.")


class ErasureSerializer(serializers.Serializer):
    pseudonym = serializers.CharField(help_text="What the audit log calls the person from now on.")
    invitations = serializers.IntegerField(help_text="Survey invitations removed (counted on in participation).")
    login_deleted = serializers.BooleanField(help_text="The login belonged to no other organization and is gone.")
    membership_removed = serializers.BooleanField()
    audit_events_rewritten = serializers.IntegerField()


class TeamSerializer(serializers.ModelSerializer):
    headcount = serializers.IntegerField(read_only=True, help_text="Active people in this team (not below it).")

    class Meta:
        model = Team
        fields = ["id", "name", "kind", "parent", "lead", "archived", "headcount", "created_at"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects, allow_null=True, required=False)
    manager = serializers.PrimaryKeyRelatedField(queryset=Person.objects, allow_null=True, required=False)
    team_name = serializers.CharField(source="team.name", read_only=True, default=None, allow_null=True)
    attributes = serializers.DictField(required=False, help_text="Free attributes from the HRIS (location, ...).")
    language = LanguageTagField(
        required=False,
        allow_blank=True,
        max_length=35,
        help_text="BCP 47 tag of the person's survey language (en, de, fr, es, pt-br, nl, it, ja; de-AT reads as "
        "de); empty: the organization's default language. Must be one the organization offers.",
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "email",
            "name",
            "team",
            "team_name",
            "manager",
            "layer",
            "language",
            "active",
            "attributes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "active", "created_at", "updated_at"]
        extra_kwargs = {"email": {"validators": []}}


class PersonUpsertRowSerializer(serializers.Serializer):
    """One person of a bulk upsert: their whole record, as a line of the people CSV import."""

    email = serializers.EmailField(help_text="The key: matched case-insensitively with the directory.")
    name = serializers.CharField(max_length=200)
    team = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="The team's name (any case); created when missing. Left out or null: no team.",
    )
    parent_team = serializers.CharField(
        required=False, allow_null=True, help_text="The team's parent, by name (moves an existing team)."
    )
    manager_email = serializers.EmailField(
        required=False,
        allow_null=True,
        help_text="Someone in the directory or elsewhere in this request. Left out or null: no manager.",
    )
    layer = serializers.ChoiceField(
        choices=Layer.choices, required=False, allow_null=True, help_text="Left out or null: individual."
    )
    language = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="BCP 47 tag (de, pt-BR, ja; de-AT reads as de) of a language the organization offers. "
        "Left out, null or empty: the organization's default language.",
    )
    lead_email = serializers.EmailField(
        required=False,
        allow_null=True,
        help_text="The lead of this row's team: someone in the directory or elsewhere in this request "
        "(rows of one team must agree). Left out or null: the team's lead stays as it is.",
    )
    attributes = serializers.DictField(
        child=serializers.CharField(allow_null=True, allow_blank=True),
        required=False,
        help_text="Merged into the person's attributes; an empty or null value removes one.",
    )


class PeopleUpsertSerializer(serializers.Serializer):
    people = PersonUpsertRowSerializer(many=True, help_text=f"1 to {MAX_UPSERT_ROWS} rows.")
    deactivate_missing = serializers.BooleanField(
        default=False,
        help_text="Deactivate active people not in this request (when sending the full HRIS export).",
    )


class UpsertResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The row's position in the request, from 0.")
    email = serializers.EmailField()
    id = serializers.IntegerField()
    result = serializers.ChoiceField(choices=["created", "updated", "unchanged"])


class PeopleUpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deactivated = serializers.IntegerField()
    teams_created = serializers.IntegerField()
    teams_moved = serializers.IntegerField()
    leads_set = serializers.IntegerField(help_text="Teams whose lead this request changed (lead_email).")
    results = UpsertResultSerializer(many=True)


class TeamDependencySerializer(serializers.ModelSerializer):
    class Meta:
        model = TeamDependency
        fields = ["id", "from_team", "to_team", "note"]
        read_only_fields = fields


class PrioritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Priority
        fields = ["id", "title", "description", "level", "parent", "team", "period", "rank", "created_at"]
        read_only_fields = fields
