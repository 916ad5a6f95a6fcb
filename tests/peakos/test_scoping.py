"""The one tenancy mechanism: unscoped queries raise; scoped ones see one organization."""

import pytest
from django_scopes import ScopeError, scope

from peakos.models import Person, Team
from peakos.tenancy import org_scope


@pytest.mark.django_db
def test_unscoped_query_on_a_tenant_model_raises(tenant_a):
    # A fresh, empty scope: what a request outside /o/ or a task sees.
    with scope(), pytest.raises(ScopeError):
        list(Team.objects.all())


@pytest.mark.django_db
def test_scoped_query_sees_only_its_organization(tenant_a, tenant_b):
    with org_scope(tenant_a.org):
        names = set(Team.objects.values_list("name", flat=True))
        assert tenant_a.team.name in names
        assert tenant_b.team.name not in names
        assert not Person.objects.filter(pk=tenant_b.people[0].pk).exists()


def test_org_scope_refuses_a_missing_organization():
    with pytest.raises(ValueError), org_scope(None):
        pass
