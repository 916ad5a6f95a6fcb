"""Two-factor authentication: set-up with a QR code, codes at login, recovery codes, turning it
off, and organizations that require it of owners and admins."""

import re
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from peakos.models import AuditEvent
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _no_otp_backoff(settings):
    """django-otp waits 2^n seconds after n wrong codes; these tests enter a right code straight
    after a wrong one."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset_steps * device.step
    return f"{totp.token():06d}"


def enrol(client, user) -> list[str]:
    page = client.get(reverse("mfa_enrol"))
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post(reverse("mfa_enrol"), {"code": code_for(device)})
    assert done.status_code == 200
    return re.findall(r"<li><code>([a-z0-9]+)</code></li>", done.content.decode())


def password_login(user, ip="10.7.0.1") -> Client:
    client = Client(REMOTE_ADDR=ip)
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.mark.django_db
def test_set_up_shows_a_server_rendered_qr_code_and_a_wrong_code_changes_nothing(client, tenant_a):
    user = tenant_a.users["admin"]
    client.force_login(user)
    page = client.get(reverse("mfa_enrol")).content.decode()
    assert "<svg" in page and "<path" in page  # the QR code is in the page, drawn by the server
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page).group(1)
    assert len(secret.replace(" ", "")) >= 32
    wrong = client.post(reverse("mfa_enrol"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@pytest.mark.django_db
def test_turning_it_on_shows_ten_recovery_codes_once(client, tenant_a):
    user = tenant_a.users["admin"]
    client.force_login(user)
    codes = enrol(client, user)
    assert len(codes) == 10 and len(set(codes)) == 10
    overview = client.get(reverse("mfa")).content.decode()
    assert "<strong>10</strong> unused recovery codes" in overview
    assert not any(code in overview for code in codes)  # shown once, never again


@pytest.mark.django_db
def test_logging_in_asks_for_the_code_before_any_page(tenant_a):
    user = tenant_a.users["admin"]
    setup = Client()
    setup.force_login(user)
    enrol(setup, user)
    device = TOTPDevice.objects.get(user=user)

    client = password_login(user)
    org_home = reverse("org_home", args=[tenant_a.org.slug])
    response = client.get(org_home)
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_verify"))
    assert client.get("/api/v1/teams/", HTTP_X_ORGANIZATION=tenant_a.org.slug).json()["code"] == "mfa_required"

    wrong = client.post(reverse("mfa_verify"), {"code": "123456", "next": org_home})
    assert wrong.status_code == 400
    assert client.get(org_home).status_code == 302

    key_before = client.session.session_key
    right = client.post(reverse("mfa_verify"), {"code": code_for(device, offset_steps=1), "next": org_home})
    assert right.status_code == 302 and right["Location"] == org_home
    assert client.session.session_key != key_before
    assert client.get(org_home).status_code == 200


@pytest.mark.django_db
def test_a_code_from_the_app_works_once(tenant_a):
    user = tenant_a.users["admin"]
    setup = Client()
    setup.force_login(user)
    enrol(setup, user)
    device = TOTPDevice.objects.get(user=user)
    code = code_for(device, offset_steps=1)
    first = password_login(user)
    assert first.post(reverse("mfa_verify"), {"code": code}).status_code == 302
    replay = password_login(user, ip="10.7.0.2")
    assert replay.post(reverse("mfa_verify"), {"code": code}).status_code == 400


@pytest.mark.django_db
def test_a_recovery_code_works_once(tenant_a):
    user = tenant_a.users["owner"]
    setup = Client()
    setup.force_login(user)
    codes = enrol(setup, user)

    client = password_login(user)
    assert client.post(reverse("mfa_verify"), {"code": codes[0].upper()}).status_code == 302
    assert client.get(reverse("org_home", args=[tenant_a.org.slug])).status_code == 200
    assert "<strong>9</strong> unused recovery codes" in client.get(reverse("mfa")).content.decode()

    again = password_login(user, ip="10.7.0.3")
    used = again.post(reverse("mfa_verify"), {"code": codes[0]})
    assert used.status_code == 400
    assert "already used" in used.content.decode()
    assert again.post(reverse("mfa_verify"), {"code": codes[1]}).status_code == 302


@pytest.mark.django_db
def test_new_recovery_codes_replace_the_old_ones(client, tenant_a):
    user = tenant_a.users["admin"]
    client.force_login(user)
    old = enrol(client, user)
    device = TOTPDevice.objects.get(user=user)
    page = client.post(reverse("mfa_recovery_codes"), {"code": code_for(device, offset_steps=1)})
    new = re.findall(r"<li><code>([a-z0-9]+)</code></li>", page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    later = password_login(user)
    assert later.post(reverse("mfa_verify"), {"code": old[0]}).status_code == 400
    assert later.post(reverse("mfa_verify"), {"code": new[0]}).status_code == 302


@pytest.mark.django_db
def test_turning_it_off_needs_a_current_code(client, tenant_a):
    user = tenant_a.users["admin"]
    client.force_login(user)
    codes = enrol(client, user)
    client.post(reverse("mfa_disable"), {"code": "000000"})
    assert TOTPDevice.objects.filter(user=user).exists()
    client.post(reverse("mfa_disable"), {"code": codes[3]})
    assert not TOTPDevice.objects.filter(user=user).exists()
    # Logging in asks for a password only again.
    assert password_login(user).get(reverse("org_home", args=[tenant_a.org.slug])).status_code == 200


@pytest.mark.django_db
def test_an_organization_can_require_it_of_owners_and_admins(tenant_a):
    owner = Client()
    owner.force_login(tenant_a.users["owner"])
    settings_url = reverse("org_settings", args=[tenant_a.org.slug])
    form = owner.get(settings_url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["require_mfa"] = "on"
    assert owner.post(settings_url, data).status_code == 302
    tenant_a.org.refresh_from_db()
    assert tenant_a.org.require_mfa
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="organization.settings").exists()

    org_home = reverse("org_home", args=[tenant_a.org.slug])
    admin = tenant_a.users["admin"]
    client = password_login(admin)
    response = client.get(org_home)
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_enrol"))
    assert client.get(reverse("members", args=[tenant_a.org.slug])).status_code == 302
    assert password_login(tenant_a.users["leader"]).get(org_home).status_code == 200  # not asked of leaders

    enrol(client, admin)
    assert client.get(org_home).status_code == 200


@pytest.mark.django_db
def test_the_account_menu_links_to_two_factor(client, tenant_a):
    client.force_login(tenant_a.users["member"])
    page = client.get(reverse("mfa")).content.decode()
    assert "Set up an authenticator app" in page
    assert f'href="{reverse("mfa")}"' in client.get(reverse("profile")).content.decode()
