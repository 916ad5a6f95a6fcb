"""Django admin for superusers (every tenant, organization column shown).

Deliberately read-only and without Invitation, Response or Answer: survey data is
changed through the services (which keep the invariants and the audit log), and the
admin should not make it convenient to line up who was invited with what was answered.
"""

from django.contrib import admin

from surveys.models import BankQuestion, Question, Round, Survey


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BankQuestion)
class BankQuestionAdmin(ReadOnlyAdmin):
    list_display = ["key", "dimension", "kind", "text", "language", "required"]
    list_filter = ["dimension", "kind"]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin):
    list_display = ["organization", "key", "version", "dimension", "kind", "active", "text", "language"]
    list_filter = ["dimension", "kind", "active"]
    search_fields = ["key", "text", "organization__name"]


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ["organization", "name", "cadence", "audience", "next_run_at", "active"]
    list_filter = ["cadence", "active"]
    search_fields = ["name", "organization__name"]


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ["organization", "survey", "number", "status", "opens_at", "closes_at", "invited_count"]
    list_filter = ["status"]
