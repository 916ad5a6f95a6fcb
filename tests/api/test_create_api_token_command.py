"""manage.py create_api_token: prints a working token once."""

import pytest
from django.core.management import CommandError, call_command

from peakos.models import ApiToken
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def test_it_prints_a_token_that_works(tenant_a, capsys):
    call_command("create_api_token", "alpha-corp", "BI dashboard", "--role", "leader")
    raw = capsys.readouterr().out.strip()
    assert ApiToken.objects.get(name="BI dashboard").role == "leader"
    assert token_client(raw).get("/api/v1/organization/").json()["slug"] == "alpha-corp"


def test_an_unknown_organization_is_an_error(db):
    with pytest.raises(CommandError, match="No organization"):
        call_command("create_api_token", "nowhere", "X")


def test_owner_is_not_a_token_role(tenant_a):
    with pytest.raises(CommandError):
        call_command("create_api_token", "alpha-corp", "X", "--role", "owner")
