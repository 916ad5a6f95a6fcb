"""Django admin for superusers (every tenant on purpose; see peakos/admin.py)."""

from django.contrib import admin

from reviews.models import Action, Ask, BusinessReview, Metric, ReviewCycle, ReviewPriority, ReviewVersion, Risk


@admin.register(ReviewCycle)
class ReviewCycleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organization", "status", "opens_on", "due_on"]
    list_filter = ["organization", "kind", "status"]


class MetricInline(admin.TabularInline):
    model = Metric
    extra = 0


class ReviewPriorityInline(admin.TabularInline):
    model = ReviewPriority
    extra = 0
    raw_id_fields = ["parent", "priority"]


class RiskInline(admin.TabularInline):
    model = Risk
    extra = 0
    raw_id_fields = ["owner"]


class AskInline(admin.TabularInline):
    model = Ask
    extra = 0
    raw_id_fields = ["to_team", "answered_by"]


@admin.register(BusinessReview)
class BusinessReviewAdmin(admin.ModelAdmin):
    list_display = ["team", "cycle", "organization", "status", "version", "submitted_at"]
    list_filter = ["organization", "status"]
    raw_id_fields = ["cycle", "team"]
    inlines = [MetricInline, ReviewPriorityInline, RiskInline, AskInline]


@admin.register(ReviewVersion)
class ReviewVersionAdmin(admin.ModelAdmin):
    list_display = ["review", "number", "organization", "submitted_at", "decision"]
    list_filter = ["organization", "decision"]
    raw_id_fields = ["review"]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "scope_team", "dimension", "status", "due_on"]
    list_filter = ["organization", "status", "dimension"]
    raw_id_fields = ["owner", "scope_team", "review"]
