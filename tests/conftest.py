"""Shared fixtures: two organizations (A and B), each with a user of every role.

Like healthchecks' BaseTestCase: every view test has a second tenant at hand to
prove it never leaks into the first.
"""

import contextlib
import os
from dataclasses import dataclass, field

import pytest
from django_scopes import scopes_disabled

from peakos.celery import app as celery_app
from peakos.models import Layer, Role, TeamKind
from tests.factories import MembershipFactory, OrganizationFactory, PersonFactory, TeamFactory, UserFactory


def pytest_configure(config):
    """Build stale message catalogues (what `make messages` does) when pytest runs without make.

    Only the controlling process does it, before any xdist worker starts.
    """
    if hasattr(config, "workerinput"):
        return
    import shutil
    import subprocess
    from pathlib import Path

    for po in sorted(Path(__file__).resolve().parents[1].glob("locale/*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        if shutil.which("msgfmt") is None:
            raise pytest.UsageError(f"{mo} is missing or stale and msgfmt is not installed (apt-get install gettext)")
        subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)


@pytest.fixture(autouse=True, scope="session")
def _cache_per_worker():
    """With a shared Redis cache (CACHE_URL) and pytest-xdist, each worker gets its own key
    prefix, and ``clear_cache`` removes only that worker's keys: one worker's rate-limit or
    throttle test is not reset (or pre-counted) by another's."""
    from django.conf import settings
    from django.core.cache import caches

    settings.CACHES["default"]["KEY_PREFIX"] = "test-" + os.environ.get("PYTEST_XDIST_WORKER", "main")
    with contextlib.suppress(AttributeError):
        del caches["default"]  # a connection made before: the next use connects with the prefix
    yield


@pytest.fixture(autouse=True, scope="session")
def _eager_celery():
    """Unit tests run tasks in-process; integration tests start a real worker themselves."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that check hashing read the real settings module."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language, as a fresh request or worker does: a request
    through LocaleMiddleware leaves its language active on the thread, and the next test on the same
    xdist worker must not inherit it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_answer_sheets():
    """Each test compiles answer sheets afresh, as a new web process does (surveys.selectors)."""
    from surveys.selectors import clear_sheet_cache

    clear_sheet_cache()
    yield


@pytest.fixture(autouse=True)
def _no_scope_leaks():
    """Tests build data freely; requests still get scoped by the middleware."""
    with scopes_disabled():
        yield


@dataclass
class Tenant:
    org: object
    leadership: object
    department: object
    team: object
    subteam: object
    other_team: object
    users: dict = field(default_factory=dict)  # role -> User
    memberships: dict = field(default_factory=dict)
    people: list = field(default_factory=list)


def build_tenant(prefix: str) -> Tenant:
    """An organization with a small tree: leadership > department > team > subteam, plus another department team."""
    org = OrganizationFactory(name=f"{prefix} Corp", slug=f"{prefix.lower()}-corp")
    leadership = TeamFactory(organization=org, name=f"{prefix} Leadership", kind=TeamKind.LEADERSHIP)
    department = TeamFactory(organization=org, name=f"{prefix} Department", kind=TeamKind.DEPARTMENT, parent=leadership)
    team = TeamFactory(organization=org, name=f"{prefix} Team", parent=department)
    subteam = TeamFactory(organization=org, name=f"{prefix} Subteam", parent=team)
    other_department = TeamFactory(
        organization=org, name=f"{prefix} Other Department", kind=TeamKind.DEPARTMENT, parent=leadership
    )
    other_team = TeamFactory(organization=org, name=f"{prefix} Other Team", parent=other_department)
    tenant = Tenant(org, leadership, department, team, subteam, other_team)
    for role in Role.values:
        user = UserFactory(email=f"{role}@{prefix.lower()}.example", name=f"{prefix} {role.title()}")
        tenant.users[role] = user
        tenant.memberships[role] = MembershipFactory(organization=org, user=user, role=role)
    manager_person = PersonFactory(
        organization=org,
        name=f"{prefix} Manager Person",
        email=f"manager.person@{prefix.lower()}.example",
        team=team,
        layer=Layer.MANAGER,
        user=tenant.users[Role.MANAGER],
    )
    team.lead = manager_person
    team.save()
    tenant.people.append(manager_person)
    for i, t in enumerate([leadership, department, team, subteam, other_team]):
        tenant.people.append(
            PersonFactory(organization=org, name=f"{prefix} Person {i}", email=f"p{i}@{prefix.lower()}.example", team=t)
        )
    return tenant


@pytest.fixture
def tenant_a(db):
    return build_tenant("Alpha")


@pytest.fixture
def tenant_b(db):
    return build_tenant("Bravo")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def as_role(client, tenant_a):
    """``as_role("admin")`` logs the client in as tenant A's user with that role."""

    def _login(role: str):
        client.force_login(tenant_a.users[role])
        return client

    return _login
