"""/o/<org>/signals/settings/: admins change the signal thresholds."""

import pytest
from django.urls import reverse

from insights.models import SignalSettings
from peakos.models import AuditEvent

pytestmark = pytest.mark.django_db

VALID = {
    "drop_points": "8",
    "leadership_gap_points": "15",
    "low_participation": "55",
    "priority_confusion": "40",
    "weak_link_mean": "2.2",
    "driver_min_respondents": "40",
}


def _url(tenant):
    return reverse("insights_signal_settings", kwargs={"org_slug": tenant.org.slug})


def test_it_shows_the_defaults_as_percentages(tenant_a, as_role):
    response = as_role("admin").get(_url(tenant_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Signal thresholds" in body
    assert 'value="60.0"' in body  # low participation 0.60
    assert not SignalSettings.objects.filter(organization=tenant_a.org).exists()


def test_an_admin_saves_new_thresholds_and_it_is_audited(tenant_a, as_role):
    response = as_role("admin").post(_url(tenant_a), VALID)
    assert response.status_code == 302
    saved = SignalSettings.objects.get(organization=tenant_a.org)
    assert saved.drop_points == 8 and saved.low_participation == pytest.approx(0.55)
    assert saved.priority_confusion == pytest.approx(0.40) and saved.driver_min_respondents == 40
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="insights.signal_settings").exists()


def test_bad_input_rerenders_with_errors_and_changes_nothing(tenant_a, as_role):
    response = as_role("owner").post(_url(tenant_a), {**VALID, "weak_link_mean": "7", "driver_min_respondents": "2"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not SignalSettings.objects.filter(organization=tenant_a.org).exists()


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_other_roles_are_refused(tenant_a, as_role, role):
    client = as_role(role)
    assert client.get(_url(tenant_a)).status_code == 403
    assert client.post(_url(tenant_a), VALID).status_code == 403
    assert not SignalSettings.objects.filter(organization=tenant_a.org).exists()


def test_another_organizations_page_is_not_found(tenant_a, tenant_b, as_role):
    client = as_role("owner")
    assert client.get(_url(tenant_b)).status_code == 404
    assert client.post(_url(tenant_b), VALID).status_code == 404
    assert not SignalSettings.objects.filter(organization=tenant_b.org).exists()


def test_admins_find_it_in_the_navigation(tenant_a, as_role):
    body = as_role("admin").get(reverse("org_home", kwargs={"org_slug": tenant_a.org.slug})).content.decode()
    assert _url(tenant_a) in body
    body = as_role("member").get(reverse("org_home", kwargs={"org_slug": tenant_a.org.slug})).content.decode()
    assert _url(tenant_a) not in body
