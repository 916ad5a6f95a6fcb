import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD


@pytest.mark.django_db
def test_login_with_email_and_password(client, tenant_a):
    response = client.post(reverse("login"), {"username": "member@alpha.example", "password": PASSWORD})
    assert response.status_code == 302
    follow = client.get(response["Location"], follow=True)
    assert tenant_a.org.name in follow.content.decode()


@pytest.mark.django_db
def test_wrong_password_shows_an_error(client, tenant_a):
    response = client.post(reverse("login"), {"username": "member@alpha.example", "password": "nope"})
    assert response.status_code == 200
    assert "correct email" in response.content.decode().lower() or "correct e-mail" in response.content.decode().lower()


def test_passwords_are_hashed_with_argon2():
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    from peakos import settings as real_settings

    with override_settings(PASSWORD_HASHERS=real_settings.PASSWORD_HASHERS):
        assert make_password("s3cret-Password").startswith("argon2$")


@pytest.mark.django_db
def test_password_reset_by_email(client, tenant_a):
    client.post(reverse("password_reset"), {"email": "member@alpha.example"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": "Brand-new-pass-77", "new_password2": "Brand-new-pass-77"})
    assert response.status_code == 302
    client.post(reverse("logout"))
    login = client.post(reverse("login"), {"username": "member@alpha.example", "password": "Brand-new-pass-77"})
    assert login.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_logout(client, tenant_a):
    client.force_login(tenant_a.users["member"])
    client.post(reverse("logout"))
    assert client.get(reverse("org_home", args=[tenant_a.org.slug])).status_code == 302


@pytest.mark.django_db
def test_profile_page_updates_name(client, tenant_a):
    user = tenant_a.users["member"]
    client.force_login(user)
    assert tenant_a.org.name in client.get(reverse("profile")).content.decode()
    client.post(reverse("profile"), {"name": "Renamed Member"})
    user.refresh_from_db()
    assert user.name == "Renamed Member"
