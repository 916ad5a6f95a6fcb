"""Middleware of Peak OS's own: what must be answered before (or instead of) a view."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.shortcuts import render

from peakos.api_base import error_response, server_error_response


class RequestGuardMiddleware:
    """Answers what a view cannot: bodies over the limit, and for /api/ unhandled exceptions.

    The body is read here, bounded by ``API_MAX_BODY_BYTES`` (documented in the OpenAPI
    description), instead of under Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB, a
    guard for HTML forms): a bulk upsert of the documented 10,000 people is several MB.
    A larger body — by its Content-Length, or by what arrives — is a 413 in the API's error
    body, never Django's HTML 400. Elsewhere a form body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    is a 413 page that says so (Django's default is an empty "Bad Request").
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/") and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            limit = settings.API_MAX_BODY_BYTES
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                return self.too_large(limit)
            request._body = request.read(limit + 1)  # what request.body then returns (DRF parses it)
            if len(request._body) > limit:
                return self.too_large(limit)
        return self.get_response(request)

    @staticmethod
    def too_large(limit: int) -> JsonResponse:
        """The API's 413, in its error body."""
        detail = (
            f"The request body is larger than {limit:,} bytes ({limit // (1024 * 1024)} MB), the API's limit; "
            "split it into several requests."
        )
        return error_response(413, "request_too_large", detail, max_bytes=limit)

    def process_exception(self, request, exception):
        if request.path_info.startswith("/api/"):
            if isinstance(exception, RequestDataTooBig):
                return self.too_large(settings.API_MAX_BODY_BYTES)
            return server_error_response(request, exception)
        if isinstance(exception, RequestDataTooBig):
            limit_mb = round(settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024), 1)
            return render(request, "413.html", {"limit_mb": f"{limit_mb:g}"}, status=413)
        return None
