"""factory-boy factories for the core models. Tenant models take ``organization``."""

import factory
from django.contrib.auth import get_user_model

from peakos.models import Layer, Membership, Organization, Person, Priority, Role, Team, TeamDependency, TeamKind

PASSWORD = "a-Strong-test-pass-42"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"User {n}")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MEMBER


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    kind = TeamKind.TEAM


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    layer = Layer.INDIVIDUAL


class TeamDependencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamDependency


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    title = factory.Sequence(lambda n: f"Priority {n}")
    level = "company"
    period = "2026-Q4"
