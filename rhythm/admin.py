"""Django admin for superusers (every tenant on purpose; see peakos/admin.py)."""

from django.contrib import admin

from rhythm.models import Attendee, Decision, Issue, Measurable, MeasurableEntry, Meeting, MeetingSeries, Todo


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "organization", "cadence", "weekday", "start_time"]
    list_filter = ["organization", "cadence"]


class AttendeeInline(admin.TabularInline):
    model = Attendee
    extra = 0
    raw_id_fields = ["person"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "team", "organization", "started_at", "ended_at", "recap_sent_at"]
    list_filter = ["organization"]
    inlines = [AttendeeInline]


class EntryInline(admin.TabularInline):
    model = MeasurableEntry
    extra = 0
    exclude = ["entered_by"]


@admin.register(Measurable)
class MeasurableAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "organization", "goal", "direction", "unit", "owner"]
    list_filter = ["organization", "direction"]
    raw_id_fields = ["owner", "metric"]
    inlines = [EntryInline]


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "raised_to", "organization", "priority", "status", "raised_at", "solved_at"]
    list_filter = ["organization", "status", "priority"]
    raw_id_fields = ["raised_by", "solved_in"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "team", "organization", "decided_by", "decided_at"]
    list_filter = ["organization"]
    raw_id_fields = ["issue", "meeting", "decided_by"]


@admin.register(Todo)
class TodoAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "organization", "owner", "due_on", "done"]
    list_filter = ["organization", "done"]
    raw_id_fields = ["owner", "issue", "meeting"]
