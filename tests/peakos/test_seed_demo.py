import pytest
from django.core.management import call_command

from peakos.models import Membership, Organization, Person, Priority, Team, TeamDependency


def counts():
    return [m.objects.count() for m in (Organization, Team, Person, TeamDependency, Priority, Membership)]


@pytest.mark.django_db
def test_seed_demo_builds_two_organizations_and_is_idempotent(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "owner@northwind.example" in out and "peakos-demo" in out
    first = counts()
    call_command("seed_demo")
    assert counts() == first
    northwind = Organization.objects.get(slug="northwind")
    assert Organization.objects.count() == 2
    assert 140 <= Person.objects.filter(organization=northwind).count() <= 170
    departments = set(Team.objects.filter(organization=northwind, kind="department").values_list("name", flat=True))
    assert departments == {"Marketing", "Sales", "Customer Success", "Product", "Engineering", "Operations"}
    layers = set(Person.objects.filter(organization=northwind).values_list("layer", flat=True))
    assert layers == {"executive", "manager", "individual"}
    assert TeamDependency.objects.filter(
        organization=northwind, from_team__name="Sales", to_team__name="Marketing"
    ).exists()


@pytest.mark.django_db
def test_seed_demo_refuses_in_production_without_force(settings):
    from django.core.management.base import CommandError

    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="DJANGO_ENV=production"):
        call_command("seed_demo")
    assert Organization.objects.count() == 0


@pytest.mark.django_db
def test_seed_demo_runs_in_production_with_force(settings, capsys):
    settings.PRODUCTION = True
    call_command("seed_demo", "--force")
    assert Organization.objects.filter(slug="northwind").exists()
