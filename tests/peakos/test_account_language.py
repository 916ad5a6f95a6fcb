"""The account menu's language chooser: stored on the user, wins over the browser's language."""

import pytest
from django.conf import settings
from django.urls import reverse

from peakos.models import User

pytestmark = pytest.mark.django_db
URL = reverse("account_language")


def test_a_user_picks_a_language_and_every_page_is_in_it(as_role, tenant_a):
    client = as_role("member")
    home = reverse("org_home", args=[tenant_a.org.slug])
    response = client.post(URL, {"language": "ja", "next": home})
    assert response.status_code == 302 and response["Location"] == home
    assert User.objects.get(pk=tenant_a.users["member"].pk).language == "ja"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)  # another device: the account remembers
    page = client.get(home, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="ja">' in page and "ログアウト" in page and 'value="ja" lang="ja" selected' in page


def test_without_a_choice_the_browsers_language_is_used(as_role, tenant_a):
    page = as_role("member").get(reverse("org_home", args=[tenant_a.org.slug]), HTTP_ACCEPT_LANGUAGE="de").content
    assert '<html lang="de">' in page.decode() and "Abmelden" in page.decode()


def test_an_unknown_language_changes_nothing_and_says_so(as_role, tenant_a):
    client = as_role("member")
    response = client.post(URL, {"language": "xx", "next": "/accounts/profile/"}, follow=True)
    assert "Choose one of the languages in the list." in response.content.decode()
    assert User.objects.get(pk=tenant_a.users["member"].pk).language == ""


def test_next_never_leaves_the_site(as_role):
    response = as_role("member").post(URL, {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_it_needs_a_login_and_a_post(client, as_role):
    assert client.post(URL, {"language": "fr"})["Location"].startswith(reverse("login"))
    assert as_role("member").get(URL).status_code == 405


def test_the_javascript_catalogue_is_served_per_language(client):
    response = client.get(reverse("javascript_catalog", args=["de"]))
    assert response.status_code == 200 and "javascript" in response["Content-Type"]
    assert "bereit zum Senden" in response.content.decode()
    assert "public" in response["Cache-Control"]
    assert client.get("/jsi18n/xx/").status_code == 404
