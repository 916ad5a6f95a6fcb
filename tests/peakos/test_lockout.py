"""Login lockout (django-axes) and the throttles of password reset and invitation acceptance."""

import threading
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from peakos.memberships import invite_member
from peakos.models import Role
from tests.factories import PASSWORD

EMAIL = "member@alpha.example"


@pytest.fixture
def short_lockout(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(seconds=3)


def attempt(client, email=EMAIL, password="wrong-password", ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_and_the_page_says_when_to_retry(client, tenant_a, short_lockout):
    for _ in range(4):
        assert attempt(client).status_code == 200  # the form again, with its error
    locked = attempt(client)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed logins" in page
    assert "Try again in 1 minute" in page
    assert 1 <= int(locked["Retry-After"]) <= 3

    right = attempt(client, password=PASSWORD)
    assert right.status_code == 429
    assert not logged_in(client)


@pytest.mark.django_db
def test_the_right_password_works_again_once_the_lockout_ends(client, tenant_a, short_lockout):
    for _ in range(5):
        attempt(client)
    assert attempt(client, password=PASSWORD).status_code == 429
    time.sleep(3.2)
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_the_account_is_locked_from_every_address(client, tenant_a, short_lockout):
    for i in range(5):
        attempt(client, ip=f"10.0.1.{i}")  # a botnet: one guess per address
    response = attempt(Client(), password=PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429


@pytest.mark.django_db
def test_one_address_guessing_many_accounts_is_locked(client, tenant_a, short_lockout):
    for role in ["owner", "admin", "leader", "manager", "member"]:
        attempt(client, email=f"{role}@alpha.example")
    response = attempt(client, email="member@alpha.example", password=PASSWORD)
    assert response.status_code == 429
    # Another address is not affected by that address's failures (the member has only one).
    other = Client()
    assert attempt(other, email="leader@alpha.example", password=PASSWORD, ip="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_spoofed_forwarded_for_does_not_escape_the_address_limit(client, tenant_a, short_lockout):
    for i, role in enumerate(["owner", "admin", "leader", "manager", "member"]):
        client.post(
            reverse("login"),
            {"username": f"{role}@alpha.example", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        )
    assert attempt(client, email="member@alpha.example", password=PASSWORD).status_code == 429


@pytest.mark.django_db
def test_the_email_is_one_account_whatever_its_case(client, tenant_a, short_lockout):
    for i in range(5):
        attempt(client, email="MEMBER@alpha.example" if i % 2 else "member@alpha.example", ip=f"10.0.2.{i}")
    assert attempt(Client(), password=PASSWORD, ip="10.0.3.1").status_code == 429


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_wrong_passwords_are_all_counted_and_lock_the_account(settings, tenant_a):
    """With a limit of 20, a single lost update among 20 simultaneous failures would leave the
    account open: the right password straight after must be refused."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so there is no real race to test")
    settings.AXES_FAILURE_LIMIT = 20
    settings.AXES_COOLOFF_TIME = timedelta(seconds=4)
    barrier = threading.Barrier(20)
    statuses: list[int] = []

    def guess(i: int):
        try:
            barrier.wait()
            statuses.append(attempt(Client(), ip=f"10.1.0.{i}").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert len(statuses) == 20
    assert AccessAttempt.objects.filter(username=EMAIL).aggregate(n=Sum("failures_since_start"))["n"] == 20
    client = Client()
    assert attempt(client, password=PASSWORD, ip="10.2.0.1").status_code == 429
    assert not logged_in(client)
    time.sleep(4.2)
    assert attempt(client, password=PASSWORD, ip="10.2.0.1").status_code == 302
    assert logged_in(client)


@pytest.mark.django_db
def test_password_reset_is_throttled_per_email(client, tenant_a, settings):
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "3/h"
    for i in range(3):
        response = client.post(reverse("password_reset"), {"email": EMAIL}, REMOTE_ADDR=f"10.3.0.{i}")
        assert response.status_code == 302
    response = client.post(reverse("password_reset"), {"email": EMAIL}, REMOTE_ADDR="10.3.0.9")
    assert response.status_code == 429
    assert "Try again in" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    assert len(mail.outbox) == 3  # the refused request sent nothing
    # Another person's reset from that address still works.
    assert client.post(reverse("password_reset"), {"email": "leader@alpha.example"}).status_code == 302


@pytest.mark.django_db
def test_password_reset_is_throttled_per_address(client, tenant_a, settings):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "4/h"
    for i in range(4):
        assert client.post(reverse("password_reset"), {"email": f"nobody{i}@example.com"}).status_code == 302
    assert client.post(reverse("password_reset"), {"email": EMAIL}).status_code == 429
    assert client.post(reverse("password_reset"), {"email": EMAIL}, REMOTE_ADDR="10.4.0.1").status_code == 302
    assert client.get(reverse("password_reset")).status_code == 200  # reading the form is not counted


@pytest.mark.django_db
def test_invitation_acceptance_is_throttled_per_invitation(client, tenant_a, settings):
    settings.INVITATION_RATE_PER_INVITATION = "3/h"
    _, raw = invite_member(membership=tenant_a.memberships["owner"], email="new@alpha.example", role=Role.MEMBER)
    url = reverse("accept_invitation", args=[raw])
    bad = {"name": "New", "password1": "x", "password2": "y"}
    for i in range(3):
        assert client.post(url, bad, REMOTE_ADDR=f"10.5.0.{i}").status_code == 200  # the form with its errors
    refused = client.post(url, {"name": "New", "password1": PASSWORD, "password2": PASSWORD}, REMOTE_ADDR="10.5.0.9")
    assert refused.status_code == 429
    from peakos.models import User

    assert not User.objects.filter(email="new@alpha.example").exists()
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_invitation_acceptance_is_throttled_per_address(client, tenant_a, settings):
    settings.INVITATION_RATE_PER_ADDRESS = "2/h"
    for i in range(2):
        client.post(reverse("accept_invitation", args=[f"guess-{i}"]), {})
    assert client.post(reverse("accept_invitation", args=["guess-9"]), {}).status_code == 429
