"""Errors outside the bulk upsert: every one under /api/ in the API's JSON body."""

import pytest
from django.test import RequestFactory

from peakos.api_base import server_error

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_filter_is_a_400_naming_the_parameter(api, unchanged):
    client = api("leader")
    with unchanged():
        response = client.get("/api/v1/people/", {"email": "a\x00@alpha.example"})
    assert response.status_code == 400
    assert response.json()["errors"]["email"] == ["Null characters are not allowed."]


def test_a_host_the_site_does_not_serve_is_a_json_400_under_api(api):
    response = api("leader").get("/api/v1/teams/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "code": "bad_request",
        "detail": "The request could not be read; nothing was changed.",
    }


def test_a_fault_outside_any_view_is_a_json_500_under_api_and_the_page_elsewhere():
    api_response = server_error(RequestFactory().get("/api/v1/teams/"))
    assert api_response.status_code == 500 and api_response["Content-Type"] == "application/json"
    page = server_error(RequestFactory().get("/o/alpha-corp/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
