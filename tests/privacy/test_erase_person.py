"""Erasing a person: everything that names them goes; every stored result stays byte for byte."""

import pytest
from django.urls import reverse

from insights.recompute import recompute_org, recompute_round
from peakos.erasure import erase_person
from peakos.models import AuditEvent, Membership, Person, Role, User
from peakos.people import services as people_services
from surveys.models import Answer, Invitation, Response, SubmissionGuard
from surveys.services.guard import guard_digest
from tests.api.conftest import make_token, token_client
from tests.privacy.helpers import answered_round, serialized_results, text_values_mentioning

pytestmark = pytest.mark.django_db


def _rename(tenant, person, name):
    return people_services.update_person(
        organization=tenant.org, actor=tenant.users["admin"], person=person, email=person.email, name=name,
        team=person.team, manager=person.manager, layer=person.layer, active=True, attributes=person.attributes,
    )  # fmt: skip


@pytest.fixture
def answered(tenant_a):
    round_ = answered_round(tenant_a)
    person = Person.objects.get(email=f"manager.person@{tenant_a.org.slug.split('-')[0]}.example")
    person = _rename(tenant_a, person, "Zoë Quintana-Marsh")  # an audit event naming them
    return round_, person


def test_erasing_removes_everything_that_names_the_person(tenant_a, answered):
    round_, person = answered
    user = person.user
    assert Invitation.objects.filter(person=person).exists()
    guards = [guard_digest(pk) for pk in Invitation.objects.filter(person=person).values_list("pk", flat=True)]
    assert SubmissionGuard.objects.filter(pk__in=guards).exists(), "the person answered"
    assert text_values_mentioning(person.email) and text_values_mentioning("Quintana-Marsh")

    report = erase_person(membership=tenant_a.memberships["owner"], actor=tenant_a.users["owner"], person=person)

    assert not Person.objects.filter(pk=person.pk).exists()
    assert not Invitation.objects.filter(person_id=person.pk).exists()
    assert not SubmissionGuard.objects.filter(pk__in=guards).exists(), "their guard rows (a keyed hash) go too"
    assert not User.objects.filter(pk=user.pk).exists(), "the login had no other organization"
    assert not Membership.objects.filter(user_id=user.pk).exists()
    # Nowhere in the database, in any table, is their name or address left.
    assert text_values_mentioning(person.email) == []
    assert text_values_mentioning("Quintana-Marsh") == []
    assert text_values_mentioning(user.email) == []
    # The audit events stay, naming a pseudonym.
    assert report.pseudonym == "erased person #1"
    update = AuditEvent.objects.get(organization=tenant_a.org, action="person.update", object_id=str(person.pk))
    assert "erased person #1" in update.summary
    assert AuditEvent.objects.filter(organization=tenant_a.org, action="person.erase").count() == 1


def test_results_are_byte_identical_and_a_recompute_changes_nothing_leaders_see(tenant_a, answered):
    round_, person = answered
    before = serialized_results(round_)
    before_rows = serialized_results(round_, with_ids=False)
    responses, answers = Response.objects.filter(round=round_).count(), Answer.objects.count()
    assert before["Snapshot"] and before["Participation"] and before["Release"]

    erase_person(membership=tenant_a.memberships["owner"], actor=tenant_a.users["owner"], person=person)

    assert serialized_results(round_) == before
    assert Response.objects.filter(round=round_).count() == responses
    assert Answer.objects.count() == answers
    round_.refresh_from_db()
    recompute_round(round_=round_)
    assert serialized_results(round_, with_ids=False) == before_rows
    recompute_org(organization=tenant_a.org)
    assert serialized_results(round_, with_ids=False) == before_rows


def test_a_login_in_another_organization_keeps_that_organization(tenant_a, tenant_b, answered):
    _, person = answered
    user = person.user
    Membership.objects.create(organization=tenant_b.org, user=user, role=Role.MEMBER)
    AuditEvent.objects.create(organization=tenant_a.org, actor=user, action="round.close", summary="closed")

    report = erase_person(membership=tenant_a.memberships["owner"], actor=tenant_a.users["owner"], person=person)

    assert not report.login_deleted and report.membership_removed
    assert User.objects.filter(pk=user.pk).exists()
    assert list(Membership.objects.filter(user=user).values_list("organization_id", flat=True)) == [tenant_b.org.pk]
    assert not AuditEvent.objects.filter(organization=tenant_a.org, actor=user).exists()


def test_the_only_owner_cannot_be_erased_and_nothing_changes(tenant_a):
    owner = tenant_a.users["owner"]
    person = Person.objects.create(organization=tenant_a.org, email=owner.email, name="The Owner", user=owner)
    with pytest.raises(Exception, match="only owner"):
        erase_person(membership=tenant_a.memberships["owner"], actor=owner, person=person)
    assert Person.objects.filter(pk=person.pk).exists()


def test_the_confirm_page_erases_on_the_typed_address_and_only_for_owners(client, tenant_a, answered):
    _, person = answered
    url = reverse("manage_person_erase", args=[tenant_a.org.slug, person.pk])
    client.force_login(tenant_a.users["admin"])
    assert client.get(url).status_code == 403
    assert "Erase" not in client.get(reverse("manage_person", args=[tenant_a.org.slug, person.pk])).content.decode()

    client.force_login(tenant_a.users["owner"])
    page = client.get(reverse("manage_person", args=[tenant_a.org.slug, person.pk])).content.decode()
    assert url in page
    wrong = client.post(url, {"confirm": "someone@else.example"})
    assert wrong.status_code == 200 and "exactly to confirm" in wrong.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()

    done = client.post(url, {"confirm": person.email.upper()}, follow=True)
    assert "erased person #1" in done.content.decode()
    assert not Person.objects.filter(pk=person.pk).exists()


def test_the_api_erases_for_an_owner_session_only(client, tenant_a, answered):
    from rest_framework.test import APIClient

    _, person = answered
    url = f"/api/v1/people/{person.pk}/erase/"
    admin_token = token_client(make_token(tenant_a, Role.ADMIN))
    assert admin_token.post(url, {"confirm": person.email}, format="json").status_code == 403

    owner = APIClient()
    owner.force_login(tenant_a.users["owner"])
    headers = {"HTTP_X_ORGANIZATION": tenant_a.org.slug}
    bad = owner.post(url, {"confirm": "nope"}, format="json", **headers)
    assert bad.status_code == 400 and "confirm" in bad.json()["errors"]
    assert Person.objects.filter(pk=person.pk).exists()
    ok = owner.post(url, {"confirm": person.email}, format="json", **headers)
    assert ok.status_code == 200 and ok.json()["pseudonym"] == "erased person #1"
    assert not Person.objects.filter(pk=person.pk).exists()
