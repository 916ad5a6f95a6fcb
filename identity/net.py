"""Outbound requests to an identity provider, guarded against server-side request forgery.

An owner types the issuer URL, and Peak OS then fetches it from inside its own network: an
address on a private, loopback or link-local network (the cloud metadata service at
169.254.169.254, the database, Redis) is refused, as is plain http, unless the operator sets
``IDENTITY_ALLOW_PRIVATE_ADDRESSES`` (an identity provider inside the company network; the
test suite, whose providers run on localhost). Redirects are not followed. The check resolves
the host name itself; a resolver that answers differently a moment later (DNS rebinding) is
not covered: deploy behind an egress proxy if that matters.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

TIMEOUT = 10  # seconds, per request


def check_url(url: str) -> None:
    """Raise ValidationError unless ``url`` may be fetched (see the module docstring)."""
    parts = urlsplit(url)
    allow_private = settings.IDENTITY_ALLOW_PRIVATE_ADDRESSES
    if parts.scheme not in (("https", "http") if allow_private else ("https",)) or not parts.hostname:
        raise ValidationError(_("The address must be an https:// URL: %(url)s") % {"url": url})
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise ValidationError(_("The host %(host)s could not be found.") % {"host": parts.hostname})
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise ValidationError(
                _("%(host)s is on a private or local network, which Peak OS does not call.") % {"host": parts.hostname}
            )


def get_json(url: str) -> dict:
    """GET ``url`` (checked first) and return its JSON object; ValidationError says what went wrong."""
    check_url(url)
    try:
        response = requests.get(url, timeout=TIMEOUT, allow_redirects=False, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise ValidationError(_("%(url)s did not answer: %(error)s") % {"url": url, "error": type(exc).__name__})
    if response.status_code != 200:
        raise ValidationError(
            _("%(url)s answered HTTP %(status)s, not 200.") % {"url": url, "status": response.status_code}
        )
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValidationError(_("%(url)s did not answer with a JSON object.") % {"url": url})
    return data
