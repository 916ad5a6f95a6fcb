from django.contrib import admin

from accounts.models import Signup


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    list_display = ["organization_name", "slug", "email", "created_at", "verified_at"]
    list_filter = ["verified_at"]
    search_fields = ["organization_name", "slug", "email"]
    readonly_fields = ["password", "created_at", "last_sent_at", "verified_at", "organization"]
