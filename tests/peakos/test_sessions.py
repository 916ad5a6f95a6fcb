"""Session rotation: a new session key at login and on one's own role change; a demoted or
removed member's other sessions end."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD


def logged_in_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def can_open(client, tenant, name="members") -> int:
    return client.get(reverse(name, args=[tenant.org.slug])).status_code


@pytest.mark.django_db
def test_logging_in_gives_a_new_session_key(client, tenant_a):
    client.get(reverse("login"))
    session = client.session
    session["before-login"] = True
    session.save()
    before = session.session_key
    response = client.post(reverse("login"), {"username": "member@alpha.example", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != before
    # The key a third party may have planted before login does not carry the login.
    planted = Client()
    planted.cookies["sessionid"] = before
    assert planted.get(reverse("org_home", args=[tenant_a.org.slug])).status_code == 302


@pytest.mark.django_db
def test_a_demoted_admin_is_logged_out_everywhere(tenant_a):
    admin = tenant_a.memberships["admin"]
    laptop, phone = logged_in_client(admin.user), logged_in_client(admin.user)
    assert can_open(laptop, tenant_a) == 200 and can_open(phone, tenant_a) == 200
    owner = logged_in_client(tenant_a.users["owner"])
    owner.post(reverse("member_role", args=[tenant_a.org.slug, admin.pk]), {"role": "member"})
    for device in (laptop, phone):
        response = device.get(reverse("org_home", args=[tenant_a.org.slug]))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert can_open(owner, tenant_a) == 200  # the owner who acted is not affected


@pytest.mark.django_db
def test_demoting_oneself_keeps_this_session_under_a_new_key_and_ends_the_others(tenant_a):
    admin = tenant_a.memberships["admin"]
    here, elsewhere = logged_in_client(admin.user), logged_in_client(admin.user)
    old_key = here.session.session_key
    response = here.post(reverse("member_role", args=[tenant_a.org.slug, admin.pk]), {"role": "leader"})
    assert response.status_code == 302 and response["Location"] == reverse("org_home", args=[tenant_a.org.slug])
    assert here.session.session_key != old_key
    assert can_open(here, tenant_a, "org_home") == 200
    assert can_open(here, tenant_a) == 403  # no longer an admin
    assert elsewhere.get(reverse("org_home", args=[tenant_a.org.slug])).status_code == 302


@pytest.mark.django_db
def test_a_promotion_does_not_log_anyone_out(tenant_a):
    member = tenant_a.memberships["member"]
    device = logged_in_client(member.user)
    logged_in_client(tenant_a.users["owner"]).post(
        reverse("member_role", args=[tenant_a.org.slug, member.pk]), {"role": "admin"}
    )
    assert can_open(device, tenant_a) == 200


@pytest.mark.django_db
def test_a_removed_member_is_logged_out(tenant_a):
    leader = tenant_a.memberships["leader"]
    device = logged_in_client(leader.user)
    logged_in_client(tenant_a.users["admin"]).post(reverse("member_remove", args=[tenant_a.org.slug, leader.pk]))
    assert device.get(reverse("home")).status_code == 302
