"""API token lifecycle: expiry dates, tokens whose creator lost the manage role (flagged, owners
e-mailed), and revoking flagged or all tokens in one click."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from peakos.api_auth import create_api_token
from peakos.models import ApiToken, AuditEvent
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db
URL = "/o/alpha-corp/api-tokens/"


def raw_token(response) -> str:
    return re.search(r'id="new-token">(pk_[^<]+)<', response.content.decode()).group(1)


def test_a_token_with_an_expiry_date_works_until_then_and_is_refused_after(as_role, tenant_a):
    client = as_role("admin")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(URL, {"name": "Trial BI", "role": "leader", "expires_on": tomorrow})
    assert response.status_code == 201
    raw = raw_token(response)
    token = ApiToken.objects.get(name="Trial BI")
    assert token.expires_at > timezone.now() + timedelta(days=1)
    assert token_client(raw).get("/api/v1/organization/").status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused = token_client(raw).get("/api/v1/organization/")
    assert refused.status_code == 401
    body = refused.json()
    assert body["status"] == 401 and body["code"] == "authentication_failed"
    assert "expired" in body["detail"]
    assert "expired" in client.get(URL).content.decode()


def test_an_expiry_date_in_the_past_is_refused_with_a_form_error(as_role, tenant_a):
    response = as_role("admin").post(
        URL, {"name": "Old", "role": "leader", "expires_on": (timezone.localdate() - timedelta(days=2)).isoformat()}
    )
    assert response.status_code == 200
    assert "That day is over" in response.content.decode()
    assert not ApiToken.objects.filter(name="Old").exists()


def test_a_demoted_admins_tokens_are_flagged_and_the_owners_told(as_role, tenant_a, django_capture_on_commit_callbacks):
    admin = tenant_a.memberships["admin"]
    token, raw = create_api_token(organization=tenant_a.org, membership=admin, name="HRIS sync", role="admin")
    other, _ = create_api_token(
        organization=tenant_a.org, membership=tenant_a.memberships["owner"], name="Owner's BI", role="leader"
    )
    owner = as_role("owner")
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(f"/o/alpha-corp/members/{admin.pk}/role/", {"role": "leader"})
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.is_flagged and not other.is_flagged
    assert token_client(raw).get("/api/v1/organization/").status_code == 200  # flagged, not cut off
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@alpha.example"]
    assert "HRIS sync" in message.body and "admin@alpha.example" in message.body
    assert "/o/alpha-corp/api-tokens/" in message.body
    page = owner.get(URL).content.decode()
    assert "1 token needs a decision" in page and "flagged</span>" in page
    assert AuditEvent.objects.filter(action="api_token.flag").exists()


def test_a_removed_admins_tokens_are_flagged(as_role, tenant_a, django_capture_on_commit_callbacks):
    admin = tenant_a.memberships["admin"]
    token, _ = create_api_token(organization=tenant_a.org, membership=admin, name="Sync", role="leader")
    with django_capture_on_commit_callbacks(execute=True):
        as_role("owner").post(f"/o/alpha-corp/members/{admin.pk}/remove/")
    token.refresh_from_db()
    assert token.is_flagged
    assert len(mail.outbox) == 1


def test_an_owner_revokes_all_flagged_tokens_in_one_click(as_role, tenant_a, django_capture_on_commit_callbacks):
    admin = tenant_a.memberships["admin"]
    flagged = [
        create_api_token(organization=tenant_a.org, membership=admin, name=f"Old {i}", role="leader") for i in range(3)
    ]
    keep, keep_raw = create_api_token(
        organization=tenant_a.org, membership=tenant_a.memberships["owner"], name="Keep", role="leader"
    )
    owner = as_role("owner")
    with django_capture_on_commit_callbacks(execute=True):
        owner.post(f"/o/alpha-corp/members/{admin.pk}/role/", {"role": "member"})
    response = owner.post("/o/alpha-corp/api-tokens/revoke/", {"which": "flagged"}, follow=True)
    assert "3 flagged tokens revoked" in response.content.decode()
    for _token, raw in flagged:
        assert token_client(raw).get("/api/v1/organization/").status_code == 401
    assert token_client(keep_raw).get("/api/v1/organization/").status_code == 200
    event = AuditEvent.objects.get(action="api_token.revoke_flagged")
    assert sorted(event.data["token_ids"]) == sorted(t.pk for t, _ in flagged)
    assert "needs a decision" not in owner.get(URL).content.decode()


def test_an_owner_revokes_every_token_in_one_click_and_an_admin_cannot(as_role, tenant_a):
    raws = [
        create_api_token(organization=tenant_a.org, membership=None, name=f"T{i}", role="leader")[1] for i in range(2)
    ]
    assert as_role("admin").post("/o/alpha-corp/api-tokens/revoke/", {"which": "all"}).status_code == 403
    assert all(token_client(raw).get("/api/v1/organization/").status_code == 200 for raw in raws)
    as_role("owner").post("/o/alpha-corp/api-tokens/revoke/", {"which": "all"})
    assert all(token_client(raw).get("/api/v1/organization/").status_code == 401 for raw in raws)
    assert AuditEvent.objects.filter(action="api_token.revoke_all").exists()
