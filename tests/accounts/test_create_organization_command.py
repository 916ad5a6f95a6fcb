"""`manage.py create_organization`: the operator's way, whatever SIGNUP says."""

import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from peakos.models import AuditEvent, Membership, Organization, Role, User


@pytest.mark.django_db
def test_a_new_owner_gets_a_link_to_choose_a_password(client, settings, capsys, django_capture_on_commit_callbacks):
    settings.SIGNUP = "closed"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_organization", "initech", "--name", "Initech", "--owner", "Bill@Initech.example")
    assert "Created Initech" in capsys.readouterr().out
    org = Organization.objects.get(slug="initech")
    owner = User.objects.get(email="bill@initech.example")
    assert not owner.has_usable_password()
    assert Membership.objects.get(organization=org, user=owner).role == Role.OWNER
    assert AuditEvent.objects.filter(organization=org, action="organization.create", actor=owner).exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bill@initech.example"]
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Staple-horse-77", "new_password2": "Staple-horse-77"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("Staple-horse-77")


@pytest.mark.django_db
def test_an_existing_user_becomes_owner_without_mail(tenant_a, capsys, django_capture_on_commit_callbacks):
    user = tenant_a.users["member"]
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_organization", "second", "--name", "Second", "--owner", user.email)
    assert Membership.objects.get(organization__slug="second", user=user).role == Role.OWNER
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_taken_slug_fails_and_creates_nothing(tenant_a):
    with pytest.raises(CommandError, match="slug"):
        call_command("create_organization", tenant_a.org.slug, "--name", "Dup", "--owner", "new@x.example")
    assert not User.objects.filter(email="new@x.example").exists()
    assert Organization.objects.filter(slug=tenant_a.org.slug).count() == 1
