"""A real OpenID Connect provider for the tests: panva/oidc-provider 9 under Node
(tests/identity/node), started on a free loopback port, and a user agent that signs in there.

``start_idp(tmp_path, clients=..., accounts=...)`` starts one (``npm ci`` first when
node_modules is missing; the test is skipped with the reason when Node or npm is not there);
``sign_in_at_idp(client, slug, login)`` walks the redirects of /o/<slug>/login/ through the
provider's sign-in form and returns the callback response of Peak OS.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

NODE_DIR = Path(__file__).resolve().parent / "node"
CLIENT_ID, CLIENT_SECRET = "peakos", "peakos-test-secret"


@dataclass
class Idp:
    issuer: str
    process: subprocess.Popen

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _ensure_node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the OIDC tests run a real provider (oidc-provider) under Node 20+")
    if not (NODE_DIR / "node_modules" / "oidc-provider").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot install oidc-provider for the OIDC tests")
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            pytest.skip(f"npm ci failed in {NODE_DIR} (registry unreachable?): {result.stderr[-300:]}")
    return node


def start_idp(tmp_path: Path, *, redirect_uris: list[str], logout_uris: list[str], accounts: dict) -> Idp:
    node = _ensure_node()
    config = {
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": redirect_uris,
                "post_logout_redirect_uris": logout_uris,
            }
        ],
        "accounts": accounts,
    }
    path = tmp_path / f"idp-{time.monotonic_ns()}.json"
    path.write_text(json.dumps(config))
    log = (tmp_path / f"{path.stem}.log").open("w")
    process = subprocess.Popen(
        [node, str(NODE_DIR / "idp.mjs"), str(path)], stdout=subprocess.PIPE, stderr=log, text=True, cwd=NODE_DIR
    )
    line = process.stdout.readline()  # "READY <issuer>", or "" if it died
    if not line.startswith("READY "):
        process.kill()
        raise RuntimeError(f"the test IdP did not start: {(tmp_path / f'{path.stem}.log').read_text()[-500:]}")
    return Idp(issuer=line.split()[1], process=process)


def configure_provider(tenant, idp: Idp, **options):
    """Make ``idp`` the provider of ``tenant``'s organization through the owner's services, as
    the settings page does: save, test the connection, then switch on (and ``options``)."""
    from identity import services

    owner = tenant.memberships["owner"]
    fields = {
        "issuer": idp.issuer,
        "client_id": CLIENT_ID,
        "email_domains": [tenant.org.slug.split("-")[0] + ".example"],
    }
    services.save_provider(membership=owner, client_secret=CLIENT_SECRET, **fields)
    services.test_connection(membership=owner)
    options.setdefault("enabled", True)
    if options.get("sso_required"):
        options.setdefault("break_glass_owner", owner.user)
    return services.save_provider(membership=owner, **fields, **options)


def _form(html: str) -> tuple[str, dict]:
    action = unescape(re.search(r'<form[^>]*action="([^"]+)"', html).group(1))
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return action, fields


def follow_to_callback(authorize_url: str, *, login: str, site_url: str) -> str:
    """Sign in at the provider as ``login`` and return the redirect back to Peak OS (its URL)."""
    session = requests.Session()
    response = session.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(10):
        if response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if target.startswith(site_url):
                return target
            response = session.get(target, allow_redirects=False, timeout=10)
        elif response.status_code == 200 and 'name="prompt"' in response.text:
            action, fields = _form(response.text)
            fields.update(login=login, password="anything")
            response = session.post(urljoin(response.url, action), data=fields, allow_redirects=False, timeout=10)
        else:
            raise AssertionError(f"unexpected answer of the IdP: {response.status_code} {response.text[:300]}")
    raise AssertionError("too many redirects at the IdP")


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in_at_idp(client, slug: str, login: str, *, site_url: str):
    """GET /o/<slug>/login/ with the Django test client, sign in at the IdP, return the callback response."""
    start = client.get(f"/o/{slug}/login/")
    assert start.status_code == 302, start
    callback = follow_to_callback(start["Location"], login=login, site_url=site_url)
    return client.get(local(callback))
