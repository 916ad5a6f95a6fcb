"""Database constraints back the invariants that must never break."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from peakos.models import Organization, Person, Team, TeamDependency
from tests.factories import PersonFactory, TeamFactory

pg_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="composite foreign keys need PostgreSQL")


@pytest.mark.django_db
def test_anonymity_threshold_cannot_go_below_three(tenant_a):
    org = tenant_a.org
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=org.pk).update(anonymity_threshold=2, comment_threshold=10)


@pytest.mark.django_db
def test_comment_threshold_cannot_go_below_score_threshold(tenant_a):
    org = tenant_a.org
    org.anonymity_threshold, org.comment_threshold = 8, 6
    with pytest.raises(ValidationError):
        org.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        org.save()


@pytest.mark.django_db
def test_team_cannot_depend_on_itself(tenant_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamDependency.objects.create(organization=tenant_a.org, from_team=tenant_a.team, to_team=tenant_a.team)


@pytest.mark.django_db
def test_two_people_cannot_share_an_email_in_one_organization(tenant_a, tenant_b):
    PersonFactory(organization=tenant_a.org, email="same@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(organization=tenant_a.org, email="SAME@example.com")
    # ...but two organizations may each have that person.
    assert PersonFactory(organization=tenant_b.org, email="same@example.com").pk


@pg_only
@pytest.mark.django_db(transaction=True)
def test_team_parent_in_another_organization_is_refused_by_the_database(tenant_a, tenant_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamFactory(organization=tenant_a.org, name="Stray", parent=tenant_b.team)


@pg_only
@pytest.mark.django_db(transaction=True)
def test_person_in_a_team_of_another_organization_is_refused_by_the_database(tenant_a, tenant_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(organization=tenant_a.org, team=tenant_b.team)


@pg_only
@pytest.mark.django_db(transaction=True)
def test_dependency_across_organizations_is_refused_by_the_database(tenant_a, tenant_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamDependency.objects.create(organization=tenant_a.org, from_team=tenant_a.team, to_team=tenant_b.team)


@pytest.mark.django_db
def test_team_clean_rejects_a_parent_from_another_organization(tenant_a, tenant_b):
    team = Team(organization=tenant_a.org, name="Stray", parent=tenant_b.team)
    with pytest.raises(ValidationError):
        team.clean()


@pytest.mark.django_db
def test_person_email_is_stored_lowercase(tenant_a):
    person = PersonFactory(organization=tenant_a.org, email="  Mixed.Case@Example.COM ")
    person.refresh_from_db()
    assert person.email == "mixed.case@example.com"
    assert Person.objects.filter(email="mixed.case@example.com").exists()
