"""Survey fixtures: a scheduled survey and an open round with usable links in tenant A."""

import pytest

from surveys.models import Invitation
from tests.cache import clear_cache
from tests.surveys.factories import link_for, make_survey, open_now, with_priorities_and_dependencies


@pytest.fixture
def priorities(tenant_a):
    return with_priorities_and_dependencies(tenant_a)


@pytest.fixture
def survey(tenant_a, priorities):
    return make_survey(tenant_a)


@pytest.fixture
def open_round(survey):
    return open_now(survey)


@pytest.fixture
def invitation(open_round, tenant_a):
    """The invitation of the person in tenant A's "Team" (which depends on two teams)."""
    return Invitation.objects.get(round=open_round, person__team=tenant_a.team, person__email__startswith="p")


@pytest.fixture
def link(invitation):
    return link_for(invitation)


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """The bad-link counter lives in the cache: start each test with a clean slate."""

    clear_cache()
    yield
    clear_cache()
