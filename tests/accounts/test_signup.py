"""The public "Create your organization" flow: signup, e-mail verification, resend, SIGNUP=closed."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Signup
from peakos.models import AuditEvent, Membership, Organization, Role, User

FORM = {
    "organization_name": "Acme Robotics",
    "slug": "acme",
    "name": "Ada Founder",
    "email": "Ada@Acme.example",
    "password": "Tricky-pass-991",
}


def sign_up(client, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("signup"), {**FORM, **changes})


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/signup/verify/\S+/)", message.body).group(1)


@pytest.mark.django_db
def test_stranger_signs_up_confirms_and_owns_the_organization(client, django_capture_on_commit_callbacks):
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response.url == reverse("signup_sent")
    assert "ada@acme.example" in client.get(response.url).content.decode()
    # Nothing usable before the e-mail is confirmed.
    assert not Organization.objects.filter(slug="acme").exists()
    assert not User.objects.filter(email="ada@acme.example").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@acme.example"]
    link = link_in(mail.outbox[0])

    page = client.get(link)  # opening it (a mail scanner does) creates nothing
    assert page.status_code == 200 and "Confirm and create Acme Robotics" in page.content.decode()
    assert not Organization.objects.filter(slug="acme").exists()

    response = client.post(link)
    org = Organization.objects.get(slug="acme")
    assert response.status_code == 302 and response.url == reverse("org_home", args=["acme"])
    user = User.objects.get(email="ada@acme.example")
    assert user.name == "Ada Founder" and user.check_password("Tricky-pass-991")
    assert Membership.objects.get(organization=org, user=user).role == Role.OWNER
    actions = set(AuditEvent.objects.filter(organization=org).values_list("action", flat=True))
    assert {"organization.create", "organization.signup"} <= actions
    assert client.get(response.url).status_code == 200  # logged in as the owner

    client.logout()
    used = client.get(link)
    assert used.status_code == 410 and "Already confirmed" in used.content.decode()
    assert client.post(link).status_code == 410
    assert Organization.objects.filter(slug="acme").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field_text"),
    [
        ({"slug": "Not A Slug!"}, "slug"),
        ({"password": "password"}, "too common"),
        ({"email": "not-an-address"}, "valid email"),
        ({"organization_name": ""}, "required"),
    ],
)
def test_bad_input_re_renders_with_the_error_and_stores_nothing(
    client, django_capture_on_commit_callbacks, changes, field_text
):
    response = sign_up(client, django_capture_on_commit_callbacks, **changes)
    assert response.status_code == 200
    assert field_text in response.content.decode().lower()
    assert 'value="Ada Founder"' in response.content.decode()  # what was typed stays
    assert Signup.objects.count() == 0 and len(mail.outbox) == 0


@pytest.mark.django_db
def test_a_taken_address_is_refused_on_the_form(client, tenant_a, django_capture_on_commit_callbacks):
    response = sign_up(client, django_capture_on_commit_callbacks, slug=tenant_a.org.slug)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Signup.objects.count() == 0 and len(mail.outbox) == 0


@pytest.mark.django_db
def test_an_existing_account_is_told_by_mail_not_on_the_page(client, tenant_a, django_capture_on_commit_callbacks):
    response = sign_up(client, django_capture_on_commit_callbacks, email=tenant_a.users["member"].email)
    assert response.status_code == 302 and response.url == reverse("signup_sent")  # same page as anyone
    assert Signup.objects.count() == 0
    assert len(mail.outbox) == 1 and "already have" in mail.outbox[0].subject
    assert "/signup/verify/" not in mail.outbox[0].body
    assert tenant_a.users["member"].check_password("Tricky-pass-991") is False


@pytest.mark.django_db
def test_expired_and_tampered_links_create_nothing(client, settings, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    tampered = client.get(link[:-3] + "xx/")
    assert tampered.status_code == 404 and "cannot be used" in tampered.content.decode()
    settings.SIGNUP_VERIFY_MAX_AGE = -1
    expired = client.post(link)
    assert expired.status_code == 410 and "expired" in expired.content.decode()
    assert not Organization.objects.filter(slug="acme").exists()


@pytest.mark.django_db
def test_an_address_taken_before_confirming_says_so(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    Organization.objects.create(name="Someone Else", slug="acme")
    response = client.post(link)
    assert response.status_code == 200 and "taken in the meantime" in response.content.decode()
    assert not User.objects.filter(email="ada@acme.example").exists()


@pytest.mark.django_db
def test_resend_sends_a_fresh_link_at_most_once_a_minute(client, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    Signup.objects.update(last_sent_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("signup_resend"), {"email": "ada@acme.example"}, follow=True)
    assert "a new link is on its way" in first.content.decode()
    assert len(mail.outbox) == 2 and client.get(link_in(mail.outbox[1])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signup_resend"), {"email": "ada@acme.example"})
        unknown = client.post(reverse("signup_resend"), {"email": "nobody@x.example"}, follow=True)
    assert len(mail.outbox) == 2
    assert "a new link is on its way" in unknown.content.decode()  # the same answer for a stranger


@pytest.mark.django_db
def test_a_logged_in_user_creates_another_organization_directly(client, tenant_a):
    client.force_login(tenant_a.users["member"])
    page = client.get(reverse("signup")).content.decode()
    assert 'name="password"' not in page and tenant_a.users["member"].email in page
    response = client.post(reverse("signup"), {"organization_name": "Side Project", "slug": "side"})
    assert response.status_code == 302
    org = Organization.objects.get(slug="side")
    assert Membership.objects.get(organization=org, user=tenant_a.users["member"]).role == Role.OWNER
    assert AuditEvent.objects.filter(organization=org, action="organization.create").exists()


@pytest.mark.django_db
def test_closed_signup_says_only_operators_create_organizations(client, settings, django_capture_on_commit_callbacks):
    sign_up(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0])
    settings.SIGNUP = "closed"
    page = client.get(reverse("signup"))
    assert page.status_code == 403 and "only its operators create organizations" in page.content.decode()
    assert sign_up(client, django_capture_on_commit_callbacks, slug="other").status_code == 403
    assert client.post(link).status_code == 403
    assert Signup.objects.count() == 1 and not Organization.objects.exists()
    assert "Create your organization" not in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_login_page_offers_signup_when_open(client):
    assert reverse("signup") in client.get(reverse("login")).content.decode()


@pytest.mark.django_db
def test_signups_are_throttled_per_address_and_per_email(client, settings, django_capture_on_commit_callbacks):
    settings.SIGNUP_RATE_PER_ADDRESS, settings.SIGNUP_RATE_PER_EMAIL = "3/h", "2/h"
    for i in range(2):
        assert sign_up(client, django_capture_on_commit_callbacks, slug=f"acme{i}").status_code == 302
    same_email = sign_up(client, django_capture_on_commit_callbacks, slug="acme9")
    assert same_email.status_code == 429
    other_email = sign_up(client, django_capture_on_commit_callbacks, slug="acme8", email="bo@acme.example")
    assert other_email.status_code == 429  # the address's third POST (the refused one counted too)
    assert Signup.objects.count() == 2 and len(mail.outbox) == 2
    assert client.get(reverse("signup")).status_code == 200  # only POSTs are counted
