"""The browser import: upload → preview of what is created, updated and deactivated → confirm. And export."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from peakos.models import AuditEvent, PeopleImport, Person
from tests.peakos.importing import csv_file, snapshot

GOOD = csv_file(
    "ann@alpha.example,Ann Able,Alpha Team,Alpha Department,,manager",
    "bob@alpha.example,Bob Baker,Growth,Alpha Department,ann@alpha.example,individual",
    "p1@alpha.example,Alpha Person 1 Renamed,Alpha Department,Alpha Leadership,,individual",
)


def import_url(tenant):
    return reverse("manage_import", args=[tenant.org.slug])


def upload(client, tenant, text, name="people.csv", **extra):
    data = {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv"), **extra}
    return client.post(import_url(tenant), data)


@pytest.mark.django_db
def test_upload_shows_a_preview_and_changes_nothing_until_confirmed(as_role, tenant_a):
    client = as_role("admin")
    before = snapshot(tenant_a.org)
    response = upload(client, tenant_a, GOOD)
    assert response.status_code == 302
    preview = client.get(response["Location"]).content.decode()
    assert '<span class="value" id="count-created">2</span>' in preview
    assert '<span class="value" id="count-updated">1</span>' in preview
    assert "name: <del>Alpha Person 1</del> → <ins>Alpha Person 1 Renamed</ins>" in preview
    assert "Growth" in preview and "Confirm import" in preview
    assert snapshot(tenant_a.org) == before

    response = client.post(response["Location"])
    assert response.status_code == 302
    assert Person.objects.get(organization=tenant_a.org, email="bob@alpha.example").manager.email == "ann@alpha.example"
    assert PeopleImport.objects.get().status == PeopleImport.Status.APPLIED
    event = AuditEvent.objects.get(organization=tenant_a.org, action="people.import")
    assert event.actor == tenant_a.users["admin"] and "people.csv: 2 created, 1 updated" in event.summary


@pytest.mark.django_db
def test_a_full_sync_preview_lists_who_would_be_deactivated(as_role, tenant_a):
    client = as_role("admin")
    response = upload(client, tenant_a, GOOD, deactivate_missing="on")
    preview = client.get(response["Location"]).content.decode()
    assert '<span class="value" id="count-deactivated">5</span>' in preview
    assert "p2@alpha.example" in preview


@pytest.mark.django_db
def test_a_bad_file_lists_every_error_by_row_and_column_and_stores_nothing(as_role, tenant_a):
    client = as_role("admin")
    before = snapshot(tenant_a.org)
    response = upload(client, tenant_a, csv_file("nope,Ann,Alpha Team,,,", "bob@alpha.example,Bob,Alpha Team,,,boss"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "The file has 2 errors; nothing was imported" in body
    assert '<span class="show-sm">Row </span>2</td><td><code>email</code></td>' in body
    assert '<span class="show-sm">Row </span>3</td><td><code>layer</code></td>' in body
    assert snapshot(tenant_a.org) == before and not PeopleImport.objects.exists()


@pytest.mark.django_db
def test_confirm_refuses_when_people_changed_since_the_preview(as_role, tenant_a):
    client = as_role("admin")
    preview_url = upload(client, tenant_a, GOOD)["Location"]
    Person.objects.create(organization=tenant_a.org, email="bob@alpha.example", name="Bob Early")
    response = client.post(preview_url, follow=True)
    assert "changed since the preview" in response.content.decode()
    assert Person.objects.get(organization=tenant_a.org, email="bob@alpha.example").name == "Bob Early"
    # The new preview is stored: confirming again applies it.
    client.post(preview_url)
    assert Person.objects.get(organization=tenant_a.org, email="bob@alpha.example").name == "Bob Baker"


@pytest.mark.django_db
def test_confirming_twice_applies_once(as_role, tenant_a):
    client = as_role("admin")
    preview_url = upload(client, tenant_a, GOOD)["Location"]
    client.post(preview_url)
    client.post(preview_url)
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="people.import").count() == 1


@pytest.mark.django_db
def test_the_export_downloads_the_import_format_and_is_audited(as_role, tenant_a):
    response = as_role("admin").get(reverse("manage_export", args=[tenant_a.org.slug]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "email,name,team,parent_team,manager_email,layer,language"
    assert "p3@alpha.example" in text
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="people.export").exists()


@pytest.mark.django_db
def test_exported_file_uploaded_back_has_nothing_to_change(as_role, tenant_a):
    client = as_role("admin")
    exported = client.get(reverse("manage_export", args=[tenant_a.org.slug])).content.decode("utf-8")
    preview = client.get(upload(client, tenant_a, exported, deactivate_missing="on")["Location"]).content.decode()
    assert "Nothing to change" in preview


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_roles_below_admin_get_403(as_role, tenant_a, role):
    client = as_role(role)
    assert client.get(import_url(tenant_a)).status_code == 403
    assert upload(client, tenant_a, GOOD).status_code == 403
    assert client.get(reverse("manage_export", args=[tenant_a.org.slug])).status_code == 403
    assert not Person.objects.filter(email="bob@alpha.example").exists()


@pytest.mark.django_db
def test_another_organizations_upload_is_404(as_role, client, tenant_a, tenant_b):
    client.force_login(tenant_b.users["admin"])
    theirs_url = upload(client, tenant_b, csv_file("secret@bravo.example,Secret,Bravo Team,,,"))["Location"]
    theirs = PeopleImport.objects.get(organization=tenant_b.org)
    client = as_role("owner")
    mine_url = reverse("manage_import_preview", args=[tenant_a.org.slug, theirs.pk])
    assert client.get(mine_url).status_code == 404
    assert client.post(mine_url).status_code == 404
    assert client.get(theirs_url).status_code == 404
    assert not Person.objects.filter(email="secret@bravo.example").exists()


@pytest.mark.django_db
def test_unconfirmed_previews_older_than_a_week_are_dropped_on_the_next_upload(as_role, tenant_a):
    from datetime import timedelta

    from django.utils import timezone

    client = as_role("admin")
    upload(client, tenant_a, GOOD)
    PeopleImport.objects.update(created_at=timezone.now() - timedelta(days=8))
    upload(client, tenant_a, GOOD)
    assert PeopleImport.objects.filter(organization=tenant_a.org).count() == 1
