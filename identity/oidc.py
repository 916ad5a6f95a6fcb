"""The OpenID Connect relying party, one Authlib client per organization.

Authlib's Django client does the protocol: the authorization request with ``state``, a
``nonce`` and PKCE (S256), kept in the session under the client's name; the token request;
the ID token's signature (the provider's JWKS), ``iss``, ``aud``, ``exp`` and ``nonce``.
mozilla-django-oidc was the other candidate, but it reads one provider from settings
(OIDC_OP_* for the whole site), while every organization here brings its own.

The client is built from the metadata that "Test connection" read and checked
(``IdentityProvider.discovery``, identity/net.py), so a login never fetches an address an
owner typed without that check. Each organization's client has its own name, so a ``state``
issued for one organization's provider is unknown to every other's callback.
"""

from __future__ import annotations

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.urls import reverse
from joserfc.errors import JoseError
from requests import RequestException

from identity.models import IdentityProvider

SCOPES = "openid email profile"

# What a failed callback can raise: Authlib's errors (a wrong or replayed state, the
# provider's error answer, a bad ID token: signature, issuer, audience, expiry, nonce), and
# the network's. The view shows the message; nothing is changed.
CALLBACK_ERRORS = (AuthlibBaseError, JoseError, RequestException, ValueError, KeyError)


def client_name(provider: IdentityProvider) -> str:
    return f"peakos-org-{provider.organization_id}"


def redirect_uri(provider: IdentityProvider) -> str:
    return settings.SITE_URL + reverse("sso_callback", args=[provider.organization.slug])


def client_for(provider: IdentityProvider):
    metadata = {k: v for k, v in provider.discovery.items() if isinstance(k, str) and not k.startswith("_")}
    oauth = OAuth()
    return oauth.register(
        client_name(provider),
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        client_kwargs={"scope": SCOPES, "code_challenge_method": "S256", "default_timeout": 10},
        **metadata,
    )


def authorize_redirect(request, provider: IdentityProvider, *, login_hint: str = ""):
    """The redirect to the provider's authorization endpoint (state, nonce, PKCE in the session)."""
    extra = {"login_hint": login_hint} if login_hint else {}
    return client_for(provider).authorize_redirect(request, redirect_uri(provider), **extra)


def complete(request, provider: IdentityProvider) -> tuple[dict, str]:
    """Verify the callback and the ID token; return its claims and the raw ID token (for logout)."""
    client = client_for(provider)
    token = client.authorize_access_token(request)
    claims = token.get("userinfo")
    if not claims:
        raise ValueError("no ID token in the token response")
    claims = dict(claims)
    if "email" not in claims and provider.discovery.get("userinfo_endpoint"):
        # Providers that keep the ID token small (OpenID Connect Core 5.4) send the scopes'
        # claims from the UserInfo endpoint; its ``sub`` must be the ID token's (5.3.2).
        info = dict(client.userinfo(token=token))
        if info.get("sub") != claims.get("sub"):
            raise ValueError("the UserInfo response is for another subject")
        claims = {**info, **claims}
    return claims, str(token.get("id_token", ""))
