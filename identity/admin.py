from django.contrib import admin

from identity.models import IdentityProvider, SsoIdentity


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):
    """Read-mostly for operators: owners configure SSO on their settings page (audited there)."""

    list_display = ["organization", "issuer", "enabled", "sso_required", "tested_at"]
    list_filter = ["enabled", "sso_required"]
    search_fields = ["organization__slug", "issuer", "client_id"]
    readonly_fields = ["organization", "discovery", "tested_at", "created_at", "updated_at"]
    exclude = ["client_secret_encrypted"]


@admin.register(SsoIdentity)
class SsoIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "issuer", "subject", "last_login_at"]
    search_fields = ["user__email", "organization__slug", "subject"]
    readonly_fields = ["organization", "user", "issuer", "subject", "created_at", "last_login_at"]
