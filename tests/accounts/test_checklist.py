"""The first-run checklist on the organization home: owners only, ticked off by real data."""

import pytest
from django.urls import reverse

from accounts.selectors import first_run_checklist
from peakos.memberships import create_organization
from peakos.models import Membership, Role, current_period
from tests.factories import PersonFactory, PriorityFactory, TeamDependencyFactory, TeamFactory, UserFactory


@pytest.fixture
def fresh(db):
    owner = UserFactory(email="founder@new.example")
    org = create_organization(name="Fresh Co", slug="fresh", owner=owner)
    return org, owner


def done(org) -> dict:
    return {item.key: item.done for item in first_run_checklist(org)}


def test_a_new_organization_has_every_step_open_and_linked(client, fresh):
    org, owner = fresh
    client.force_login(owner)
    page = client.get(reverse("org_home", args=[org.slug])).content.decode()
    assert "Get started · 0 of 5 done" in page
    for name in ("manage_import", "manage_dependencies", "manage_priorities", "survey_create", "manage_people"):
        assert reverse(name, args=[org.slug]) in page


def test_steps_tick_themselves_off_from_the_data(fresh, django_assert_num_queries):
    org, owner = fresh
    assert not any(done(org).values())
    a, b = TeamFactory(organization=org, name="A"), TeamFactory(organization=org, name="B")
    PersonFactory(organization=org, team=a)
    TeamDependencyFactory(organization=org, from_team=a, to_team=b)
    PriorityFactory(organization=org, level="company", period="2019-Q1")  # another period does not count
    assert done(org) == {"people": True, "dependencies": True, "priorities": False, "pulse": False, "leaders": False}
    PriorityFactory(organization=org, level="company", period=current_period())
    Membership.objects.create(organization=org, user=UserFactory(), role=Role.MEMBER)  # a member is no leader
    assert done(org)["priorities"] and not done(org)["leaders"]
    Membership.objects.create(organization=org, user=UserFactory(), role=Role.MANAGER)
    assert done(org)["leaders"]
    with django_assert_num_queries(1):
        first_run_checklist(org)


def test_another_organizations_data_ticks_nothing(fresh, tenant_b):
    org, _ = fresh
    assert not any(done(org).values())


def test_only_owners_see_it_and_it_goes_once_everything_is_done(client, tenant_a):
    url = reverse("org_home", args=[tenant_a.org.slug])
    for role in ("admin", "leader", "member"):
        client.force_login(tenant_a.users[role])
        assert "Get started" not in client.get(url).content.decode()
    client.force_login(tenant_a.users["owner"])
    assert "Get started" in client.get(url).content.decode()
    org = tenant_a.org
    TeamDependencyFactory(organization=org, from_team=tenant_a.team, to_team=tenant_a.other_team)
    PriorityFactory(organization=org, level="company", period=current_period())
    from tests.surveys.factories import make_survey

    make_survey(tenant_a)
    assert "Get started" not in client.get(url).content.decode()
