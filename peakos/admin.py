"""Django admin for superusers. It shows every tenant on purpose (TenantMiddleware
disables scopes under /admin/), so every list shows the organization column."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from peakos.models import (
    ApiToken,
    AuditEvent,
    Heartbeat,
    MemberInvitation,
    Membership,
    Organization,
    OrganizationDeletion,
    PeopleImport,
    Person,
    Priority,
    Team,
    TeamDependency,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "language", "is_staff", "is_active", "last_login"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "name", "language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "timezone",
        "default_language",
        "anonymity_threshold",
        "comment_threshold",
        "created_at",
    ]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class TenantAdmin(admin.ModelAdmin):
    """Every tenant-owned model: organization first, filterable, loaded in one join."""

    list_select_related = ["organization"]
    list_filter = ["organization"]

    def get_list_display(self, request):
        return ["organization", *super().get_list_display(request)]


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "role", "created_at"]
    list_select_related = ["organization", "user"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(TenantAdmin):
    list_display = ["name", "kind", "parent", "archived"]
    list_select_related = ["organization", "parent"]
    search_fields = ["name"]
    raw_id_fields = ["parent", "lead"]


@admin.register(Person)
class PersonAdmin(TenantAdmin):
    list_display = ["name", "email", "team", "layer", "language", "active"]
    list_select_related = ["organization", "team"]
    search_fields = ["name", "email"]
    raw_id_fields = ["team", "manager", "user"]


@admin.register(TeamDependency)
class TeamDependencyAdmin(TenantAdmin):
    list_display = ["from_team", "to_team", "note"]
    list_select_related = ["organization", "from_team", "to_team"]
    raw_id_fields = ["from_team", "to_team"]


@admin.register(Priority)
class PriorityAdmin(TenantAdmin):
    list_display = ["title", "level", "period", "rank", "team", "parent"]
    list_select_related = ["organization", "team", "parent"]
    search_fields = ["title"]
    raw_id_fields = ["team", "parent"]


@admin.register(MemberInvitation)
class MemberInvitationAdmin(TenantAdmin):
    list_display = ["email", "role", "created_at", "expires_at", "accepted_at"]
    exclude = ["token_hash"]
    readonly_fields = ["created_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(TenantAdmin):
    list_display = ["created_at", "actor", "action", "summary"]
    list_select_related = ["organization", "actor"]
    search_fields = ["summary", "action"]

    def has_change_permission(self, request, obj=None):
        return False  # the audit log is append-only


@admin.register(ApiToken)
class ApiTokenAdmin(TenantAdmin):
    list_display = ["name", "prefix", "role", "created_at", "last_used_at", "revoked_at"]
    exclude = ["token_hash"]


@admin.register(PeopleImport)
class PeopleImportAdmin(TenantAdmin):
    list_display = ["filename", "status", "uploaded_by", "created_at", "applied_at"]
    list_select_related = ["organization", "uploaded_by"]
    readonly_fields = ["created_at", "applied_at", "fingerprint", "summary"]


@admin.register(OrganizationDeletion)
class OrganizationDeletionAdmin(admin.ModelAdmin):
    """What is left of a deleted organization: its slug, who deleted it and when."""

    list_display = ["deleted_at", "slug", "deleted_by_email"]
    search_fields = ["slug", "deleted_by_email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    """When each background loop last ran (the survey scheduler's tick writes ``surveys-tick``)."""

    list_display = ("name", "at")
    readonly_fields = ("name", "at")
