"""People ↔ logins: joining links the person with the same e-mail; the person page shows and
changes the link; the people list invites selected people (team leads and managers suggested)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from peakos import permissions
from peakos.models import AuditEvent, Layer, MemberInvitation, Membership, Role
from tests.factories import PersonFactory, UserFactory


def accept_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/invite/\S+/)", message.body).group(1)


@pytest.mark.django_db
def test_accepting_an_invitation_links_the_person_with_that_email(
    client, as_role, tenant_a, django_capture_on_commit_callbacks
):
    lead = PersonFactory(organization=tenant_a.org, email="lena@alpha.example", team=tenant_a.subteam)
    tenant_a.subteam.lead = lead
    tenant_a.subteam.save()
    with django_capture_on_commit_callbacks(execute=True):
        as_role("admin").post(
            reverse("members", args=[tenant_a.org.slug]), {"email": "Lena@Alpha.example", "role": "manager"}
        )
    client.logout()
    client.post(
        accept_link(mail.outbox[0]), {"name": "Lena", "password1": "Tricky-pass-991", "password2": "Tricky-pass-991"}
    )
    lead.refresh_from_db()
    assert lead.user is not None and lead.user.email == "lena@alpha.example"
    membership = Membership.objects.get(organization=tenant_a.org, user=lead.user)
    assert permissions.own_team_ids(membership) == {tenant_a.subteam.pk}
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="person.login", object_id=str(lead.pk)).exists()


@pytest.mark.django_db
def test_joining_never_moves_a_person_already_linked_elsewhere(tenant_a, django_capture_on_commit_callbacks):
    from peakos import memberships

    other = UserFactory(email="someone@else.example")
    person = PersonFactory(organization=tenant_a.org, email="twin@alpha.example", user=other)
    invitation, _ = memberships.invite_member(
        membership=tenant_a.memberships["admin"], email=person.email, role="member"
    )
    memberships.accept_invitation(invitation=invitation, name="Twin", password="Tricky-pass-991")
    person.refresh_from_db()
    assert person.user == other


@pytest.mark.django_db
def test_person_page_shows_and_changes_the_login(as_role, tenant_a):
    person = tenant_a.people[1]
    client = as_role("admin")
    url = reverse("manage_person", args=[tenant_a.org.slug, person.pk])
    assert "No login is linked" in client.get(url).content.decode()
    leader = tenant_a.users["leader"]
    response = client.post(reverse("manage_person_login", args=[tenant_a.org.slug, person.pk]), {"user": leader.pk})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.user == leader
    assert f"Logs in as <strong>{leader.email}</strong>" in client.get(url).content.decode()
    event = AuditEvent.objects.filter(organization=tenant_a.org, action="person.login").first()
    assert f"none → {leader.email}" in event.summary and event.actor == tenant_a.users["admin"]
    client.post(reverse("manage_person_login", args=[tenant_a.org.slug, person.pk]), {"user": ""})
    person.refresh_from_db()
    assert person.user is None


@pytest.mark.django_db
def test_person_login_refuses_a_non_member_and_a_login_linked_to_someone_else(as_role, tenant_a, tenant_b):
    person = tenant_a.people[1]
    client = as_role("admin")
    url = reverse("manage_person_login", args=[tenant_a.org.slug, person.pk])
    page = client.post(url, {"user": tenant_b.users["owner"].pk}, follow=True)
    assert "Choose a member of this organization." in page.content.decode()
    manager = tenant_a.users["manager"]  # already linked to the manager person
    page = client.post(url, {"user": manager.pk}, follow=True)
    assert "already linked to" in page.content.decode()
    person.refresh_from_db()
    assert person.user is None


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_only_admins_change_a_persons_login(as_role, tenant_a, role):
    person = tenant_a.people[1]
    response = as_role(role).post(
        reverse("manage_person_login", args=[tenant_a.org.slug, person.pk]), {"user": tenant_a.users[role].pk}
    )
    assert response.status_code in (403, 404)
    person.refresh_from_db()
    assert person.user is None


@pytest.mark.django_db
def test_people_list_suggests_leads_and_managers_without_a_login(as_role, tenant_a):
    lead = PersonFactory(
        organization=tenant_a.org, name="Zed Lead", email="zed@alpha.example", team=tenant_a.other_team
    )
    tenant_a.other_team.lead = lead
    tenant_a.other_team.save()
    boss = PersonFactory(organization=tenant_a.org, name="Bea Boss", email="bea@alpha.example", layer=Layer.MANAGER)
    PersonFactory(organization=tenant_a.org, name="Rita Report", email="rita@alpha.example", manager=boss)
    page = as_role("admin").get(reverse("manage_people", args=[tenant_a.org.slug])).content.decode()
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr>.*?>([A-Z][a-z]+ [A-Za-z ]+?)</a>.*?</tr>", page, re.S)}
    assert "invite suggested" in rows["Zed Lead"] and "invite suggested" in rows["Bea Boss"]
    assert "invite suggested" not in rows["Rita Report"]
    assert "can log in" in rows["Alpha Manager Person"]


@pytest.mark.django_db
def test_bulk_invite_sends_invitations_with_the_chosen_role(as_role, tenant_a, django_capture_on_commit_callbacks):
    a = PersonFactory(organization=tenant_a.org, name="Ann New", email="ann@alpha.example")
    b = PersonFactory(organization=tenant_a.org, name="Ben New", email="ben@alpha.example")
    linked = tenant_a.people[0]  # the manager person: has a login already
    with django_capture_on_commit_callbacks(execute=True):
        page = as_role("admin").post(
            reverse("manage_people_bulk", args=[tenant_a.org.slug]),
            {"people": [a.pk, b.pk, linked.pk], "action": "invite", "role": "manager"},
            follow=True,
        )
    text = page.content.decode()
    assert "Invitation sent to 2: Ann New, Ben New" in text and "already has a login" in text
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@alpha.example", "ben@alpha.example"]
    assert set(MemberInvitation.objects.filter(organization=tenant_a.org).values_list("role", flat=True)) == {"manager"}
    with django_capture_on_commit_callbacks(execute=True):
        again = as_role("admin").post(
            reverse("manage_people_bulk", args=[tenant_a.org.slug]),
            {"people": [a.pk], "action": "invite", "role": "manager"},
            follow=True,
        )
    assert "already invited" in again.content.decode() and len(mail.outbox) == 2


@pytest.mark.django_db
def test_bulk_invite_refuses_people_of_another_organization(as_role, tenant_a, tenant_b):
    page = as_role("admin").post(
        reverse("manage_people_bulk", args=[tenant_a.org.slug]),
        {"people": [tenant_b.people[1].pk], "action": "invite", "role": "member"},
        follow=True,
    )
    assert "Select people of this organization." in page.content.decode()
    assert not MemberInvitation.objects.exists()


@pytest.mark.django_db
def test_bulk_invite_cannot_grant_owner(as_role, tenant_a):
    person = tenant_a.people[1]
    as_role("admin").post(
        reverse("manage_people_bulk", args=[tenant_a.org.slug]),
        {"people": [person.pk], "action": "invite", "role": Role.OWNER},
    )
    assert not MemberInvitation.objects.exists()
