"""Django admin for superusers. Answers are not listed: they are anonymous even to superusers."""

from django.contrib import admin

from leadership.models import Feedback, Rater


class RaterInline(admin.TabularInline):
    model = Rater
    extra = 0
    raw_id_fields = ["person"]
    exclude = ["token_hash"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "status", "closes_at", "show_self", "show_manager"]
    list_filter = ["organization", "status"]
    raw_id_fields = ["leader"]
    inlines = [RaterInline]
