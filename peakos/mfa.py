"""Two-factor authentication: TOTP (an authenticator app) with single-use recovery codes.

Built on django-otp: a ``TOTPDevice`` holds the app's secret (with replay protection and
throttling of wrong codes), a ``StaticDevice`` named ``recovery`` holds the recovery codes,
each deleted when used. ``django_otp.login`` marks a session as having passed its second
factor; ``OTPMiddleware`` exposes that as ``request.user.is_verified()``.

``MfaMiddleware`` enforces two rules on every request of a logged-in browser session:
1. a user with a confirmed device sees nothing but the code page until this session is
   verified (the API answers its JSON 403 instead);
2. an owner or admin of an organization that requires MFA (``Organization.require_mfa``)
   is sent to set it up before any page of that organization.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peakos.models import Role

RECOVERY_DEVICE_NAME = "recovery"
TOTP_DEVICE_NAME = "authenticator"
MFA_ROLES = (Role.OWNER, Role.ADMIN)

# Paths a half-logged-in user may still reach: the MFA pages themselves, logging out, assets,
# and everything public (survey links, invitations, password reset, signup).
EXEMPT_PREFIXES = ("/accounts/mfa/", "/accounts/logout/", "/static/", "/jsi18n/", "/healthz", "/s/", "/l/")


def has_mfa(user) -> bool:
    """Whether ``user`` has a confirmed authenticator. One query: recovery codes exist only
    beside a confirmed authenticator (enrolment creates them, ``disable`` removes both)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_required(membership, organization=None) -> bool:
    """Whether this membership must have MFA: its organization asks it of owners and admins.

    Pass the request's ``organization`` when it is at hand: the middleware then reads no
    more rows than the tenancy middleware already loaded."""
    if membership is None or getattr(membership, "user_id", None) is None or membership.role not in MFA_ROLES:
        return False
    return bool((organization or membership.organization).require_mfa)


@transaction.atomic
def start_enrolment(*, user) -> TOTPDevice:
    """A new unconfirmed authenticator for ``user`` (an earlier unfinished one is replaced): it
    counts for nothing until a code from the app confirms it."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def pending_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@transaction.atomic
def confirm_enrolment(*, request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm ``device`` with a code from the app. Returns the new recovery codes (shown once;
    only django-otp's rows hold them) or None when the code is wrong."""
    if not device.verify_token((code or "").replace(" ", "")):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # One authenticator per user: a re-enrolment replaces the old app.
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    codes = new_recovery_codes(user=device.user)
    otp_login(request, device)
    return codes


@transaction.atomic
def new_recovery_codes(*, user) -> list[str]:
    """Replace the user's recovery codes with a fresh set; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def verify(*, request, code: str) -> bool:
    """Check a code from the app or a recovery code (used up) and mark this session verified."""
    device = match_token(request.user, (code or "").strip().replace(" ", "").lower())
    if device is None:
        return False
    otp_login(request, device)
    return True


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def disable(*, user) -> None:
    """Remove every second factor of ``user`` (authenticator and recovery codes)."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()


class MfaMiddleware:
    """The two rules of the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path_info.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        # A verified session has a device (django-otp keeps its id in the session): no query.
        if not user.is_verified() and has_mfa(user):
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"status": 403, "code": "mfa_required", "detail": "Enter your two-factor code in the browser."},
                    status=403,
                )
            return redirect(f"{reverse('mfa_verify')}?{urlencode({'next': request.get_full_path()})}")
        membership = getattr(request, "membership", None)
        if mfa_required(membership, getattr(request, "organization", None)) and not user.is_verified():
            return redirect(f"{reverse('mfa_enrol')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
