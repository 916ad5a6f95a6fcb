"""What every endpoint of the REST API shares: the organization, permissions, pages, errors.

* ``OrgScopedMixin`` — as PostHog resolves the team in a mixin, this resolves the
  organization once per request (from the token, or for a browser session from the
  ``X-Organization`` header / ``organization`` query parameter, 404 for a non-member)
  and runs the whole request inside ``peakos.tenancy.org_scope(org)``: querysets go
  through the scoped managers, so another organization's ids are simply not found.
* ``RolePermission`` — asks the rule functions of ``peakos.permissions`` that the
  view names (``read_rule``, ``write_rule``, ``action_rules``); no role checks here.
* ``Pagination`` — page numbers, ``page_size`` up to 500; ``IdFilter`` / ``IdConverter``
  keep ids within the database's range (too large: 400 / 404, never a database error).
* ``exception_handler`` — one error body for every status:
  ``{"status": 400, "code": "invalid", "detail": "...", "errors": {"field": ["..."]}}``;
  ``peakos.middleware.RequestGuardMiddleware`` gives the same body to what never reaches a DRF view's handler
  (a body over ``API_MAX_BODY_BYTES``: 413; any unhandled exception: 500).
* ``peakos.api_parsers.StrictJSONParser`` — JSON that nests deeper than ``MAX_JSON_DEPTH`` or holds a NUL or
  a lone surrogate anywhere is a 400 naming the place, before any view code runs.
* ``ApiSchema`` — documents those error responses on every operation.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack

import django_filters
from django import forms
from django.core import signals
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse
from rest_framework import exceptions, generics, mixins, pagination, permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

from peakos import permissions as rules
from peakos.api_auth import resolve_organization
from peakos.overload import DATABASE_ERRORS, busy_response
from peakos.tenancy import org_scope

logger = logging.getLogger("django.request")

# --- Errors ------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """The body of every error response."""

    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="A stable, machine-readable code (invalid, not_found, throttled, ...).")
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    errors = serializers.DictField(
        required=False,
        help_text="400 only: the messages per field (``non_field_errors`` for the whole request; "
        "``rows`` for bulk requests, one entry per invalid row).",
    )
    retry_after = serializers.IntegerField(required=False, help_text="429 only: seconds to wait.")
    max_bytes = serializers.IntegerField(required=False, help_text="413 only: the largest body the API takes.")


ERROR_EXAMPLES = {
    "400": OpenApiExample(
        "Invalid fields",
        value={
            "status": 400,
            "code": "invalid",
            "detail": "The request has invalid fields; nothing was changed.",
            "errors": {"email": ["Enter a valid email address."]},
        },
        response_only=True,
        status_codes=["400"],
    ),
    "401": OpenApiExample(
        "No or revoked token",
        value={"status": 401, "code": "not_authenticated", "detail": "Authentication credentials were not provided."},
        response_only=True,
        status_codes=["401"],
    ),
    "403": OpenApiExample(
        "Role too low",
        value={"status": 403, "code": "permission_denied", "detail": "Your role does not allow this."},
        response_only=True,
        status_codes=["403"],
    ),
    "404": OpenApiExample(
        "Not in this organization",
        value={"status": 404, "code": "not_found", "detail": "Not found."},
        response_only=True,
        status_codes=["404"],
    ),
    "429": OpenApiExample(
        "Too many requests",
        value={
            "status": 429,
            "code": "throttled",
            "detail": "Request was throttled. Expected available in 12 seconds.",
            "retry_after": 12,
        },
        response_only=True,
        status_codes=["429"],
    ),
}
ERROR_EXAMPLES["413"] = OpenApiExample(
    "Body too large",
    value={
        "status": 413,
        "code": "request_too_large",
        "detail": "The request body is larger than 20,971,520 bytes (20 MB), the API's limit; "
        "split it into several requests.",
        "max_bytes": 20971520,
    },
    response_only=True,
    status_codes=["413"],
)
ERROR_EXAMPLES["500"] = OpenApiExample(
    "Server error",
    value={"status": 500, "code": "server_error", "detail": "Something went wrong on our side; nothing was changed."},
    response_only=True,
    status_codes=["500"],
)
ERROR_DESCRIPTIONS = {
    "400": "Invalid input (field errors in ``errors``); nothing was changed.",
    "401": "No token, or an invalid or revoked one.",
    "403": "The token's (or user's) role does not allow this.",
    "404": "Not found in this organization (another organization's ids are never found).",
    "413": "The body is larger than the API's limit (``max_bytes``, 20 MB by default); nothing was changed.",
    "429": "Too many requests for this token; retry after ``retry_after`` seconds.",
    "500": "A fault on the server's side, reported to its operators; nothing was changed.",
}


def _error_body(status_code: int, code: str, detail: str, **extra) -> dict:
    return {"status": status_code, "code": code, "detail": detail, **extra}


def _flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """Nested serializer errors as one level, keyed like the services' (``metrics.2.actual``)."""
    out: dict[str, list[str]] = {}
    items = errors.items() if isinstance(errors, dict) else enumerate(errors)
    for key, value in items:
        name = f"{prefix}{key}"
        if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, dict | list) for v in value)):
            out.update(_flatten(value, f"{name}."))
        elif value:
            out[name] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out


def exception_handler(exc, context):
    """DRF's handler, then one body shape for every error (see ErrorSerializer)."""
    if isinstance(exc, DjangoValidationError):
        # Services raise Django's ValidationError; it is the API's 400. Bulk services give
        # structured per-row errors in ``api_errors`` (see peakos.people.bulk_upsert.InvalidRowsError).
        api_errors = getattr(exc, "api_errors", None)
        if api_errors is not None:
            body = _error_body(400, "invalid", " ".join(exc.messages), errors=api_errors)
            return Response(body, status=400)
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DATABASE_ERRORS):
        # The database is down or gone: a 503 "try again in a minute" with Retry-After,
        # not a 500 (peakos/overload.py).
        request = context.get("request")
        return busy_response(getattr(request, "_request", request), reason="database")
    response = drf_exception_handler(exc, context)
    if response is None:
        # Not an API error: a bug. Report it as Django reports a 500 (logs, ADMINS, Sentry),
        # and answer in the API's shape rather than with the HTML 500 page.
        request = context.get("request")
        return server_error_response(getattr(request, "_request", request), exc)
    if isinstance(exc, exceptions.ValidationError):
        data = response.data
        errors = _flatten(data) if isinstance(data, dict) else {"non_field_errors": data}
        response.data = _error_body(
            response.status_code, "invalid", "The request has invalid fields; nothing was changed.", errors=errors
        )
        return response
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    extra = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        extra["retry_after"] = int(exc.wait + 0.999)
    response.data = _error_body(response.status_code, str(code), str(detail), **extra)
    return response


SERVER_ERROR_DETAIL = "Something went wrong on our side; nothing was changed."


def error_response(status_code: int, code: str, detail: str, **extra) -> JsonResponse:
    """The API's error body outside a DRF view (middleware, the 404 of unknown paths)."""
    return JsonResponse(
        _error_body(status_code, code, detail, **extra),
        status=status_code,
        json_dumps_params={"separators": (",", ":")},
    )


def server_error_response(request, exc: BaseException) -> JsonResponse:
    """A 500 in the API's error body, reported like any unhandled exception.

    Django's own handler would send ``got_request_exception`` (Sentry, the test client)
    and log to ``django.request`` (ADMINS); a handler that answers must do both itself.
    """
    signals.got_request_exception.send(sender=None, request=request)
    logger.error(
        "Internal Server Error: %s",
        getattr(request, "path", "?"),
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": request},
    )
    return error_response(500, "server_error", SERVER_ERROR_DETAIL)


def server_error(request):
    """``handler500``: a fault outside any view (a middleware, the URL resolver) under /api/ is
    the API's error body too; elsewhere Django's 500 page. Django has logged and reported it."""
    if request.path_info.startswith("/api/"):
        return error_response(500, "server_error", SERVER_ERROR_DETAIL)
    return defaults.server_error(request)


def bad_request(request, exception):
    """``handler400``: what Django refuses before a view (a Host it does not serve, a malformed
    request) is the API's error body under /api/; elsewhere Django's 400 page."""
    if request.path_info.startswith("/api/"):
        return error_response(400, "bad_request", "The request could not be read; nothing was changed.")
    return defaults.bad_request(request, exception)


@csrf_exempt  # answers every method with the same 404, whatever the cookies
def api_not_found(request, *args, **kwargs):
    """Unknown /api/v1/ paths answer in the API's error shape, not with the HTML 404 page."""
    return error_response(404, "not_found", "No such endpoint.")


# --- Ids in URLs and filters ------------------------------------------------------------------

# Ids are 64-bit in every database: a larger number is "not found" / invalid, never a database error.
MAX_ID = 2**63 - 1


class IdConverter:
    """``<id:team_id>``: 1 to 18 digits (always below MAX_ID); anything else does not match (JSON 404)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


class IdFilter(django_filters.NumberFilter):
    """Filter by an object id: an integer in the database's range (else a 400, not a database error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


# --- Permissions -------------------------------------------------------------------------------


class RolePermission(permissions.BasePermission):
    """Grant what the view's rule from ``peakos.permissions`` grants the request's membership.

    A view names ``read_rule`` (GET/HEAD/OPTIONS), ``write_rule`` (other methods) and,
    per action, ``action_rules``; per action, ``object_rules`` (``rule(membership, obj)``)
    guard single objects.
    """

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        membership = getattr(view, "membership", None)
        return membership is not None and bool(view.rule_for_request(request)(membership))

    def has_object_permission(self, request, view, obj) -> bool:
        rule = view.object_rules.get(getattr(view, "action", None))
        return rule is None or bool(rule(view.membership, obj))


# --- Pages -------------------------------------------------------------------------------------


class Pagination(pagination.PageNumberPagination):
    """``?page=2&page_size=200`` (default 50, at most 500)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        props = out["properties"]
        props["count"]["example"] = 212
        props["next"]["example"] = "https://peakos.example/api/v1/people/?page=3"
        props["previous"]["example"] = "https://peakos.example/api/v1/people/?page=1"
        return out


# --- The organization mixin --------------------------------------------------------------------


class OrgScopedMixin:
    """Resolve the organization once, check the role, and run the request inside its scope.

    Sets ``self.organization`` and ``self.membership`` (a Membership, or for a token a
    ``TokenMembership`` with the token's role). ``get_queryset`` runs inside the scope.
    """

    permission_classes = [permissions.IsAuthenticated, RolePermission]
    read_rule = staticmethod(rules.is_member)
    write_rule = staticmethod(rules.can_manage)
    action_rules: dict = {}
    object_rules: dict = {}
    organization = None
    membership = None

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as stack:
            self._scope_stack = stack
            return super().dispatch(request, *args, **kwargs)

    def perform_authentication(self, request):
        super().perform_authentication(request)
        if not (request.user and request.user.is_authenticated):
            return  # IsAuthenticated answers 401
        self.organization, self.membership = resolve_organization(request)
        self._scope_stack.enter_context(org_scope(self.organization))
        # Same names the /o/<slug>/ pages use, for code shared with them.
        request._request.organization = self.organization
        request._request.membership = self.membership

    def rule_for_request(self, request):
        action = getattr(self, "action", None)
        if action in self.action_rules:
            return self.action_rules[action]
        return self.read_rule if request.method in permissions.SAFE_METHODS else self.write_rule

    @property
    def actor(self):
        """Who audit records name: the session's user; nobody for a token (it has no user)."""
        return getattr(self.membership, "user", None)

    @property
    def is_schema_generation(self) -> bool:
        """drf-spectacular instantiates views without a request organization."""
        return getattr(self, "swagger_fake_view", False)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context.update(organization=self.organization, membership=self.membership)
        return context


class OrgViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    """Base of the API's viewsets. Subclasses set ``queryset = Model.objects.none()`` (for the
    schema and the router) and build the real rows in ``scoped_queryset``, which runs inside the
    organization's scope; while the schema is generated (no organization) the empty queryset
    stands in for it."""

    lookup_value_converter = "id"  # registered in peakos/api_urls.py
    pagination_class = Pagination

    def get_queryset(self):
        if self.is_schema_generation:
            return self.queryset.all()
        return self.scoped_queryset()

    def scoped_queryset(self):
        """The rows this request may read (the scoped manager limits them to the organization)."""
        return self.queryset.model.objects.all()


# List and retrieve of one model (``@read_schema`` documents both). No docstring: the schema
# would take it as every subclass's description.
class OrgReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgViewSet):
    pass


class OrgAPIView(OrgScopedMixin, generics.GenericAPIView):
    """Base of single endpoints (no list/detail pair)."""

    pagination_class = None
    filter_backends: list = []


# --- Schema ------------------------------------------------------------------------------------


class ApiSchema(AutoSchema):
    """Adds the error responses every endpoint can give, with the shared error body and examples."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = ["401", "403", "404", "429", "500"]
        # A list's filters and an endpoint's declared query parameters are validated too.
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view() or self.get_override_parameters():
            codes.insert(0, "400")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("413")
        for code in codes:
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, ERROR_DESCRIPTIONS[code], [ERROR_EXAMPLES[code]]),
                    code,
                    direction=direction,
                )
        return responses

    def get_tags(self):
        tags = getattr(self.view, "schema_tags", None)
        return list(tags) if tags else super().get_tags()


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "peakos.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token of one organization: `Authorization: Bearer pk_…`. "
            "Created (and revoked) by owners and admins on the organization's API tokens page.",
        }


def read_schema(*, plural: str, one: str, description: str, example_name: str, example: dict):
    """The schema of a read-only viewset: list and retrieve, each with one response example.

    ``@read_schema(plural="List teams", one="One team", ...)`` replaces the same
    ``extend_schema_view(list=..., retrieve=...)`` block every read endpoint repeated.
    """
    from drf_spectacular.utils import extend_schema, extend_schema_view

    def sample():
        return [OpenApiExample(example_name, value=example, response_only=True)]

    return extend_schema_view(
        list=extend_schema(summary=plural, description=description, examples=sample()),
        retrieve=extend_schema(summary=one, examples=sample()),
    )
