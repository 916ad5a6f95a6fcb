"""The surveys' events: what a closed round and a submitted response announce, and that
insights scores rounds by listening to them (surveys never import insights' tasks)."""

import ast
import pathlib
from unittest import mock

import pytest
from django.db import transaction

from surveys import events
from surveys.models import Response, RoundStatus
from surveys.services import schedule
from tests.surveys.factories import valid_answers

pytestmark = pytest.mark.django_db

SURVEYS = pathlib.Path(__file__).resolve().parents[2] / "surveys"


class _Heard(list):
    def __call__(self, sender, signal, **kwargs):
        self.append(kwargs)


@pytest.fixture
def heard():
    """Everything both events announced during the test."""
    got = _Heard()
    events.round_closed.connect(got, dispatch_uid="test-heard-round")
    events.response_submitted.connect(got, dispatch_uid="test-heard-response")
    yield got
    events.round_closed.disconnect(dispatch_uid="test-heard-round")
    events.response_submitted.disconnect(dispatch_uid="test-heard-response")


def test_closing_a_round_announces_it_once(open_round, heard):
    assert schedule.close_round(round=open_round)
    assert not schedule.close_round(round=open_round)  # already closed: no second event
    assert [h["round"].pk for h in heard] == [open_round.pk]
    assert heard[0]["round"].status == RoundStatus.CLOSED


def test_a_submit_announces_the_round_and_nothing_that_names_the_person(client, link, invitation, open_round, heard):
    client.post(link, valid_answers(open_round, invitation.team_id))
    assert Response.objects.filter(round=open_round).count() == 1
    assert heard == [{"organization_id": open_round.organization_id, "round_id": open_round.pk}]


def test_a_failing_listener_never_fails_the_employees_answer(client, link, invitation, open_round, caplog):
    def broken(sender, **kwargs):
        raise RuntimeError("listener bug")

    events.response_submitted.connect(broken, dispatch_uid="test-broken")
    try:
        page = client.post(link, valid_answers(open_round, invitation.team_id), follow=True)
    finally:
        events.response_submitted.disconnect(dispatch_uid="test-broken")
    assert page.status_code == 200
    assert Response.objects.filter(round=open_round).count() == 1
    assert "listener bug" in caplog.text


def test_insights_scores_a_closed_round_after_the_close_commits(open_round, django_capture_on_commit_callbacks):
    with mock.patch("insights.tasks.recompute_round.apply_async") as recompute:
        with django_capture_on_commit_callbacks(execute=True):
            schedule.close_round(round=open_round)
        recompute.assert_called_once_with(args=(open_round.organization_id, open_round.pk), kwargs={})


def test_a_close_that_rolls_back_queues_no_recompute(open_round, django_capture_on_commit_callbacks):
    with (
        mock.patch("insights.tasks.recompute_round.apply_async") as recompute,
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        schedule.close_round(round=open_round)
        raise RuntimeError("the caller's transaction fails after the close")
    recompute.assert_not_called()


def test_the_surveys_app_imports_nothing_of_insights_tasks():
    for path in SURVEYS.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("insights.tasks"), path
                assert not (node.module == "insights" and any(a.name == "tasks" for a in node.names)), path
