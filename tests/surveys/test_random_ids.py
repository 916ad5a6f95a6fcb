"""Responses and answers get random ids, and the migration renumbers rows stored before it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scopes_disabled

from surveys import selectors
from surveys.models import RANDOM_ID_MIN, Answer, Invitation, Response
from surveys.services import submit
from tests.surveys.factories import valid_answers


def test_ids_of_submitted_responses_and_answers_follow_no_order(open_round):
    invitations = list(Invitation.objects.filter(round=open_round).order_by("id"))
    assert len(invitations) >= 4
    stored = []
    for inv in invitations:
        sheet = selectors.answer_sheet(open_round, team_id=inv.team_id)
        stored.append(submit.submit_response(invitation=inv, sheet=sheet, data=valid_answers(open_round, inv.team_id)))
    ids = [r.pk for r in stored]
    assert all(i >= RANDOM_ID_MIN for i in ids)
    # The odds of random ids coming out in submission order (either way) are 2 / n!.
    assert ids != sorted(ids) and ids != sorted(ids, reverse=True)
    # Answer ids are random too: sorting answers by id does not group them by response in submit order.
    by_answer_id = [a.response_id for a in Answer.objects.order_by("id")]
    grouped = [rid for i, rid in enumerate(by_answer_id) if i == 0 or by_answer_id[i - 1] != rid]
    assert grouped != ids
    assert all(a >= RANDOM_ID_MIN for a in Answer.objects.values_list("id", flat=True))


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_rows_stored_before_it_random_ids_and_keeps_their_answers():
    before = [("surveys", "0007_invitation_send_lease")]
    after = [("surveys", "0008_random_response_ids")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()  # what the test database had: put it back afterwards
    try:
        # The state of the whole project with only the renumbering migration (and what needs it) unapplied.
        old = executor.migrate(before).apps
        Org, Survey, Round, Question = (
            old.get_model("peakos", "Organization"),
            old.get_model("surveys", "Survey"),
            old.get_model("surveys", "Round"),
            old.get_model("surveys", "Question"),
        )
        OldResponse, OldAnswer = old.get_model("surveys", "Response"), old.get_model("surveys", "Answer")
        Release, Released = old.get_model("insights", "Release"), old.get_model("insights", "ReleasedResponse")
        org = Org.objects.create(name="Old Corp", slug="old-corp")
        survey = Survey.objects.create(organization=org, name="Pulse", start_date="2026-01-05")
        round_ = Round.objects.create(
            organization=org, survey=survey, number=1, opens_at="2026-01-05T09:00Z", closes_at="2026-01-10T09:00Z"
        )
        question = Question.objects.create(organization=org, key="q", dimension="alignment", kind="likert5", text="Q")
        release = Release.objects.create(organization=org, round=round_, number=1)
        # Stored in submission order with sequential ids, as before the migration: value = position.
        for position in range(12):
            response = OldResponse.objects.create(organization=org, round=round_, submitted_on="2026-01-06")
            OldAnswer.objects.create(organization=org, response=response, question=question, value=position % 5 + 1)
            OldAnswer.objects.create(organization=org, response=response, question=question, value=position % 5 + 1)
            if position < 6:
                Released.objects.create(organization=org, round=round_, response=response, release=release.number)
        old_ids = sorted(OldResponse.objects.values_list("id", flat=True))
        assert old_ids[-1] < RANDOM_ID_MIN
        values_in_order = [
            tuple(OldAnswer.objects.filter(response_id=i).values_list("value", flat=True)) for i in old_ids
        ]

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        with scopes_disabled():
            # Only the id: the current model's later columns (manager, ...) do not exist at 0008.
            new_ids = list(Response.objects.filter(round_id=round_.pk).values_list("pk", flat=True))
            assert len(new_ids) == 12
            assert all(i >= RANDOM_ID_MIN for i in new_ids) and not set(new_ids) & set(old_ids)
            # Every response kept its two answers, and the released ones are still released.
            kept = sorted(tuple(Answer.objects.filter(response_id=i).values_list("value", flat=True)) for i in new_ids)
            assert kept == sorted(values_in_order)
            assert all(a >= RANDOM_ID_MIN for a in Answer.objects.values_list("id", flat=True))
            from insights.models import ReleasedResponse

            assert ReleasedResponse.objects.filter(response_id__in=new_ids).count() == 6
            # The new ids no longer tell the submission order (positions 0..11 by value pattern).
            by_new_id = [
                tuple(Answer.objects.filter(response_id=i).values_list("value", flat=True)) for i in sorted(new_ids)
            ]
            assert by_new_id != values_in_order
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
