import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_member_sees_their_organization_home(as_role, tenant_a):
    response = as_role("member").get(reverse("org_home", args=[tenant_a.org.slug]))
    assert response.status_code == 200
    assert tenant_a.org.name in response.content.decode()


@pytest.mark.django_db
def test_non_member_gets_404_not_403(as_role, tenant_b):
    response = as_role("owner").get(reverse("org_home", args=[tenant_b.org.slug]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_unknown_and_foreign_slugs_look_the_same(as_role, tenant_b):
    client = as_role("owner")
    assert client.get("/o/no-such-org/").status_code == client.get(f"/o/{tenant_b.org.slug}/").status_code == 404


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login_whatever_the_slug(client, tenant_a):
    for slug in (tenant_a.org.slug, "no-such-org"):
        response = client.get(f"/o/{slug}/")
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_user_in_two_organizations_switches_between_them(client, tenant_a, tenant_b):
    from tests.factories import MembershipFactory

    user = tenant_a.users["leader"]
    MembershipFactory(organization=tenant_b.org, user=user, role="member")
    client.force_login(user)
    page = client.get(reverse("org_home", args=[tenant_a.org.slug])).content.decode()
    # The switcher lists both organizations.
    assert f'href="/o/{tenant_b.org.slug}/"' in page
    assert client.get(reverse("org_home", args=[tenant_b.org.slug])).status_code == 200
    # Home remembers the last organization used.
    assert client.get(reverse("home"))["Location"] == reverse("org_home", args=[tenant_b.org.slug])


@pytest.mark.django_db
def test_home_lists_organizations_to_choose_from(client, tenant_a, tenant_b):
    from tests.factories import MembershipFactory

    user = tenant_a.users["member"]
    MembershipFactory(organization=tenant_b.org, user=user)
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert tenant_a.org.name in page and tenant_b.org.name in page


@pytest.mark.django_db
def test_nav_shows_admin_links_only_to_managing_roles(as_role, tenant_a):
    url = reverse("org_home", args=[tenant_a.org.slug])
    settings_url = reverse("org_settings", args=[tenant_a.org.slug])
    assert settings_url in as_role("admin").get(url).content.decode()
    assert settings_url not in as_role("leader").get(url).content.decode()
