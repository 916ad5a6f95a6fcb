"""The one tenancy mechanism of Peak OS, in three parts a reader finds by name.

* ``peakos.tenancy.scoping`` — the scoped manager every tenant model declares
  (``OrgScopedManager``, django-scopes as pretix uses it) and ``org_scope(org)``, the
  block that work for one organization runs in. Re-exported here: models import it,
  so this package imports nothing of the project at import time (no models <->
  tenancy <-> selectors cycle).
* ``peakos.tenancy.middleware`` — ``TenantMiddleware`` resolves ``/o/<org_slug>/``
  once per request and runs the request inside that organization's scope.
* ``peakos.tenancy.context`` — the template context processor (current organization,
  the switcher's memberships, the navigation).
* ``peakos.tenancy.tasks`` — ``TenantTask``, the Celery base class of every task that
  works for one organization: takes the organization id, resolves it once, runs the
  body inside its scope, and dispatches on commit.

The escape hatches are explicit and grep-able: ``scopes_disabled()`` and
``Model.objects.with_scopes_disabled()``.
"""

from peakos.tenancy.scoping import OrgScopedManager, org_scope, scopes_disabled

__all__ = ["OrgScopedManager", "org_scope", "scopes_disabled"]
