"""TenantTask: a task for one organization resolves it once, works inside its scope only, and
dispatches after commit (nothing for a rolled-back transaction)."""

from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django_scopes import get_scope
from kombu.exceptions import OperationalError

from insights import tasks as insights_tasks
from insights.models import Snapshot
from reviews import tasks as review_tasks
from reviews.models import CycleStatus
from surveys import tasks as survey_tasks
from surveys.models import Invitation
from tests.insights.factories import RoundBuilder, survey
from tests.reviews.factories import make_cycle
from tests.surveys.factories import make_survey, open_now

pytestmark = pytest.mark.django_db


class BoomError(Exception):
    pass


def _invitation_ids(round_) -> list[int]:
    return list(Invitation.objects.filter(round=round_).order_by("id").values_list("id", flat=True))


def test_a_send_task_for_one_organization_cannot_mail_anothers_invitations(tenant_a, tenant_b):
    round_b = open_now(make_survey(tenant_b))
    ids_b = _invitation_ids(round_b)
    assert ids_b

    assert survey_tasks.send_invitations.delay(tenant_a.org.id, ids_b).get() == 0
    assert mail.outbox == []
    assert not Invitation.objects.filter(pk__in=ids_b, sent_at__isnull=False).exists()

    # The same ids with their own organization are sent.
    assert survey_tasks.send_invitations.delay(tenant_b.org.id, ids_b).get() == len(ids_b)
    assert {m.to[0] for m in mail.outbox} == set(
        Invitation.objects.filter(pk__in=ids_b).values_list("person__email", flat=True)
    )


def test_a_review_task_for_one_organization_cannot_touch_anothers_cycle(tenant_a, tenant_b):
    cycle_b = make_cycle(tenant_b, status=CycleStatus.OPEN)
    assert review_tasks.send_review_invitations.delay(tenant_a.org.id, cycle_b.id).get() == 0
    assert mail.outbox == []
    review_b = cycle_b.reviews.get()
    assert review_tasks.notify_review_decision.delay(tenant_a.org.id, review_b.id).get() is False


def test_a_recompute_for_one_organization_leaves_anothers_round_alone(tenant_a, tenant_b):
    round_b = RoundBuilder(org=tenant_b.org, survey=survey(tenant_b.org)).respond(tenant_b.team, times=6).save()
    assert insights_tasks.recompute_round.delay(tenant_a.org.id, round_b.id).get() is None
    assert not Snapshot.objects.filter(round=round_b).exists()
    assert insights_tasks.recompute_round.delay(tenant_b.org.id, round_b.id).get()["round"] == round_b.id
    assert set(Snapshot.objects.filter(round=round_b).values_list("organization_id", flat=True)) == {tenant_b.org.id}


def test_the_body_runs_inside_the_organizations_scope_and_leaves_none_behind(tenant_a):
    seen = {}

    def body(invitation_ids):
        seen.update(get_scope())
        return 0

    before = dict(get_scope())
    with mock.patch("surveys.services.mail.send_invitations", side_effect=body):
        survey_tasks.send_invitations.delay(tenant_a.org.id, []).get()
    assert seen["organization"] == tenant_a.org and seen["_enabled"] is True
    assert dict(get_scope()) == before


def test_a_deleted_organization_is_not_an_error(db):
    assert survey_tasks.send_invitations.delay(987654, [1, 2]).get() is None
    assert review_tasks.notify_review_decision.delay(987654, 1).get() is None


def test_dispatch_on_commit_sends_after_the_commit_with_the_organization_id_first(
    tenant_a, django_capture_on_commit_callbacks
):
    with mock.patch.object(review_tasks.notify_review_decision, "apply_async") as sent:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            with transaction.atomic():
                review_tasks.notify_review_decision.delay_on_commit(tenant_a.org, 42)
            assert not sent.called  # not before the commit
        for callback in callbacks:
            callback()
    sent.assert_called_once_with(args=(tenant_a.org.id, 42), kwargs={})


def test_dispatch_inside_a_rolled_back_transaction_sends_nothing(tenant_a, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(review_tasks.notify_review_decision, "apply_async") as sent,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(BoomError),
        transaction.atomic(),  # rolled back by the exception
    ):
        review_tasks.notify_review_decision.delay_on_commit(tenant_a.org, 42)
        raise BoomError
    assert callbacks == []
    assert not sent.called


def test_a_broker_outage_after_commit_is_logged_not_raised(tenant_a, django_capture_on_commit_callbacks, caplog):
    down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with (
        mock.patch.object(review_tasks.send_review_invitations, "apply_async", side_effect=down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        review_tasks.send_review_invitations.delay_on_commit(tenant_a.org, 7)
    assert "broker unavailable" in caplog.text
