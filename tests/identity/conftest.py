"""Fixtures of the identity tests: a small HTTP server on loopback that plays an identity
provider's discovery endpoint (for the settings page); tests/identity/node runs a real one."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.identity.idp import configure_provider, start_idp


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802 - http.server's naming
        status, body = self.server.routes.get(self.path, (404, {"error": "not found"}))
        payload = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def metadata_server():
    """``server.base`` is its URL; ``server.routes[path] = (status, json)`` sets an answer."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.routes = {}
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def discovery_for(base: str, **extra) -> dict:
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/auth",
        "token_endpoint": f"{base}/token",
        "jwks_uri": f"{base}/jwks",
        "response_types_supported": ["code"],
        **extra,
    }


@pytest.fixture
def allow_loopback(settings):
    """The identity providers of the tests run on 127.0.0.1, which production refuses."""
    settings.IDENTITY_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture
def sso_for(tmp_path, settings, allow_loopback):
    """``sso_for(tenant, accounts, **provider_settings)``: start a real IdP holding ``accounts``
    (login -> claims) and make it ``tenant``'s provider, configured and tested through the
    owner's services as on the settings page. Returns the provider."""
    started = []

    def _configure(tenant, accounts, **options):
        slug = tenant.org.slug
        idp = start_idp(
            tmp_path,
            redirect_uris=[f"{settings.SITE_URL}/o/{slug}/login/callback/"],
            logout_uris=[f"{settings.SITE_URL}/accounts/login/"],
            accounts=accounts,
        )
        started.append(idp)
        return configure_provider(tenant, idp, **options)

    yield _configure
    for idp in started:
        idp.stop()
