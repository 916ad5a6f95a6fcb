"""/api/schema/ and /api/docs/: a valid OpenAPI 3 schema, every operation described with examples,
and docs whose assets are served by this app (no CDN)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def test_the_schema_is_public_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Peak OS API"
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_every_operation_has_a_summary_and_examples(schema):
    for name, operation in operations(schema):
        assert operation.get("summary"), f"{name} has no summary"
        ok = operation["responses"].get("200") or operation["responses"].get("201")
        examples = (ok or {}).get("content", {}).get("application/json", {}).get("examples")
        assert examples, f"{name} has no example answer"


def test_every_operation_documents_the_error_answers(schema):
    for name, operation in operations(schema):
        assert {"401", "403", "404", "429"} <= set(operation["responses"]), name


def test_every_path_is_under_api_v1(schema):
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_the_docs_load_their_assets_from_this_app(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/") for a in assets), assets
    for asset in assets:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), f"{asset} is not a local static file"
    assert "<script>" not in html, "no inline script (CSP)"
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
