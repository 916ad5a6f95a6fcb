import pytest
from django.urls import reverse

from peakos.models import AuditEvent, Organization


def url(tenant):
    return reverse("org_settings", args=[tenant.org.slug])


def form(org, **overrides):
    data = {
        "name": org.name,
        "timezone": org.timezone,
        "anonymity_threshold": org.anonymity_threshold,
        "comment_threshold": org.comment_threshold,
        "default_language": org.default_language,
        "languages": list(org.languages),
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_owner_changes_thresholds_and_it_is_audited(as_role, tenant_a):
    response = as_role("owner").post(url(tenant_a), form(tenant_a.org, anonymity_threshold=7, comment_threshold=12))
    assert response.status_code == 302
    org = Organization.objects.get(pk=tenant_a.org.pk)
    assert (org.anonymity_threshold, org.comment_threshold) == (7, 12)
    event = AuditEvent.objects.get(organization=org, action="organization.settings")
    assert "anonymity_threshold: 5 → 7" in event.summary
    assert event.actor == tenant_a.users["owner"]


@pytest.mark.django_db
def test_threshold_below_three_re_renders_with_an_error(as_role, tenant_a):
    response = as_role("owner").post(url(tenant_a), form(tenant_a.org, anonymity_threshold=2))
    assert response.status_code == 200
    assert "greater than or equal to 3" in response.content.decode()
    assert Organization.objects.get(pk=tenant_a.org.pk).anonymity_threshold == 5


@pytest.mark.django_db
def test_comment_threshold_below_score_threshold_is_refused(as_role, tenant_a):
    response = as_role("owner").post(url(tenant_a), form(tenant_a.org, anonymity_threshold=8, comment_threshold=6))
    assert response.status_code == 200
    assert "cannot be below the score threshold" in response.content.decode()
    assert Organization.objects.get(pk=tenant_a.org.pk).comment_threshold == 10


@pytest.mark.django_db
def test_admin_renames_but_cannot_change_thresholds(as_role, tenant_a):
    response = as_role("admin").post(url(tenant_a), form(tenant_a.org, name="Renamed", anonymity_threshold=9))
    assert response.status_code == 302
    org = Organization.objects.get(pk=tenant_a.org.pk)
    assert org.name == "Renamed"
    assert org.anonymity_threshold == 5  # disabled field: the posted value is ignored


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_other_roles_get_403(as_role, tenant_a, role):
    assert as_role(role).get(url(tenant_a)).status_code == 403
    assert as_role(role).post(url(tenant_a), form(tenant_a.org, name="X")).status_code == 403
    assert Organization.objects.get(pk=tenant_a.org.pk).name == tenant_a.org.name


@pytest.mark.django_db
def test_other_organization_gets_404(as_role, tenant_b):
    assert as_role("owner").get(url(tenant_b)).status_code == 404


@pytest.mark.django_db
def test_admin_sets_the_default_and_enabled_languages_and_it_is_audited(as_role, tenant_a):
    response = as_role("admin").post(
        url(tenant_a), form(tenant_a.org, default_language="de", languages=["ja", "de", "en"])
    )
    assert response.status_code == 302
    org = Organization.objects.get(pk=tenant_a.org.pk)
    assert (org.default_language, org.languages) == ("de", ["en", "de", "ja"])  # stored in settings order
    event = AuditEvent.objects.get(organization=org, action="organization.settings")
    assert "default_language: en → de" in event.summary


@pytest.mark.django_db
def test_the_default_language_must_be_enabled(as_role, tenant_a):
    response = as_role("admin").post(url(tenant_a), form(tenant_a.org, default_language="fr", languages=["en", "de"]))
    assert response.status_code == 200
    assert "The default language must be one of the enabled languages." in response.content.decode()
    assert Organization.objects.get(pk=tenant_a.org.pk).default_language == "en"


@pytest.mark.django_db
def test_at_least_one_language_is_enabled(as_role, tenant_a):
    response = as_role("admin").post(url(tenant_a), form(tenant_a.org, languages=[]))
    assert response.status_code == 200
    assert len(Organization.objects.get(pk=tenant_a.org.pk).languages) == 8
