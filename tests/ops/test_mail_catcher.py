"""The local mail catcher (/dev/mail/): e-mails written by the file backend, listed with their
survey links clickable; development only, for staff or this machine."""

import re

import pytest
from django.core import mail
from django.core.mail import get_connection

from surveys.models import Invitation
from tests.surveys.factories import make_survey, open_now


@pytest.fixture
def file_mail(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.DEBUG = True
    return tmp_path / "mail"


def test_invitations_are_listed_with_their_survey_links(
    client, tenant_a, file_mail, django_capture_on_commit_callbacks
):
    survey = make_survey(tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        open_now(survey)
    assert Invitation.objects.filter(round__survey=survey, sent_at__isnull=False).count() == 6
    page = client.get("/dev/mail/", REMOTE_ADDR="127.0.0.1").content.decode()
    answer_links = re.findall(r'href="(http://127\.0\.0\.1:8000/s/[\w-]+/)"', page)
    assert len(set(answer_links)) == 6  # one link of their own per person (the privacy links aside)
    for person in tenant_a.people:
        assert person.email in page
    # One message in full, its link clickable.
    detail_url = page.split('href="/dev/mail/', 1)[1].split('"', 1)[0]
    detail = client.get(f"/dev/mail/{detail_url}", REMOTE_ADDR="127.0.0.1").content.decode()
    assert "Answer here" in detail and '<a href="http://127.0.0.1:8000/s/' in detail


def test_several_messages_in_one_file_are_each_listed(client, file_mail):
    with get_connection() as connection:
        for i in range(3):
            mail.EmailMessage(
                f"Note {i}", f"See http://example.test/{i}/", to=[f"x{i}@example.test"], connection=connection
            ).send()
    page = client.get("/dev/mail/", REMOTE_ADDR="127.0.0.1").content.decode()
    assert [page.index(f"Note {i}") for i in (2, 1, 0)] == sorted(page.index(f"Note {i}") for i in (2, 1, 0))
    assert 'href="http://example.test/1/"' in page


def test_an_empty_catcher_says_so(client, file_mail):
    assert "No e-mail yet" in client.get("/dev/mail/", REMOTE_ADDR="127.0.0.1").content.decode()


def test_other_machines_need_a_staff_login(client, file_mail, tenant_a):
    assert client.get("/dev/mail/", REMOTE_ADDR="10.1.2.3").status_code == 404
    client.force_login(tenant_a.users["owner"])  # an organization owner is not a site operator
    assert client.get("/dev/mail/", REMOTE_ADDR="10.1.2.3").status_code == 404
    staff = tenant_a.users["owner"]
    staff.is_staff = True
    staff.save()
    assert client.get("/dev/mail/", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_not_served_without_debug(client, file_mail, settings):
    settings.DEBUG = False
    assert client.get("/dev/mail/", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/dev/mail/x-0/", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_an_unknown_message_is_404(client, file_mail):
    assert client.get("/dev/mail/20260101-000000-1-0/", REMOTE_ADDR="127.0.0.1").status_code == 404
    assert client.get("/dev/mail/..%2Fetc-0/", REMOTE_ADDR="127.0.0.1").status_code == 404
