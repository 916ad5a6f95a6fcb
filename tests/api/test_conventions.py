"""What every endpoint shares: lists page, filter and order; errors have one shape; tokens are throttled."""

import pytest
from django.test import override_settings
from django.urls import resolve, reverse
from rest_framework.settings import api_settings

from peakos.api_base import OrgScopedMixin, Pagination
from tests import isolation
from tests.api.conftest import make_token, token_client
from tests.factories import TeamFactory


def list_views():
    for route in isolation.api_routes():
        if route.name.endswith("-list"):
            view = resolve(reverse(route.name)).func
            if "get" in view.actions:
                yield route.name, view.cls


def test_every_api_view_goes_through_the_organization_mixin():
    for route in isolation.api_routes():
        cls = resolve(reverse(route.name, kwargs={p: 1 for p in route.params})).func.cls
        assert issubclass(cls, OrgScopedMixin), route.name


@pytest.mark.parametrize(("name", "cls"), list(list_views()))
def test_every_list_pages_filters_and_orders(name, cls):
    assert cls.pagination_class is Pagination, name
    backends = {b.__name__ for b in (cls.filter_backends or api_settings.DEFAULT_FILTER_BACKENDS)}
    assert {"DjangoFilterBackend", "OrderingFilter"} <= backends, name
    assert getattr(cls, "filterset_class", None) or getattr(cls, "filterset_fields", None), name
    assert cls.ordering_fields and cls.ordering, name


@pytest.mark.django_db
def test_lists_come_in_pages(tenant_a):
    for i in range(5):
        TeamFactory(organization=tenant_a.org, name=f"Extra {i}")
    client = token_client(make_token(tenant_a))
    first = client.get("/api/v1/teams/?page_size=4&ordering=name").json()
    assert first["count"] == 11 and len(first["results"]) == 4 and first["next"]
    last = client.get("/api/v1/teams/?page_size=4&page=3&ordering=name").json()
    assert len(last["results"]) == 3 and last["next"] is None


@pytest.mark.django_db
def test_a_page_past_the_end_is_a_404_in_the_error_shape(tenant_a):
    response = token_client(make_token(tenant_a)).get("/api/v1/teams/?page=99")
    assert response.status_code == 404
    assert set(response.json()) == {"status", "code", "detail"}


@pytest.mark.django_db
def test_an_invalid_filter_value_is_a_400_with_field_errors(tenant_a):
    response = token_client(make_token(tenant_a)).get("/api/v1/teams/?kind=galaxy")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "kind" in response.json()["errors"]


@pytest.mark.django_db
def test_an_unknown_api_path_is_a_json_404(tenant_a):
    response = token_client(make_token(tenant_a)).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.django_db
def test_a_token_is_throttled_with_429_and_retry_after(tenant_a):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api": "3/min"}
    busy, other = token_client(make_token(tenant_a)), token_client(make_token(tenant_a))
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": rates}):
        statuses = [busy.get("/api/v1/teams/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        response = busy.get("/api/v1/teams/")
        assert response.json()["code"] == "throttled"
        assert response.json()["retry_after"] > 0
        assert int(response["Retry-After"]) > 0
        assert other.get("/api/v1/teams/").status_code == 200, "each token has its own budget"


def _rest_framework():
    from django.conf import settings

    return settings.REST_FRAMEWORK
