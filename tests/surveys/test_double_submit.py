"""Two submits at once (two tabs) give exactly one response, enforced by the database."""

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from surveys import selectors
from surveys.models import Response, SubmissionGuard
from surveys.services import guard, submit
from tests.surveys.factories import valid_answers


def test_the_guard_table_refuses_a_second_row_for_an_invitation(invitation):
    digest = guard.guard_digest(invitation.pk)
    SubmissionGuard.objects.create(digest=digest, organization=invitation.organization, round=invitation.round)
    with pytest.raises(IntegrityError), transaction.atomic():
        SubmissionGuard.objects.create(digest=digest, organization=invitation.organization, round=invitation.round)


def test_the_guard_key_is_keyed_by_the_secret_and_differs_per_invitation(invitation, settings):
    digest = guard.guard_digest(invitation.pk)
    assert digest != guard.guard_digest(invitation.pk + 1)
    settings.SUBMISSION_GUARD_KEY = "another-key-entirely-0123456789"
    assert guard.guard_digest(invitation.pk) != digest


def test_a_stale_invitation_object_cannot_submit_twice(invitation, open_round):
    sheet = selectors.answer_sheet(open_round, team_id=invitation.team_id)
    data = valid_answers(open_round, invitation.team_id)
    stale = invitation.__class__.objects.get(pk=invitation.pk)
    submit.submit_response(invitation=invitation, sheet=sheet, data=data)
    with pytest.raises(submit.AlreadyAnsweredError):
        submit.submit_response(invitation=stale, sheet=sheet, data=data)
    assert Response.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_store_exactly_one_response(tenant_a, priorities):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers, so there is no real race to test")
    from surveys.models import Invitation
    from tests.surveys.factories import make_survey, open_now

    survey = make_survey(tenant_a)
    round = open_now(survey)
    invitation = Invitation.objects.get(round=round, person__email="p2@alpha.example")
    sheet = selectors.answer_sheet(round, team_id=invitation.team_id)
    data = valid_answers(round, invitation.team_id)

    for attempt in range(5):  # several races, each on a fresh invitation
        answered = guard.answered_among(Invitation.objects.filter(round=round).values_list("pk", flat=True))
        inv = Invitation.objects.filter(round=round).exclude(pk__in=answered).first()
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def tab(inv=inv, barrier=barrier, outcomes=outcomes):
            from django_scopes import scopes_disabled

            try:
                # Each thread has its own database connection (two tabs, two connections).
                own = Invitation.objects.with_scopes_disabled().select_related("organization", "round").get(pk=inv.pk)
                barrier.wait()
                with scopes_disabled():
                    submit.submit_response(invitation=own, sheet=sheet, data=data)
                outcomes.append("stored")
            except submit.AlreadyAnsweredError:
                outcomes.append("already answered")
            finally:
                connections.close_all()

        threads = [threading.Thread(target=tab) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["already answered", "stored"], (attempt, outcomes)
        assert SubmissionGuard.objects.filter(pk=guard.guard_digest(inv.pk)).count() == 1

    assert Response.objects.filter(round=round).count() == 5
