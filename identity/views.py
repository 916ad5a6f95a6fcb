"""Single sign-on pages: the owner's settings (``/o/<slug>/settings/sso/``) and the public
login flow (``/o/<slug>/login/``, its callback, the login page's e-mail routing, logout)."""

import logging
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from identity import oidc, provisioning, selectors, services
from identity.forms import IdentityProviderForm
from identity.models import ScimToken
from peakos import permissions
from peakos.permissions import require
from peakos.views import add_errors

logger = logging.getLogger(__name__)


def _initial(provider) -> dict:
    if provider is None:
        return {}
    return {
        "issuer": provider.issuer,
        "client_id": provider.client_id,
        "email_domains": ", ".join(provider.email_domains),
        "default_role": provider.default_role,
        "role_claim": provider.role_claim,
        "team_claim": provider.team_claim,
        "enabled": provider.enabled,
        "sso_required": provider.sso_required,
        "break_glass_owner": provider.break_glass_owner_id,
    }


@require(permissions.is_owner)
def sso_settings(request, org_slug):
    """Configure the provider; "Test connection" (``action=test``) fetches its discovery document."""
    organization = request.organization
    provider = selectors.provider_of(organization)
    new_scim_token = None
    action = (request.POST.get("action") or "save") if request.method == "POST" else None
    if action == "scim_create":
        try:
            _token, new_scim_token = provisioning.create_scim_token(
                membership=request.membership, name=request.POST.get("scim_name", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("sso_settings", org_slug=org_slug)
    elif action == "scim_revoke":
        token = ScimToken.objects.filter(organization=organization, pk=request.POST.get("token_id") or 0).first()
        if token is None:
            raise Http404
        provisioning.revoke_scim_token(membership=request.membership, token=token)
        messages.success(request, _("The SCIM token was revoked."))
        return redirect("sso_settings", org_slug=org_slug)
    if action == "test":
        try:
            services.test_connection(membership=request.membership)
        except ValidationError as exc:
            messages.error(request, _("The connection test failed: %(error)s") % {"error": " ".join(exc.messages)})
        else:
            messages.success(request, _("The connection works: the provider's metadata and keys were read."))
        return redirect("sso_settings", org_slug=org_slug)
    form = IdentityProviderForm(
        request.POST if action == "save" else None, initial=_initial(provider), owners=selectors.owners_of(organization)
    )
    if action == "save" and form.is_valid():
        try:
            services.save_provider(membership=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Single sign-on settings saved."))
            return redirect("sso_settings", org_slug=org_slug)
    base = settings.SITE_URL
    return render(
        request,
        "identity/settings.html",
        {
            "form": form,
            "provider": provider,
            "redirect_uri": base + reverse("sso_callback", args=[organization.slug]),
            "login_url": base + reverse("sso_login", args=[organization.slug]),
            "logout_redirect_uri": base + reverse("login"),
            "scim_base_url": base + "/scim/v2",
            "scim_tokens": ScimToken.objects.filter(organization=organization, revoked_at__isnull=True),
            "new_scim_token": new_scim_token,
        },
    )


# --- Signing in (public pages: the organization is named by its slug or an e-mail domain) -----

SESSION_NEXT = "identity_next"
SESSION_SSO = "identity_sso"  # {"provider": id, "id_token": raw}: for RP-initiated logout


def _safe_next(request, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_POST
def sso_discover(request):
    """The login page's "Sign in with SSO": send the work e-mail's domain to its provider."""
    email = request.POST.get("email", "").strip()
    provider = selectors.enabled_provider_for_email(email) if "@" in email else None
    if provider is None:
        messages.error(request, _("No single sign-on is set up for this e-mail address. Log in with your password."))
        return redirect("login")
    url = reverse("sso_login", args=[provider.organization.slug])
    query = {"login_hint": email}
    if nxt := _safe_next(request, request.POST.get("next", "")):
        query["next"] = nxt
    return redirect(f"{url}?{urlencode(query)}")


def sso_login(request, sso_slug):
    """``/o/<slug>/login/``: off to the organization's identity provider."""
    provider = selectors.enabled_provider_for_slug(sso_slug)
    if provider is None:
        raise Http404("No single sign-on here.")
    request.session[SESSION_NEXT] = _safe_next(request, request.GET.get("next", ""))
    return oidc.authorize_redirect(request, provider, login_hint=request.GET.get("login_hint", "")[:254])


def _failed(request, provider, reason: str):
    return render(
        request,
        "identity/sso_failed.html",
        {"reason": reason, "retry_url": reverse("sso_login", args=[provider.organization.slug])},
        status=400,
    )


def sso_callback(request, sso_slug):
    """The provider's answer: verify it, sign in (identity.services.sign_in), go on."""
    provider = selectors.enabled_provider_for_slug(sso_slug)
    if provider is None:
        raise Http404("No single sign-on here.")
    try:
        claims, id_token = oidc.complete(request, provider)
    except oidc.CALLBACK_ERRORS as exc:
        logger.warning("SSO callback refused for %s: %s", provider.organization.slug, exc)
        return _failed(request, provider, _("The identity provider's answer could not be verified. Please try again."))
    try:
        user, _membership = services.sign_in(provider=provider, claims=claims)
    except services.SignInRefusedError as exc:
        return _failed(request, provider, " ".join(exc.messages))
    nxt = request.session.pop(SESSION_NEXT, "")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_SSO] = {"provider": provider.pk, "id_token": id_token}
    return redirect(nxt or reverse("org_home", args=[provider.organization.slug]))


class LogoutView(auth_views.LogoutView):
    """Django's logout, then RP-initiated logout at the provider when this session came from
    single sign-on and the provider advertises an ``end_session_endpoint``."""

    def post(self, request, *args, **kwargs):
        sso = request.session.get(SESSION_SSO) or {}
        response = super().post(request, *args, **kwargs)
        provider = selectors.provider_by_id(sso.get("provider")) if sso else None
        if provider is None or not provider.end_session_endpoint:
            return response
        params = {
            "client_id": provider.client_id,
            "post_logout_redirect_uri": settings.SITE_URL + reverse("login"),
        }
        if sso.get("id_token"):
            params["id_token_hint"] = sso["id_token"]
        endpoint = provider.end_session_endpoint
        response = redirect(f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}")
        # A browser follows a form submission's redirect only where form-action allows (django-csp).
        parts = urlsplit(endpoint)
        response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
        return response
