"""An organization's identity provider (OpenID Connect) and the logins it has vouched for."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from identity import crypto
from peakos.models import BearerToken, Organization, Role
from peakos.tenancy import OrgScopedManager

# Roles an identity provider may grant (the default role and the role claim): never owner,
# which only an owner gives, on the members page.
SSO_ROLES = [(value, label) for value, label in Role.choices if value != Role.OWNER]


class IdentityProvider(models.Model):
    """The one OpenID Connect provider of an organization, configured by an owner.

    ``discovery`` keeps the provider's metadata from the last successful "Test connection"
    (``identity.services.test_connection``); SSO can be switched on only after one. With
    ``sso_required``, password logins of the organization's members are refused, except the
    ``break_glass_owner``'s (for the day the provider is down or misconfigured).
    """

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="identity_provider")
    enabled = models.BooleanField(_("SSO enabled"), default=False)
    issuer = models.URLField(_("Issuer URL"), max_length=500)
    client_id = models.CharField(_("Client ID"), max_length=255)
    # Fernet token (identity/crypto.py); read and write it through ``client_secret``.
    client_secret_encrypted = models.TextField(blank=True, editable=False)
    # Lower-case e-mail domains the login page sends to this provider; one organization each.
    email_domains = models.JSONField(default=list, blank=True)
    default_role = models.CharField(_("Role of new SSO users"), max_length=16, choices=SSO_ROLES, default=Role.MEMBER)
    role_claim = models.CharField(_("Role claim"), max_length=100, blank=True)
    team_claim = models.CharField(_("Team claim"), max_length=100, blank=True)
    sso_required = models.BooleanField(_("Require SSO"), default=False)
    break_glass_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    discovery = models.JSONField(default=dict, blank=True, editable=False)
    tested_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgScopedManager()

    def __str__(self) -> str:
        return f"{self.organization} → {self.issuer}"

    @property
    def client_secret(self) -> str:
        return crypto.decrypt(self.client_secret_encrypted)

    @client_secret.setter
    def client_secret(self, value: str) -> None:
        self.client_secret_encrypted = crypto.encrypt(value)

    @property
    def end_session_endpoint(self) -> str:
        """Where RP-initiated logout goes, when the provider advertises it."""
        return str(self.discovery.get("end_session_endpoint") or "")


class SsoIdentity(models.Model):
    """A login vouched for by an organization's provider: its ``sub`` at that ``issuer``.

    Later logins find the user by this pair, not by e-mail (an address can change or be reused).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sso_identities")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities")
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "issuer", "subject"], name="sso_identity_unique_subject"),
            models.UniqueConstraint(fields=["organization", "user"], name="sso_identity_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.issuer} ({self.subject})"


class ScimToken(BearerToken):
    """A bearer token of the organization's SCIM 2.0 endpoint (/scim/v2/), for its identity
    provider's provisioning."""

    RAW_PREFIX = "scim_"
    LAST_USED_GRANULARITY = timedelta(minutes=5)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="scim_tokens")

    objects = OrgScopedManager()
