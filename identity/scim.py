"""The SCIM 2.0 endpoint, /scim/v2/ (RFC 7644): DRF views over identity/provisioning.py.

django-scim2 was the first candidate, but it keeps one global user model and resolves no
tenant: its views query ``User`` directly and its adapters have no place for an organization
taken from the bearer token. Here the token names the organization, the view runs inside
that organization's scope, and every answer, errors too, is a SCIM JSON body.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.http import Http404
from rest_framework import exceptions, parsers, renderers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from identity import groups, provisioning
from identity.provisioning import ScimError
from peakos.models import Person
from peakos.tenancy import org_scope

logger = logging.getLogger(__name__)
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
MAX_COUNT = 200
FILTER = re.compile(r'^\s*userName\s+eq\s+"([^"]*)"\s*$', re.IGNORECASE)
GROUP_FILTER = re.compile(r'^\s*displayName\s+eq\s+"([^"]*)"\s*$', re.IGNORECASE)


class ScimJSONRenderer(renderers.JSONRenderer):
    media_type = "application/scim+json"


class ScimJSONParser(parsers.JSONParser):
    media_type = "application/scim+json"


class ScimTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != b"bearer":
            raise exceptions.NotAuthenticated("Send the SCIM token as: Authorization: Bearer <token>.")
        token = provisioning.find_scim_token(parts[1].decode(errors="replace"))
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked SCIM token.")
        return None, token

    def authenticate_header(self, request):
        return 'Bearer realm="scim"'


class HasScimToken(BasePermission):
    def has_permission(self, request, view):
        return request.auth is not None


def _error(status: int, detail: str, scim_type: str = "") -> Response:
    body = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return Response(body, status=status)


class ScimView(APIView):
    authentication_classes = [ScimTokenAuthentication]
    permission_classes = [HasScimToken]
    renderer_classes = [ScimJSONRenderer, renderers.JSONRenderer]
    parser_classes = [ScimJSONParser, parsers.JSONParser]
    throttle_classes = []
    # SCIM is described by its own RFC 7643 discovery endpoints (ServiceProviderConfig, Schemas),
    # not by the /api/v1/ OpenAPI document.
    schema = None

    def base_url(self) -> str:
        return settings.SITE_URL + "/scim/v2"

    def dispatch(self, request, *args, **kwargs):
        self._scope = None
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            if self._scope is not None:
                self._scope.__exit__(None, None, None)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # The rest of the request runs inside the token's organization (django-scopes).
        self._scope = org_scope(request.auth.organization)
        self._scope.__enter__()

    def handle_exception(self, exc):
        if isinstance(exc, ScimError):
            return _error(exc.status, exc.detail, exc.scim_type)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            response = _error(401, str(exc.detail))
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
            return response
        if isinstance(exc, Http404):
            return _error(404, "No such resource in this organization.")
        if isinstance(exc, exceptions.ParseError | exceptions.ValidationError):
            return _error(400, "The body is not valid JSON.", "invalidSyntax")
        if isinstance(exc, exceptions.APIException):
            return _error(exc.status_code, str(exc.detail))
        logger.exception("SCIM request failed")
        return _error(500, "Something went wrong on our side; nothing was changed.")

    def person(self, scim_id: str) -> Person:
        if not scim_id.isdigit():
            raise Http404
        person = (
            Person.objects.select_related("team")
            .filter(organization=self.request.auth.organization, pk=int(scim_id))
            .first()
        )
        if person is None:
            raise Http404
        return person

    def team(self, scim_id: str):
        team = (
            groups.active_teams(self.request.auth.organization).filter(pk=int(scim_id)).first()
            if (scim_id.isdigit())
            else None
        )
        if team is None:
            raise Http404
        return team

    def page(self, request, queryset, resource) -> Response:
        try:
            start = max(int(request.query_params.get("startIndex", 1)), 1)
            count = min(max(int(request.query_params.get("count", 100)), 0), MAX_COUNT)
        except ValueError:
            raise ScimError(400, "startIndex and count are integers.", "invalidValue")
        total = queryset.count()
        page = list(queryset[start - 1 : start - 1 + count])
        return Response(
            {
                "schemas": [LIST_SCHEMA],
                "totalResults": total,
                "startIndex": start,
                "itemsPerPage": len(page),
                "Resources": [resource(item, self.base_url()) for item in page],
            }
        )


class ServiceProviderConfig(ScimView):
    def get(self, request):
        return Response(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                "patch": {"supported": True},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": True, "maxResults": MAX_COUNT},
                "changePassword": {"supported": False},
                "sort": {"supported": False},
                "etag": {"supported": False},
                "authenticationSchemes": [
                    {
                        "type": "oauthbearertoken",
                        "name": "Bearer token",
                        "description": "A SCIM token of the organization.",
                    }
                ],
            }
        )


class Users(ScimView):
    def get(self, request):
        people = Person.objects.select_related("team").filter(organization=request.auth.organization).order_by("pk")
        query = request.query_params.get("filter")
        if query:
            match = FILTER.match(query)
            if match is None:
                raise ScimError(400, 'Only the filter userName eq "<e-mail>" is supported.', "invalidFilter")
            people = people.filter(email=match.group(1).strip().lower())
        return self.page(request, people, provisioning.user_resource)

    def post(self, request):
        person = provisioning.create_user(token=request.auth, resource=request.data)
        return Response(provisioning.user_resource(person, self.base_url()), status=201)


class User(ScimView):
    def get(self, request, scim_id):
        return Response(provisioning.user_resource(self.person(scim_id), self.base_url()))

    def put(self, request, scim_id):
        person = provisioning.replace_user(token=request.auth, person=self.person(scim_id), resource=request.data)
        return Response(provisioning.user_resource(person, self.base_url()))

    def patch(self, request, scim_id):
        body = request.data if isinstance(request.data, dict) else {}
        person = provisioning.patch_user(
            token=request.auth, person=self.person(scim_id), operations=body.get("Operations"), base_url=self.base_url()
        )
        return Response(provisioning.user_resource(person, self.base_url()))

    def delete(self, request, scim_id):
        provisioning.deactivate_user(token=request.auth, person=self.person(scim_id))
        return Response(status=204)


class Groups(ScimView):
    def get(self, request):
        teams = groups.active_teams(request.auth.organization).order_by("pk")
        query = request.query_params.get("filter")
        if query:
            match = GROUP_FILTER.match(query)
            if match is None:
                raise ScimError(400, 'Only the filter displayName eq "<team name>" is supported.', "invalidFilter")
            teams = teams.filter(name__iexact=match.group(1).strip())
        return self.page(request, teams, groups.group_resource)

    def post(self, request):
        team = groups.create_group(token=request.auth, resource=request.data)
        return Response(groups.group_resource(team, self.base_url()), status=201)


class Group(ScimView):
    def get(self, request, scim_id):
        return Response(groups.group_resource(self.team(scim_id), self.base_url()))

    def put(self, request, scim_id):
        team = groups.replace_group(token=request.auth, team=self.team(scim_id), resource=request.data)
        return Response(groups.group_resource(team, self.base_url()))

    def patch(self, request, scim_id):
        body = request.data if isinstance(request.data, dict) else {}
        team = groups.patch_group(token=request.auth, team=self.team(scim_id), operations=body.get("Operations"))
        return Response(groups.group_resource(team, self.base_url()))

    def delete(self, request, scim_id):
        groups.archive_group(token=request.auth, team=self.team(scim_id))
        return Response(status=204)
