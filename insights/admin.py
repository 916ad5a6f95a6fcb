"""Django admin (superusers, every tenant): read-only views of the engine's results, editable thresholds."""

from django.contrib import admin

from insights.models import (
    CoordinationCell,
    ErasedInvitations,
    Participation,
    PriorityAlignment,
    Signal,
    SignalSettings,
    Snapshot,
)


class ReadOnly(admin.ModelAdmin):
    """Results are rebuilt by the engine (recompute_scores); editing them by hand would be overwritten."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnly):
    list_display = ("round", "scope_kind", "team", "layer", "depth", "dimension", "suppressed", "respondents", "score")
    list_filter = ("scope_kind", "dimension", "suppressed")
    list_select_related = ("round__survey", "team")
    raw_id_fields = ("round", "team")


@admin.register(Participation)
class ParticipationAdmin(ReadOnly):
    list_display = ("round", "scope_kind", "team", "layer", "suppressed", "respondents", "invited", "rate")
    list_filter = ("scope_kind", "suppressed", "comments_released")
    list_select_related = ("round__survey", "team")


@admin.register(PriorityAlignment)
class PriorityAlignmentAdmin(ReadOnly):
    list_display = ("round", "scope_kind", "team", "layer", "suppressed", "respondents", "top_priority_share")
    list_select_related = ("round__survey", "team")


@admin.register(CoordinationCell)
class CoordinationCellAdmin(ReadOnly):
    list_display = ("round", "rater_team", "rated_team", "suppressed", "respondents", "mean")
    list_select_related = ("round__survey", "rater_team", "rated_team")


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "severity", "status", "organization", "round", "detected_at")
    list_filter = ("kind", "severity", "status")
    readonly_fields = ("organization", "round", "kind", "key", "figures", "detected_at", "updated_at")


@admin.register(SignalSettings)
class SignalSettingsAdmin(admin.ModelAdmin):
    list_display = ("organization", "drop_points", "leadership_gap_points", "low_participation", "weak_link_mean")


@admin.register(ErasedInvitations)
class ErasedInvitationsAdmin(ReadOnly):
    """Invitations of erased people, kept as counts so participation stays as published."""

    list_display = ("round", "team", "layer", "invitations")
    list_select_related = ("round__survey", "team")
    raw_id_fields = ("round", "team")
