"""Scoping: the manager every tenant-owned model declares, and the block work runs in.

* Every tenant-owned model declares ``objects = OrgScopedManager()`` (django-scopes,
  as pretix does). A query on such a model outside an active scope raises
  ``ScopeError``; inside ``scope(organization=org)`` it is filtered to ``org``.
* Celery tasks (``peakos.tenancy.tasks.TenantTask``) and management commands take the
  organization explicitly and wrap their work in ``org_scope(org)``.

This module imports nothing of the project: ``peakos.models`` imports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from django_scopes import ScopedManager, scope, scopes_disabled

if TYPE_CHECKING:
    from peakos.models import Organization

__all__ = ["OrgScopedManager", "org_scope", "scopes_disabled"]


def OrgScopedManager(manager_class: Any = None) -> Any:  # noqa: N802 - a manager factory, named like a class
    """A manager whose queries require an active organization scope."""
    if manager_class is None:
        return ScopedManager(organization="organization")
    return ScopedManager(_manager_class=manager_class, organization="organization")


@contextmanager
def org_scope(organization: Organization) -> Iterator[None]:
    """Run a block inside one organization's scope (tasks, commands, tests)."""
    if organization is None or getattr(organization, "pk", None) is None:
        # django-scopes treats a None value as "no filter": never allow that.
        raise ValueError("org_scope needs a saved organization")
    with scope(organization=organization):
        yield
