"""``TenantTask``: the one way a Celery task works for one organization (pretix's ``EventTask``).

A tenant task's first argument on the wire is the organization id; its body receives
the ``Organization``, already inside ``org_scope`` for exactly the task's work::

    @shared_task(base=TenantTask, acks_late=True)
    def send_invitations(organization: Organization, invitation_ids: list[int]) -> int:
        return mail.send_invitations(invitation_ids=invitation_ids)   # scoped to organization

    send_invitations.delay(org.pk, ids)             # now
    send_invitations.delay_on_commit(org, ids)      # once the caller's transaction commits

So a task can only read and write its own organization's rows: every other id it is
given is looked up through scoped managers and not found in another organization. An
organization deleted since the message was queued is not an error: the body does not
run and the task returns None. No tenant state survives from one task to the next.

Tasks that work across organizations (beat's ticks and sweeps) stay plain tasks and
enter ``org_scope`` per organization themselves.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from celery.contrib.django.task import DjangoTask
from django.db import transaction
from kombu.exceptions import OperationalError

from peakos.models import Organization
from peakos.tenancy.scoping import org_scope

__all__ = ["TenantTask"]

logger = logging.getLogger(__name__)


def _organization_id(organization: Organization | int) -> int:
    if isinstance(organization, Organization):
        if organization.pk is None:
            raise ValueError("a tenant task needs a saved organization")
        return organization.pk
    return int(organization)


class TenantTask(DjangoTask):
    """A task whose first argument is the organization it works for (see the module docstring)."""

    def __call__(self, organization: Organization | int, *args: Any, **kwargs: Any) -> Any:
        # The worker's request keeps the ids it received (a retry resends those); only the
        # body sees the resolved organization. An instance arrives when an eager call retries.
        org = organization if isinstance(organization, Organization) else self._find(organization)
        if org is None:
            logger.info("%s: organization not found (deleted since it was queued?)", self.name)
            return None
        with org_scope(org):
            return super().__call__(org, *args, **kwargs)

    @staticmethod
    def _find(organization_id: int) -> Organization | None:
        return Organization.objects.filter(pk=organization_id).first()

    def delay_on_commit(self, organization: Organization | int, *args: Any, **kwargs: Any) -> None:
        """Queue the task once the current transaction commits (at once outside one).

        A rolled-back transaction queues nothing. The caller's change is committed by the
        time this runs, so a broker outage is logged, not raised: every tenant task has a
        sweep or a next tick that catches up (see each app's tasks.py).
        """
        organization_id = _organization_id(organization)
        transaction.on_commit(partial(self._send_after_commit, organization_id, args, kwargs))

    def _send_after_commit(self, organization_id: int, args: tuple, kwargs: dict) -> None:
        try:
            self.apply_async(args=(organization_id, *args), kwargs=kwargs)
        except OperationalError:
            logger.warning(
                "%s for organization %s not queued: broker unavailable", self.name, organization_id, exc_info=True
            )
