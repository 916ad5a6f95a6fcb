"""The tenant-isolation harness.

It walks every URL pattern of the project. For each pattern under
``/o/<org_slug>/`` it fills the parameters with organization B's slug and ids
and requests it (GET, then POST) as organization A's owner, the most privileged
role. Expected: 404 (or 403) and none of B's data in the body. Patterns that only
take ``org_slug`` are requested with A's slug and must not show B's data either.

Every URL parameter needs a source in ``PARAM_SOURCES`` and every pattern outside
``/o/`` needs a reason in ``PUBLIC_PATTERNS``: a new pattern that is not covered
fails ``test_every_url_pattern_is_covered``. Apps add their parameters here.

API mode (``check_api_isolation``): every ``/api/v1/`` pattern is requested with every
method, with organization A's token (and A's session naming B in ``X-Organization``)
and B's ids, and the other way round: expected 404 (403/405) and none of the other
organization's data; collection routes must not show it either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.api import factories as api_factories
from tests.leadership import factories as leadership_factories
from tests.peakos.importing import people_import_for
from tests.reviews import factories as reviews_factories
from tests.rhythm import factories as rhythm_factories
from tests.surveys import factories as surveys_factories

# name of a URL parameter -> how to get organization B's value for it.
PARAM_SOURCES: dict[str, Callable] = {
    "membership_id": lambda b: b.memberships["member"].pk,
    "team_id": lambda b: b.team.pk,
    "person_id": lambda b: b.people[1].pk,
    "import_id": lambda b: people_import_for(b).pk,
    "api_token_id": lambda b: api_factories.api_token_for(b).pk,
    "dependency_id": lambda b: api_factories.dependency_for(b).pk,
    "priority_id": lambda b: api_factories.priority_for(b).pk,
    "snapshot_id": lambda b: api_factories.snapshot_for(b).pk,
    "cell_id": lambda b: api_factories.coordination_cell_for(b).pk,
    "signal_id": lambda b: api_factories.signal_for(b).pk,
    "question_id": lambda b: surveys_factories.question_for(b).pk,
    "round_id": lambda b: surveys_factories.round_for(b).pk,
    "survey_id": lambda b: surveys_factories.survey_for(b).pk,
    "cycle_id": lambda b: reviews_factories.cycle_for(b).pk,
    "review_id": lambda b: reviews_factories.review_for(b).pk,
    "ask_id": lambda b: reviews_factories.ask_for(b).pk,
    "action_id": lambda b: reviews_factories.action_for(b).pk,
    "meeting_id": lambda b: rhythm_factories.meeting_for(b).pk,
    "measurable_id": lambda b: rhythm_factories.measurable_for(b).pk,
    "issue_id": lambda b: rhythm_factories.issue_for(b).pk,
    "todo_id": lambda b: rhythm_factories.todo_for(b).pk,
    "decision_id": lambda b: rhythm_factories.decision_for(b).pk,
    "feedback_id": lambda b: leadership_factories.feedback_for(b).pk,
}

# Patterns outside /o/<org_slug>/: the tenant comes from a token or there is none.
PUBLIC_PATTERNS: dict[str, str] = {
    "home": "redirects to the user's own organizations",
    "healthz": "liveness probe, no data",
    "readyz": "readiness probe: which dependency failed, no data",
    "dev_mail": "development mail catcher: 404 unless DEBUG, staff or localhost only",
    "dev_mail_detail": "development mail catcher: 404 unless DEBUG, staff or localhost only",
    "login": "authentication",
    "logout": "authentication",
    "password_change": "the user's own account",
    "password_change_done": "the user's own account",
    "password_reset": "authentication",
    "password_reset_done": "authentication",
    "password_reset_confirm": "token names the user",
    "password_reset_complete": "authentication",
    "profile": "the user's own account",
    "account_language": "the user's own account (the language chooser)",
    "mfa": "the user's own account (two-factor status)",
    "mfa_enrol": "the user's own account (two-factor set-up)",
    "mfa_verify": "the user's own account (the second step of logging in)",
    "mfa_recovery_codes": "the user's own account (new recovery codes)",
    "mfa_disable": "the user's own account (turning two-factor off)",
    "javascript_catalog": "a language's messages for static/js/: the same for everyone, no data",
    "accept_invitation": "the token names the organization",
    "signup": "creates a new organization; a logged-in user's own account",
    "signup_sent": "a static 'check your inbox' page (shows the session's own address)",
    "signup_resend": "the same answer whatever the address",
    "signup_verify": "the signed token names the signup; no organization exists before it",
    "api:schema": "the OpenAPI schema: describes the API, holds no data",
    "api:docs": "Swagger UI for the schema, no data",
    "api:not_found": "the JSON 404 for unknown /api/v1/ paths, no data",
    "survey_answer": "public survey link: the token (only its hash is stored) names the organization",
    "survey_privacy": "the privacy page of a survey link: the token names the organization; shows its thresholds only",
    "privacy": "the employee privacy page with the default thresholds, no data",
    "feedback_answer": "public 360 feedback link: the token (only its hash is stored) names the organization",
    "sso_discover": "the login page's SSO button: sends an e-mail domain to its organization's sign-in, no data",
    "sso_login": "single sign-on start: redirects to the organization's identity provider, shows no data",
    "scim_service_provider_config": "SCIM: what the endpoint supports, the same for every token, no data",
    "scim_users": "SCIM: the bearer token names the organization (tests/identity/test_scim.py checks two)",
    "scim_user": "SCIM: the bearer token names the organization; another's ids are 404 (tests/identity/test_scim.py)",
    "scim_groups": "SCIM: the bearer token names the organization (tests/identity/test_scim_groups.py checks two)",
    "scim_group": "SCIM: the bearer token names the organization; another's ids are 404 (test_scim_groups.py)",
    "sso_callback": "single sign-on answer: the state in this browser's session and the ID token name the login",
}

ADMIN_PREFIX = "admin/"
API_PREFIX = "api/v1/"


@dataclass
class Route:
    name: str | None
    route: str
    params: list[str]

    @property
    def is_org(self) -> bool:
        return self.route.startswith("o/<slug:org_slug>/")

    @property
    def is_api(self) -> bool:
        return self.route.startswith(API_PREFIX)


def iter_routes(resolver=None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        piece = str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from iter_routes(entry, prefix + piece, ns)
        elif isinstance(entry, URLPattern):
            full = prefix + piece
            params = list(getattr(entry.pattern, "converters", {}).keys()) or list(entry.pattern.regex.groupindex)
            outer = [p for p in _prefix_params(prefix)]
            name = f"{namespace}{entry.name}" if entry.name else None
            yield Route(name=name, route=full, params=outer + [p for p in params if p not in outer])


def _prefix_params(prefix: str) -> list[str]:
    import re

    return re.findall(r"<(?:\w+:)?(\w+)>", prefix)


def org_routes() -> list[Route]:
    return [r for r in iter_routes() if r.is_org]


def uncovered_routes() -> list[str]:
    """Patterns the harness cannot check: unnamed, unknown parameters, or public without a reason."""
    problems = []
    for r in iter_routes():
        if r.route.startswith(ADMIN_PREFIX):
            continue
        if r.is_org or r.is_api:
            if r.name is None:
                problems.append(f"{r.route}: unnamed pattern (name it so the harness can reverse it)")
            for p in r.params:
                if p != "org_slug" and p not in PARAM_SOURCES:
                    problems.append(f"{r.route}: parameter {p!r} has no source in tests/isolation.py PARAM_SOURCES")
        elif r.name not in PUBLIC_PATTERNS:
            problems.append(f"{r.route} ({r.name}): outside /o/ and not in PUBLIC_PATTERNS")
    return problems


def markers(tenant) -> list[str]:
    """Strings that only tenant B's data contains."""
    return [tenant.org.name, tenant.team.name, tenant.department.name, *[p.email for p in tenant.people]]


def check_isolation(client, tenant_a, tenant_b, routes: list[Route] | None = None) -> list[str]:
    """Request every organization route as A's owner with B's slug/ids; return what leaked."""
    routes = org_routes() if routes is None else routes
    client.force_login(tenant_a.users["owner"])
    leaks = markers(tenant_b)
    failures = []
    for r in routes:
        missing = [p for p in r.params if p != "org_slug" and p not in PARAM_SOURCES]
        if missing:
            failures.append(f"{r.route}: no PARAM_SOURCES entry for {missing}")
            continue
        values = {p: PARAM_SOURCES[p](tenant_b) for p in r.params if p != "org_slug"}
        attempts = [("B's slug", {"org_slug": tenant_b.org.slug, **values})]
        if values:
            attempts.append(("A's slug with B's ids", {"org_slug": tenant_a.org.slug, **values}))
        for label, kwargs in attempts:
            url = reverse(r.name, kwargs=kwargs)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                body = response.content.decode(errors="replace") if hasattr(response, "content") else ""
                if response.status_code not in (403, 404, 405):
                    failures.append(f"{method.upper()} {url} ({label}): status {response.status_code}, expected 404")
                found = [m for m in leaks if m in body]
                if found:
                    failures.append(f"{method.upper()} {url} ({label}): body shows B's data {found}")
        if not values:
            # A's own page must not show B's data either.
            url = reverse(r.name, kwargs={"org_slug": tenant_a.org.slug})
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                body = response.content.decode(errors="replace") if hasattr(response, "content") else ""
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url}: status {response.status_code}")
                found = [m for m in leaks if m in body]
                if found:
                    failures.append(f"{method.upper()} {url} (A's own page): body shows B's data {found}")
    return failures


# --- API mode ---------------------------------------------------------------------------------

API_METHODS = ("get", "post", "put", "patch", "delete")


def api_routes() -> list[Route]:
    return [r for r in iter_routes() if r.is_api]


def _api_request(client, method: str, url: str, **headers):
    return client.generic(method.upper(), url, data=b"{}", content_type="application/json", **headers)


def check_api_isolation(client, tenant_a, tenant_b, routes: list[Route] | None = None) -> tuple[list[str], set]:
    """Request every /api/v1/ route across organizations, both ways; return (what leaked, routes checked).

    * X's admin token with Y's ids: 404 (or 403/405) and none of Y's data, for every method;
    * X's admin token on collection routes, and naming Y in ``X-Organization``: none of Y's data,
      and 404 when naming Y;
    * X's owner logged in, naming Y in ``X-Organization``: 404.
    """
    from peakos.api_auth import create_api_token

    routes = api_routes() if routes is None else routes
    failures, checked = [], set()
    for x, y in ((tenant_a, tenant_b), (tenant_b, tenant_a)):
        _, raw = create_api_token(organization=x.org, membership=None, name="isolation", role="admin")
        auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        leaks = markers(y)
        who = f"{x.org.slug} token"
        for r in routes:
            missing = [p for p in r.params if p not in PARAM_SOURCES]
            if missing:
                failures.append(f"{r.route}: no PARAM_SOURCES entry for {missing}")
                continue
            checked.add(r.name)
            values = {p: PARAM_SOURCES[p](y) for p in r.params}
            url = reverse(r.name, kwargs=values)
            client.logout()
            for method in API_METHODS:
                response = _api_request(client, method, url, **auth)
                body = response.content.decode(errors="replace")
                if values and response.status_code not in (403, 404, 405):
                    failures.append(f"{method.upper()} {url} ({who}, other's ids): status {response.status_code}")
                elif response.status_code >= 500:
                    failures.append(f"{method.upper()} {url} ({who}): status {response.status_code}")
                found = [m for m in leaks if m in body]
                if found:
                    failures.append(f"{method.upper()} {url} ({who}): body shows the other's data {found}")
            # Naming the other organization: with the token, then as a logged-in owner of X.
            client.force_login(x.users["owner"])
            attempts = [(f"{who} naming {y.org.slug}", auth), (f"{x.org.slug} owner naming {y.org.slug}", {})]
            for label, headers in attempts:
                response = _api_request(client, "get", url, HTTP_X_ORGANIZATION=y.org.slug, **headers)
                body = response.content.decode(errors="replace")
                if response.status_code != 404:
                    failures.append(f"GET {url} ({label}): status {response.status_code}, expected 404")
                found = [m for m in leaks if m in body]
                if found:
                    failures.append(f"GET {url} ({label}): body shows the other's data {found}")
            client.logout()
    return failures, checked
