"""The two-factor pages under /accounts/mfa/: overview, set up (QR code), code entry, recovery codes, turn off."""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from peakos import mfa
from peakos.lockout import logged_in_user, throttle
from peakos.selectors import memberships_of


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@login_required
def overview(request):
    user = request.user
    required_by = [m.organization for m in memberships_of(user) if mfa.mfa_required(m)]
    context = {
        "enabled": mfa.has_mfa(user),
        "codes_left": mfa.recovery_codes_left(user),
        "required_by": required_by,
        "form": CodeForm(),
    }
    return render(request, "peakos/mfa/overview.html", context)


@login_required
def enrol(request):
    """Show a QR code for the authenticator app (rendered here as SVG: no script, no external
    service sees the secret), then confirm it with a first code."""
    device = mfa.pending_device(request.user)
    if device is None or request.method == "GET":
        device = mfa.start_enrolment(user=request.user)
    form = CodeForm(request.POST or None)
    next_url = _next_url(request, reverse("home"))
    if request.method == "POST" and form.is_valid():
        codes = mfa.confirm_enrolment(request=request, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            # Rendered, not redirected: the codes exist only in this response.
            return render(request, "peakos/mfa/recovery_codes.html", {"codes": codes, "next": next_url})
        form.add_error("code", "That code is not right. Check the time on your phone and enter the newest code.")
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title="QR code for your authenticator app")
    context = {"form": form, "qr": qr, "secret": _grouped(device), "next": next_url}
    return render(request, "peakos/mfa/enrol.html", context, status=400 if form.errors else 200)


def _grouped(device) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@throttle("mfa-verify", [(logged_in_user, "MFA_VERIFY_RATE")])
def verify(request):
    """The second step of logging in: a code from the app or a recovery code."""
    if not mfa.has_mfa(request.user) or request.user.is_verified():
        return redirect(_next_url(request, reverse("home")))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.verify(request=request, code=form.cleaned_data["code"]):
            request.session.cycle_key()  # the fully logged-in session gets a key of its own
            return redirect(_next_url(request, reverse("home")))
        form.add_error("code", "That code is not right, or that recovery code was already used.")
    return render(
        request,
        "peakos/mfa/verify.html",
        {"form": form, "next": _next_url(request, "")},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def recovery_codes(request):
    """A fresh set of recovery codes (the old ones stop working), after a current code."""
    form = CodeForm(request.POST)
    if (
        not mfa.has_mfa(request.user)
        or not form.is_valid()
        or not mfa.verify(request=request, code=form.cleaned_data["code"])
    ):
        messages.error(request, "Enter a current code from your app to make new recovery codes.")
        return redirect("mfa")
    codes = mfa.new_recovery_codes(user=request.user)
    return render(request, "peakos/mfa/recovery_codes.html", {"codes": codes, "next": reverse("mfa")})


@require_POST
@login_required
def disable(request):
    """Turn two-factor off, after a current code (a stolen, still-open session cannot)."""
    form = CodeForm(request.POST)
    if not form.is_valid() or not mfa.verify(request=request, code=form.cleaned_data["code"]):
        messages.error(request, "Enter a current code from your app (or a recovery code) to turn two-factor off.")
        return redirect("mfa")
    mfa.disable(user=request.user)
    messages.success(request, "Two-factor authentication is off.")
    return redirect("mfa")
