"""Schema-driven tests: schemathesis generates requests from the live OpenAPI schema (/api/schema/)
and sends them to the Django WSGI app with an admin token of organization A.

Every operation must answer without a 5xx, with a status code, content type and body that the
schema documents. Examples are few per operation so the whole run stays well under a minute.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from peakos.wsgi import application
from tests.api.conftest import make_token
from tests.api.factories import dependency_for, priority_for

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI app is called directly: like Django's test client, keep it from closing the test's
    database connection at the end of each request (it would end the test transaction on PostgreSQL)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(tenant_a, tenant_b, settings):
    # Generated requests must not run into the per-token throttle.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "100000/min"}}
    for tenant in (tenant_a, tenant_b):
        dependency_for(tenant), priority_for(tenant)
    return make_token(tenant_a, "admin")


# Loaded from the running app when the module is collected: the schema needs no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.parametrize()
@hypothesis_settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_as_its_schema_says(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_token}"}, checks=CHECKS)
