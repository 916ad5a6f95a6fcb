"""SCIM 2.0 Groups at /scim/v2/Groups: teams provisioned the way Okta and Azure AD do it,
membership moves people between teams, DELETE archives (409 while child teams are active),
all-or-nothing requests, and two organizations' tokens isolated from each other's teams."""

import pytest

from identity import groups
from peakos.models import AuditEvent, Person, Team
from tests.identity.scim_helpers import scim_call, scim_token

pytestmark = pytest.mark.django_db

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


_token = scim_token
_call = scim_call


def _members(response) -> set[int]:
    return {int(m["value"]) for m in response.json()["members"]}


def test_okta_group_push_creates_finds_renames_and_moves_people(client, tenant_a):
    raw = _token(tenant_a)
    search = "Groups?filter=displayName%20eq%20%22Platform%22&startIndex=1&count=100"
    assert _call(client, "get", search, raw).json()["totalResults"] == 0
    jane, joe = tenant_a.people[1], tenant_a.people[2]
    created = _call(
        client,
        "post",
        "Groups",
        raw,
        {"schemas": [GROUP], "displayName": "Platform", "members": [{"value": str(jane.pk)}]},
    )
    assert created.status_code == 201, created.content
    group = created.json()
    team = Team.objects.get(organization=tenant_a.org, name="Platform")
    assert group["id"] == str(team.pk) and group["displayName"] == "Platform"
    assert team.parent == tenant_a.leadership  # the organization's one root team
    jane.refresh_from_db()
    assert jane.team == team and _members(created) == {jane.pk}
    found = _call(client, "get", search, raw).json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == group["id"]
    assert _call(client, "post", "Groups", raw, {"displayName": "platform"}).json()["scimType"] == "uniqueness"

    patch = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "replace", "value": {"id": group["id"], "displayName": "Platform Engineering"}},
            {"op": "add", "path": "members", "value": [{"value": str(joe.pk), "display": joe.email}]},
            {"op": "remove", "path": f'members[value eq "{jane.pk}"]'},
        ],
    }
    patched = _call(client, "patch", f"Groups/{group['id']}", raw, patch)
    assert patched.status_code == 200, patched.content
    assert patched.json()["displayName"] == "Platform Engineering" and _members(patched) == {joe.pk}
    jane.refresh_from_db()
    joe.refresh_from_db()
    assert joe.team == team and jane.team is None and Person.objects.filter(pk=jane.pk, active=True).exists()

    put = _call(
        client,
        "put",
        f"Groups/{group['id']}",
        raw,
        {"schemas": [GROUP], "displayName": "Platform", "members": [{"value": str(jane.pk)}]},
    )
    assert put.status_code == 200 and _members(put) == {jane.pk}
    joe.refresh_from_db()
    assert joe.team is None
    actions = set(
        AuditEvent.objects.filter(organization=tenant_a.org, summary__contains="SCIM token Okta").values_list(
            "action", flat=True
        )
    )
    assert {"scim.group.create", "scim.group.update", "scim.group.members"} <= actions


def test_azure_ad_capitalised_operations_and_a_given_parent(client, tenant_a):
    raw = _token(tenant_a)
    body = {
        "schemas": [GROUP],
        "displayName": "Data",
        groups.PEAKOS_GROUP: {"parent": {"value": str(tenant_a.department.pk)}},
    }
    group = _call(client, "post", "Groups", raw, body).json()
    team = Team.objects.get(pk=group["id"])
    assert team.parent == tenant_a.department and group[groups.PEAKOS_GROUP]["parent"]["value"] == str(team.parent_id)
    ann, bob = tenant_a.people[3], tenant_a.people[4]
    ops = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "Add", "path": "members", "value": [{"value": str(ann.pk)}, {"value": str(bob.pk)}]},
            {"op": "Replace", "path": "displayName", "value": "Data & AI"},
        ],
    }
    response = _call(client, "patch", f"Groups/{group['id']}", raw, ops)
    assert response.status_code == 200 and _members(response) == {ann.pk, bob.pk}
    remove = {"Operations": [{"op": "Remove", "path": "members", "value": [{"value": str(bob.pk)}]}]}
    response = _call(client, "patch", f"Groups/{group['id']}", raw, remove)
    assert _members(response) == {ann.pk} and response.json()["displayName"] == "Data & AI"


def test_delete_archives_the_team_and_keeps_its_people(client, tenant_a):
    raw = _token(tenant_a)
    subteam, person = tenant_a.subteam, tenant_a.people[4]
    assert person.team == subteam
    assert _call(client, "delete", f"Groups/{subteam.pk}", raw).status_code == 204
    subteam.refresh_from_db()
    person.refresh_from_db()
    assert subteam.archived and person.team == subteam and person.active
    assert _call(client, "get", f"Groups/{subteam.pk}", raw).status_code == 404
    listing = _call(client, "get", "Groups", raw).json()
    assert str(subteam.pk) not in {g["id"] for g in listing["Resources"]}
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="scim.group.archive").exists()


def test_delete_of_a_team_with_active_children_is_a_409_that_changes_nothing(client, tenant_a):
    raw = _token(tenant_a)
    response = _call(client, "delete", f"Groups/{tenant_a.department.pk}", raw)
    assert response.status_code == 409, response.content
    error = response.json()
    assert error["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] and error["status"] == "409"
    assert "child teams" in error["detail"]
    tenant_a.department.refresh_from_db()
    assert not tenant_a.department.archived


def test_a_bad_request_changes_nothing(client, tenant_a, tenant_b):
    raw = _token(tenant_a)
    team = tenant_a.team
    before_people = list(Person.objects.filter(organization=tenant_a.org).values_list("id", "team_id"))
    before_teams = list(
        Team.objects.filter(organization=tenant_a.org).values_list("id", "name", "parent_id", "archived")
    )
    stranger = tenant_b.people[1]
    for method, path, body in (
        ("post", "Groups", {"displayName": ""}),
        ("post", "Groups", {"displayName": "New", "members": [{"value": str(stranger.pk)}]}),
        ("post", "Groups", {"displayName": "New", groups.PEAKOS_GROUP: {"parent": {"value": str(tenant_b.team.pk)}}}),
        (
            "patch",
            f"Groups/{team.pk}",
            {
                "Operations": [
                    {"op": "replace", "path": "displayName", "value": "Renamed"},
                    {"op": "add", "path": "members", "value": [{"value": str(tenant_a.people[5].pk)}]},
                    {"op": "add", "path": "members", "value": [{"value": "999999"}]},
                ]
            },
        ),
        (
            "patch",
            f"Groups/{team.pk}",
            {
                "Operations": [
                    {
                        "op": "replace",
                        "path": groups.PEAKOS_GROUP + ":parent",
                        "value": {"value": str(tenant_a.subteam.pk)},
                    }
                ]
            },
        ),
        ("patch", f"Groups/{team.pk}", {"Operations": [{"op": "replace", "path": "owner", "value": "x"}]}),
        ("put", f"Groups/{team.pk}", {"displayName": "Renamed", "members": [{"value": "abc"}]}),
    ):
        response = _call(client, method, path, raw, body)
        assert response.status_code == 400, (path, body, response.content)
        assert response.json()["status"] == "400" and response.json()["detail"]
    assert list(Person.objects.filter(organization=tenant_a.org).values_list("id", "team_id")) == before_people
    after_teams = list(
        Team.objects.filter(organization=tenant_a.org).values_list("id", "name", "parent_id", "archived")
    )
    assert after_teams == before_teams
    assert _call(client, "get", 'Groups?filter=members eq "1"', raw).json()["scimType"] == "invalidFilter"


def test_one_organizations_token_never_reaches_anothers_teams(client, tenant_a, tenant_b):
    raw_a, raw_b = _token(tenant_a), _token(tenant_b)
    theirs = tenant_b.team
    for raw, mine, other in ((raw_a, tenant_a, tenant_b), (raw_b, tenant_b, tenant_a)):
        listing = _call(client, "get", "Groups?count=200", raw).json()
        names = {g["displayName"] for g in listing["Resources"]}
        assert mine.team.name in names and not names & set(other.org.teams.values_list("name", flat=True))
        assert listing["totalResults"] == mine.org.teams.count()
        filtered = _call(client, "get", f'Groups?filter=displayName eq "{other.team.name}"', raw).json()
        assert filtered["totalResults"] == 0
    for method, body in (
        ("get", None),
        ("put", {"displayName": "Hijacked"}),
        ("patch", {"Operations": [{"op": "replace", "path": "displayName", "value": "Hijacked"}]}),
        ("delete", None),
    ):
        response = _call(client, method, f"Groups/{theirs.pk}", raw_a, body)
        assert response.status_code == 404, method
        assert response.json()["status"] == "404"
    theirs.refresh_from_db()
    assert theirs.name == "Bravo Team" and not theirs.archived
    mine = tenant_a.team
    response = _call(
        client,
        "patch",
        f"Groups/{mine.pk}",
        raw_a,
        {"Operations": [{"op": "add", "path": "members", "value": [{"value": str(tenant_b.people[1].pk)}]}]},
    )
    assert response.status_code == 400
    assert Person.objects.get(pk=tenant_b.people[1].pk).team == tenant_b.leadership
    assert _call(client, "get", f"Groups/{theirs.pk}", raw_b).status_code == 200
    assert client.get("/scim/v2/Groups").status_code == 401
