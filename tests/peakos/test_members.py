import re

import pytest
from django.core import mail
from django.urls import reverse

from peakos.models import AuditEvent, Membership, Role, User


def members_url(tenant):
    return reverse("members", args=[tenant.org.slug])


@pytest.mark.django_db
def test_admin_invites_and_the_invitee_joins_with_a_password(
    as_role, client, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role("admin").post(members_url(tenant_a), {"email": "New.Person@example.com", "role": "leader"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert tenant_a.org.name in message.subject
    link = re.search(r"https?://\S+/invite/(\S+)/", message.body)
    assert link
    client.logout()
    accept_url = reverse("accept_invitation", args=[link.group(1)])
    assert "Join" in client.get(accept_url).content.decode()
    response = client.post(
        accept_url, {"name": "New Person", "password1": "Tricky-pass-991", "password2": "Tricky-pass-991"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert Membership.objects.get(user=user, organization=tenant_a.org).role == Role.LEADER
    # Single use: the link now shows a friendly page.
    client.logout()
    assert client.get(accept_url).status_code == 410


@pytest.mark.django_db
def test_invitation_token_is_stored_only_as_a_hash(as_role, tenant_a, django_capture_on_commit_callbacks):
    from peakos.models import MemberInvitation

    with django_capture_on_commit_callbacks(execute=True):
        as_role("admin").post(members_url(tenant_a), {"email": "x@example.com", "role": "member"})
    token = re.search(r"/invite/(\S+)/", mail.outbox[0].body).group(1)
    invitation = MemberInvitation.objects.get(email="x@example.com")
    assert token not in invitation.token_hash and len(invitation.token_hash) == 64


@pytest.mark.django_db
def test_mismatched_passwords_re_render_and_create_nothing(
    as_role, client, tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_role("admin").post(members_url(tenant_a), {"email": "y@example.com", "role": "member"})
    token = re.search(r"/invite/(\S+)/", mail.outbox[0].body).group(1)
    client.logout()
    response = client.post(
        reverse("accept_invitation", args=[token]),
        {"name": "Y", "password1": "Tricky-pass-991", "password2": "other-pass-1234"},
    )
    assert response.status_code == 200
    assert "The two passwords differ" in response.content.decode()
    assert not User.objects.filter(email="y@example.com").exists()


@pytest.mark.django_db
def test_unknown_invitation_token_is_404(client):
    assert client.get(reverse("accept_invitation", args=["nope"])).status_code == 404


@pytest.mark.django_db
def test_admin_cannot_invite_an_owner(as_role, tenant_a):
    response = as_role("admin").post(members_url(tenant_a), {"email": "z@example.com", "role": "owner"})
    assert response.status_code == 200
    assert "above your own" in response.content.decode()


@pytest.mark.django_db
def test_inviting_an_existing_member_is_refused(as_role, tenant_a):
    response = as_role("owner").post(members_url(tenant_a), {"email": tenant_a.users["member"].email, "role": "member"})
    assert "already a member" in response.content.decode()


@pytest.mark.django_db
def test_role_change_is_audited(as_role, tenant_a):
    target = tenant_a.memberships["member"]
    as_role("owner").post(reverse("member_role", args=[tenant_a.org.slug, target.pk]), {"role": "manager"})
    target.refresh_from_db()
    assert target.role == "manager"
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="member.role").exists()


@pytest.mark.django_db
def test_last_owner_cannot_be_demoted_or_removed(as_role, tenant_a):
    owner = tenant_a.memberships["owner"]
    client = as_role("owner")
    response = client.post(reverse("member_role", args=[tenant_a.org.slug, owner.pk]), {"role": "admin"}, follow=True)
    assert "at least one owner" in response.content.decode()
    response = client.post(reverse("member_remove", args=[tenant_a.org.slug, owner.pk]), follow=True)
    assert "at least one owner" in response.content.decode()
    owner.refresh_from_db()
    assert owner.role == "owner"


@pytest.mark.django_db
def test_remove_member(as_role, tenant_a):
    target = tenant_a.memberships["member"]
    as_role("admin").post(reverse("member_remove", args=[tenant_a.org.slug, target.pk]))
    assert not Membership.objects.filter(pk=target.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_members_page_requires_admin(as_role, tenant_a, role):
    assert as_role(role).get(members_url(tenant_a)).status_code == 403
    target = tenant_a.memberships["owner"]
    assert as_role(role).post(reverse("member_remove", args=[tenant_a.org.slug, target.pk])).status_code == 403


@pytest.mark.django_db
def test_membership_of_another_organization_is_404(as_role, tenant_a, tenant_b):
    target = tenant_b.memberships["member"]
    response = as_role("owner").post(reverse("member_role", args=[tenant_a.org.slug, target.pk]), {"role": "admin"})
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.role == "member"
