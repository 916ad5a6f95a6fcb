"""The answer-sheet cache (surveys.selectors.answer_sheet): each web process compiles a round's
sheet once, yet an edit of a question is seen by the very next request, another tenant's
round is never served from it, and priorities deleted meanwhile never lose an answer."""

from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext

from peakos.models import Priority, PriorityLevel, current_period
from surveys import selectors
from surveys.models import Response, Round
from surveys.services import questions as question_services
from surveys.services import submit
from tests.surveys.factories import link_for, make_survey, open_now, valid_answers, with_priorities_and_dependencies


def _comment(round_):
    return next(q for q in selectors.answer_sheet_questions(round_) if q.kind == "text")


def test_a_second_page_view_reads_no_questions(client, link):
    client.get(link)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(link).status_code == 200
    assert not [q for q in queries.captured_queries if "surveys_roundquestion" in q["sql"]]


def test_editing_a_question_is_seen_by_the_next_page_view_and_submit(client, link, invitation, open_round, tenant_a):
    client.get(link)  # cached
    comment = _comment(open_round)
    data = valid_answers(open_round, invitation.team_id)
    version = Round.objects.get(pk=open_round.pk).sheet_version
    question_services.edit_question(
        question=comment, actor=tenant_a.users["admin"], text="What would you change first?", required=True
    )
    assert Round.objects.get(pk=open_round.pk).sheet_version != version
    assert "What would you change first?" in client.get(link).content.decode()
    # Now required: a submit without a comment is refused (the cached sheet said optional).
    data.pop(f"q{comment.id}")
    page = client.post(link, data)
    assert "This question needs an answer." in page.content.decode()
    assert not Response.objects.exists()


def test_another_tenants_round_is_never_served_from_the_cache(tenant_a, tenant_b):
    with_priorities_and_dependencies(tenant_b)
    round_a = open_now(make_survey(tenant_a, keys=["alignment-why", "enps"]))
    round_b = open_now(make_survey(tenant_b, keys=["alignment-why", "comment"]))
    sheet_a = selectors.answer_sheet(round_a, team_id=tenant_a.team.id)
    sheet_b = selectors.answer_sheet(round_b, team_id=tenant_b.team.id)
    assert {i.question.organization_id for i in sheet_a.items} == {tenant_a.org.id}
    assert {i.question.organization_id for i in sheet_b.items} == {tenant_b.org.id}
    assert [i.question.kind for i in sheet_b.items] == ["likert5", "text"]
    # A round object naming B's organization with A's round id (as after a rollback reused
    # the id) does not meet A's cached sheet: the key holds the organization.
    impostor = Round.objects.get(pk=round_b.pk)
    impostor.id = round_a.id
    impostor.opens_at = round_a.opens_at
    impostor.sheet_version = round_a.sheet_version
    key_a = selectors._sheet_key(round_a)
    assert selectors._sheet_key(impostor) != key_a and key_a in selectors._SHEETS


def test_priorities_are_read_again_after_a_minute(monkeypatch, open_round, invitation, tenant_a):
    now = [1000.0]
    monkeypatch.setattr(selectors, "_clock", lambda: now[0])

    def offered():
        sheet = selectors.answer_sheet(open_round, team_id=invitation.team_id)
        return [p.title for i in sheet.items for p in i.priorities]

    before = offered()
    Priority.objects.create(
        organization=tenant_a.org, title="Open Berlin", level=PriorityLevel.COMPANY, period=current_period(), rank=0
    )
    now[0] += 30
    assert offered() == before
    now[0] += 31
    assert offered()[0] == "Open Berlin"


def test_a_priority_deleted_while_cached_gets_a_message_and_stores_nothing(
    transactional_db, client, tenant_a, priorities
):
    # Outside a test transaction: the database checks the foreign key at commit, as in production.
    round_ = open_now(make_survey(tenant_a))
    invitation = round_.invitations.get(person__team=tenant_a.team, person__email__startswith="p")
    link = link_for(invitation)
    client.get(link)  # compiles and caches the sheet with all three priorities
    data = valid_answers(round_, invitation.team_id)
    Priority.objects.filter(pk=priorities[0].pk).delete()
    with mock.patch.object(submit, "_store", wraps=submit._store) as store:
        page = client.post(link, data)
    # The cached sheet let the answer through, the database refused it at commit, and the
    # view compiled the sheet afresh, which now refuses the deleted priority.
    assert store.call_count == 1
    assert page.status_code == 200
    assert "Choose priorities from the list." in page.content.decode()
    assert not Response.objects.exists()
    # The page now offers the remaining ones, and a submit with them is stored.
    page = client.post(link, valid_answers(round_, invitation.team_id))
    assert "Thank you" in page.content.decode()
    assert Response.objects.count() == 1
