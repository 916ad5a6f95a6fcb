"""Exporting an organization's data, and deleting every row of it (a second organization untouched)."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from peakos.erasure import delete_organization
from peakos.models import ApiToken, AuditEvent, Organization, OrganizationDeletion, User
from tests.api.conftest import make_token
from tests.privacy.helpers import answered_round, rows_per_model
from tests.reviews.factories import action_for, review_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_orgs(tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        answered_round(tenant, comment=f"Comment from {tenant.org.slug}")
        review_for(tenant)  # a cycle, reviews, metrics, priorities, asks
        action_for(tenant)
        make_token(tenant)
    return tenant_a, tenant_b


def _zip(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _rows(archive, name):
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def test_the_export_holds_the_organizations_data_and_no_raw_answers(client, two_orgs):
    a, b = two_orgs
    client.force_login(a.users["owner"])
    url = reverse("org_export", args=[a.org.slug])
    assert client.get(url).status_code == 200  # the explanation, no download yet
    response = client.post(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = _zip(response)
    names = set(archive.namelist())
    for expected in ("peakos/person.csv", "peakos/team.csv", "surveys/survey.csv", "surveys/round.csv",
                     "insights/snapshot.csv", "insights/participation.csv", "reviews/reviewcycle.csv",
                     "peakos/members.csv", "surveys/released_comments.csv", "manifest.json"):  # fmt: skip
        assert expected in names
    assert not any("answer" in n or "response" in n or "invitation" in n for n in names)
    people = {row["email"] for row in _rows(archive, "peakos/person.csv")}
    assert "p0@alpha.example" in people and not any(e.endswith("bravo.example") for e in people)
    assert len(_rows(archive, "insights/snapshot.csv")) > 0
    comments = _rows(archive, "surveys/released_comments.csv")
    assert comments and {c["text"] for c in comments} == {f"Comment from {a.org.slug}"}
    assert "token_hash" not in archive.read("peakos/auditevent.csv").decode()
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["organization"]["slug"] == a.org.slug
    assert AuditEvent.objects.filter(organization=a.org, action="organization.export").exists()


def test_only_owners_export_or_delete(client, two_orgs):
    a, _ = two_orgs
    client.force_login(a.users["admin"])
    assert client.post(reverse("org_export", args=[a.org.slug])).status_code == 403
    assert client.post(reverse("org_delete", args=[a.org.slug]), {"confirm": a.org.slug}).status_code == 403
    assert Organization.objects.filter(pk=a.org.pk).exists()


def test_deleting_removes_every_row_of_every_table_and_leaves_the_other_organization(client, two_orgs):
    a, b = two_orgs
    before_a, before_b = rows_per_model(a.org), rows_per_model(b.org)
    assert before_a["surveys.Answer"] > 0 and before_a["insights.Snapshot"] > 0 and before_a["peakos.ApiToken"] == 1
    assert sum(1 for n in before_a.values() if n) >= 20, "the fixture fills most tables"
    members = list(User.objects.filter(memberships__organization=a.org).values_list("pk", flat=True))
    client.force_login(a.users["owner"])
    url = reverse("org_delete", args=[a.org.slug])

    wrong = client.post(url, {"confirm": "bravo-corp"})
    assert wrong.status_code == 200 and "exactly to confirm" in wrong.content.decode()
    assert rows_per_model(a.org) == before_a

    done = client.post(url, {"confirm": a.org.slug}, follow=True)
    assert "were deleted" in done.content.decode()

    after_a = rows_per_model(a.org)
    assert {label: n for label, n in after_a.items() if n} == {}
    assert rows_per_model(b.org) == before_b
    # Logins that only belonged to A are gone, except the owner who deleted it.
    assert list(User.objects.filter(pk__in=members).values_list("email", flat=True)) == [a.users["owner"].email]
    record = OrganizationDeletion.objects.get()
    assert (record.slug, record.deleted_by_email) == (a.org.slug, a.users["owner"].email)
    assert ApiToken.objects.count() == 1


def test_the_service_refuses_without_the_slug_and_changes_nothing(two_orgs):
    a, _ = two_orgs
    before = rows_per_model(a.org)
    with pytest.raises(Exception, match="slug"):
        delete_organization(membership=a.memberships["owner"], actor=a.users["owner"], confirm="alpha")
    assert rows_per_model(a.org) == before
    assert not OrganizationDeletion.objects.exists()
