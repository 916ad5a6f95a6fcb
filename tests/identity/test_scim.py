"""SCIM 2.0 at /scim/v2/: the provisioning sequences Okta and Azure AD run, all-or-nothing
requests, SCIM error bodies, and isolation between two organizations' tokens."""

import pytest
from django.urls import reverse

from identity import provisioning
from identity.models import ScimToken
from peakos.models import AuditEvent, Membership, Person
from tests.identity.scim_helpers import SCIM, scim_call, scim_token

pytestmark = pytest.mark.django_db

ENTERPRISE = provisioning.ENTERPRISE


_token = scim_token
_call = scim_call


def _jane(**extra):
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "userName": "Jane.Doe@alpha.example",
        "name": {"givenName": "Jane", "familyName": "Doe"},
        "emails": [{"primary": True, "value": "jane.doe@alpha.example", "type": "work"}],
        "active": True,
        ENTERPRISE: {"department": "Alpha Team"},
        **extra,
    }


def test_the_okta_sequence_creates_finds_patches_and_deactivates(client, tenant_a):
    raw = _token(tenant_a)
    search = "Users?filter=userName%20eq%20%22jane.doe%40alpha.example%22&startIndex=1&count=100"
    found = _call(client, "get", search, raw).json()
    assert found["totalResults"] == 0 and found["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]

    created = _call(client, "post", "Users", raw, _jane())
    assert created.status_code == 201, created.content
    user = created.json()
    assert user["userName"] == "jane.doe@alpha.example" and user["active"] is True
    assert user[ENTERPRISE]["department"] == "Alpha Team"
    person = Person.objects.get(organization=tenant_a.org, email="jane.doe@alpha.example")
    assert person.name == "Jane Doe" and person.team == tenant_a.team

    found = _call(client, "get", search, raw).json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == user["id"]
    assert _call(client, "post", "Users", raw, _jane()).json()["scimType"] == "uniqueness"

    manager = tenant_a.people[0]
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "replace", "value": {"name.formatted": "Jane Q. Doe"}},
            {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": {"value": str(manager.pk)}},
        ],
    }
    patched = _call(client, "patch", f"Users/{user['id']}", raw, patch)
    assert patched.status_code == 200, patched.content
    person.refresh_from_db()
    assert person.name == "Jane Q. Doe" and person.manager == manager and person.team == tenant_a.team

    off = {"schemas": [patch["schemas"][0]], "Operations": [{"op": "replace", "value": {"active": False}}]}
    assert _call(client, "patch", f"Users/{user['id']}", raw, off).json()["active"] is False
    person.refresh_from_db()
    assert not person.active
    assert AuditEvent.objects.filter(
        organization=tenant_a.org, action="scim.user.deactivate", summary__contains="Okta"
    ).exists()


def test_azure_ad_string_booleans_and_put_replace(client, tenant_a):
    raw = _token(tenant_a)
    user = _call(client, "post", "Users", raw, _jane()).json()
    off = {"Operations": [{"op": "Replace", "path": "active", "value": "False"}]}
    assert _call(client, "patch", f"Users/{user['id']}", raw, off).json()["active"] is False
    replaced = _call(client, "put", f"Users/{user['id']}", raw, _jane(active=True, name={"formatted": "Jane Roe"}))
    assert replaced.status_code == 200
    person = Person.objects.get(pk=user["id"])
    assert person.active and person.name == "Jane Roe"


def test_deactivation_removes_the_login_from_this_organization_only(client, tenant_a, tenant_b):
    raw = _token(tenant_a)
    person = tenant_a.people[0]  # linked to A's manager login
    user = person.user
    Membership.objects.create(organization=tenant_b.org, user=user, role="member")
    response = _call(client, "delete", f"Users/{person.pk}", raw)
    assert response.status_code == 204
    person.refresh_from_db()
    assert not person.active and Person.objects.filter(pk=person.pk).exists()
    assert not Membership.objects.filter(organization=tenant_a.org, user=user).exists()
    assert Membership.objects.filter(organization=tenant_b.org, user=user).exists()
    user.refresh_from_db()
    assert user.is_active


def test_a_bad_request_changes_nothing_and_answers_a_scim_error(client, tenant_a):
    raw = _token(tenant_a)
    before = list(Person.objects.filter(organization=tenant_a.org).values_list("id", "email", "name", "team_id"))
    for body in (
        _jane(userName="not-an-email", emails=[]),
        _jane(**{ENTERPRISE: {"department": "Brand New Team", "manager": {"value": "999999"}}}),
        _jane(active="sometimes"),
    ):
        response = _call(client, "post", "Users", raw, body)
        assert response.status_code == 400, response.content
        error = response.json()
        assert error["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] and error["status"] == "400"
        assert error["detail"]
    response = _call(client, "put", f"Users/{tenant_a.people[1].pk}", raw, _jane(userName="bad@@x", emails=[]))
    assert response.status_code == 400
    after = list(Person.objects.filter(organization=tenant_a.org).values_list("id", "email", "name", "team_id"))
    assert after == before
    assert not tenant_a.org.teams.filter(name="Brand New Team").exists()
    assert (
        client.post("/scim/v2/Users", data="{not json", content_type=SCIM, HTTP_AUTHORIZATION=f"Bearer {raw}").json()[
            "scimType"
        ]
        == "invalidSyntax"
    )


def test_one_organizations_token_never_reaches_anothers_people(client, tenant_a, tenant_b):
    raw_a, raw_b = _token(tenant_a), _token(tenant_b)
    theirs = tenant_b.people[1]
    listing = _call(client, "get", "Users?count=200", raw_a).content.decode()
    assert theirs.email not in listing and tenant_b.org.name not in listing
    filtered = _call(client, "get", f'Users?filter=userName eq "{theirs.email}"', raw_a).json()
    assert filtered["totalResults"] == 0
    for method, body in (
        ("get", None),
        ("put", _jane()),
        ("patch", {"Operations": [{"op": "replace", "value": {"active": False}}]}),
        ("delete", None),
    ):
        response = _call(client, method, f"Users/{theirs.pk}", raw_a, body)
        assert response.status_code == 404, method
        assert response.json()["status"] == "404"
    theirs.refresh_from_db()
    assert theirs.active and theirs.email.startswith("p0@")
    assert _call(client, "get", f"Users/{theirs.pk}", raw_b).status_code == 200


def test_missing_wrong_or_revoked_tokens_get_401(client, tenant_a):
    token, raw = provisioning.create_scim_token(membership=tenant_a.memberships["owner"], name="Azure AD")
    assert client.get("/scim/v2/Users").status_code == 401
    assert _call(client, "get", "Users", "scim_wrong").json()["status"] == "401"
    assert _call(client, "get", "Users", raw).status_code == 200
    provisioning.revoke_scim_token(membership=tenant_a.memberships["owner"], token=token)
    response = _call(client, "get", "Users", raw)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")
    assert _call(client, "get", "ServiceProviderConfig", raw).status_code == 401


def test_the_owner_creates_a_token_shown_once_and_revokes_it(client, tenant_a):
    url = reverse("sso_settings", args=[tenant_a.org.slug])
    client.force_login(tenant_a.users["owner"])
    page = client.post(url, {"action": "scim_create", "scim_name": "Okta"}).content.decode()
    token = ScimToken.objects.get(organization=tenant_a.org)
    raw = page.split('id="new-scim-token">')[1].split("<")[0]
    assert raw.startswith("scim_") and token.token_hash != raw and raw not in client.get(url).content.decode()
    assert _call(client, "get", "Users", raw).status_code == 200
    client.post(url, {"action": "scim_revoke", "token_id": token.pk})
    assert _call(client, "get", "Users", raw).status_code == 401
    client.force_login(tenant_a.users["admin"])
    assert client.post(url, {"action": "scim_create", "scim_name": "x"}).status_code == 403
