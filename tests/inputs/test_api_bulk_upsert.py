"""POST /api/v1/people/bulk-upsert/ with nasty bodies: a JSON error with a specific message, nothing written."""

import json

import pytest
from rest_framework.test import APIClient

from peakos.people import bulk_upsert
from tests.inputs.conftest import DEEP_JSON, FIFTY_MB, LONE_SURROGATE, LONG_EMAIL, PNG, utf16

pytestmark = pytest.mark.django_db
URL = "/api/v1/people/bulk-upsert/"


def person(**fields):
    return {"email": "new.person@alpha.example", "name": "New Person", "team": "Alpha Team", **fields}


def send(client, body: bytes | str, content_type="application/json"):
    return client.generic("POST", URL, body, content_type=content_type)


def error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == status and body["code"] and body["detail"]
    return body


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", "Ada\x00Lovelace", "NUL character"),
        ("team", "Alpha\x00", "NUL character"),
        ("name", f"Ada{LONE_SURROGATE}", "lone surrogate (U+D800)"),
        ("manager_email", f"boss{LONE_SURROGATE}@alpha.example", "lone surrogate"),
    ],
)
def test_text_that_cannot_be_stored_is_refused_by_field(api, unchanged, field, value, expected):
    body = json.dumps({"people": [person(), person(email="second@alpha.example", **{field: value})]})
    client = api("admin")
    with unchanged():
        out = error(send(client, body), 400)
    assert expected in out["errors"][f"people.1.{field}"][0]


def test_a_bad_character_in_an_attribute_name_is_refused(api, unchanged):
    body = json.dumps({"people": [person(attributes={"desk\x00": "3"})]})
    client = api("admin")
    with unchanged():
        out = error(send(client, body), 400)
    assert "field name" in out["errors"]["people.0.attributes"][0]
    assert "NUL" in out["errors"]["people.0.attributes"][0]


def test_json_nested_100k_deep_is_a_400_not_a_crash(api, unchanged):
    client = api("admin")
    with unchanged():
        out = error(send(client, DEEP_JSON), 400)
    assert "nests deeper than 32 levels" in out["detail"]


def test_json_nested_just_past_the_limit_is_refused_with_its_place(api, unchanged):
    deep = {"people": [person(attributes={"a": "b"})]}
    deep["people"][0]["attributes"] = json.loads("[" * 40 + "]" * 40)
    client = api("admin")
    with unchanged():
        out = error(send(client, json.dumps(deep)), 400)
    assert any("Nested deeper than 32 levels" in m for ms in out["errors"].values() for m in ms)


def test_a_body_over_the_limit_is_a_json_413_naming_the_limit(api, unchanged, settings):
    body = b'{"people": [' + b" " * FIFTY_MB + b"]}"
    client = api("admin")
    with unchanged():
        out = error(send(client, body), 413)
    assert out["code"] == "request_too_large"
    assert out["max_bytes"] == settings.API_MAX_BODY_BYTES
    assert f"{settings.API_MAX_BODY_BYTES:,} bytes" in out["detail"]


def test_the_documented_10000_people_with_realistic_rows_fit_in_one_call(api, tenant_a, settings):
    rows = [
        {
            "email": f"firstname.lastname{i}@alpha-corporation.example",
            "name": f"Firstname Lastname-Longername {i}",
            "team": f"Platform Engineering {i % 40}",
            "parent_team": "Alpha Department",
            "manager_email": "manager.person@alpha.example",
            "layer": "individual",
            "language": "",
            "attributes": {
                "location": "Berlin, Germany",
                "cost_center": f"CC-{i % 97:04d}",
                "employee_id": f"E{i:07d}",
                "job_title": "Senior Software Engineer",
                "start_date": "2021-04-01",
                "employment_type": "full-time",
            },
        }
        for i in range(bulk_upsert.MAX_UPSERT_ROWS)
    ]
    body = json.dumps({"people": rows})
    assert len(body) > 2.5 * 1024 * 1024  # more than Django's default form limit
    assert len(body) < settings.API_MAX_BODY_BYTES / 3  # and room to spare under the API's
    response = send(api("admin"), body)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["created"] == bulk_upsert.MAX_UPSERT_ROWS


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (PNG, "JSON parse error"),
        (utf16(json.dumps({"people": [person()]})), "JSON parse error"),
        (b'{"people": [{"email": "jose@alpha.example", "name": "Jos\xe9", "team": "Alpha Team"}]}', "JSON parse error"),
        (b"", "Send a non-empty list of people."),
        (b'{"people": []}', "Send a non-empty list of people."),
    ],
    ids=["png", "utf-16", "latin-1", "empty", "no-rows"],
)
def test_bodies_that_are_not_a_list_of_people_are_refused(api, unchanged, body, expected):
    client = api("admin")
    with unchanged():
        out = error(send(client, body), 400)
    assert expected in json.dumps(out, ensure_ascii=False)


def test_an_email_over_254_characters_is_refused_by_row(api, unchanged):
    body = json.dumps({"people": [person(), person(email=LONG_EMAIL)]})
    client = api("admin")
    with unchanged():
        out = error(send(client, body), 400)
    (row,) = out["errors"]["rows"]
    assert row["index"] == 1
    assert "longer than 254 characters" in row["errors"]["email"][0]


def test_formula_like_values_go_in_and_come_out_of_the_api_unchanged(api, tenant_a):
    client = api("admin")
    response = send(client, json.dumps({"people": [person(name="=cmd|' /C calc'!A0")]}))
    assert response.status_code == 200
    found = client.get("/api/v1/people/", {"email": "new.person@alpha.example"}).json()["results"]
    assert found[0]["name"] == "=cmd|' /C calc'!A0"  # JSON is data, not a spreadsheet: no apostrophe


def test_an_unexpected_error_is_a_json_500_and_is_reported(tenant_a, unchanged, monkeypatch):
    from django.core.signals import got_request_exception

    from tests.inputs.conftest import make_token

    def boom(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(bulk_upsert, "bulk_upsert_people", boom)
    reported = []

    def receiver(sender, **kwargs):
        reported.append(kwargs["request"].path)

    got_request_exception.connect(receiver)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(tenant_a, 'admin')}")
    try:
        with unchanged():
            out = error(send(client, json.dumps({"people": [person()]})), 500)
    finally:
        got_request_exception.disconnect(receiver)
    assert out["code"] == "server_error"
    assert "a bug" not in json.dumps(out)  # no internals in the answer
    assert reported == [URL]
