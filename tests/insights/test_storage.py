"""insights/storage.py: the raw-SQL loaders never return another organization's rows, and the
writer writes only what changed (a recompute after a backfill writes nothing).

The loaders filter by organization in SQL on top of the scope their callers run in; each test
builds the same round in organizations A and B and hands the loader both, as a caller with a
wrong id would."""

import numpy as np
import pytest

from insights import selectors, storage
from insights.models import CoordinationCell, ErasedInvitations, Participation, PriorityAlignment, Snapshot
from insights.recompute import recompute_org, recompute_round
from peakos.models import Team, TeamDependency
from peakos.tenancy import org_scope
from surveys.models import Answer, Response
from tests.factories import PriorityFactory
from tests.insights.conftest import EXEC, IC
from tests.insights.factories import RoundBuilder, survey

pytestmark = pytest.mark.django_db

RESULT_MODELS = (Snapshot, Participation, PriorityAlignment, CoordinationCell)


def _round(tenant, number=1, invited=0, picks=None):
    b = RoundBuilder(org=tenant.org, survey=survey(tenant.org), number=number)
    b.respond(tenant.leadership, EXEC, likert=5, enps=9, picks=picks, times=5)
    b.respond(tenant.team, IC, likert=3, enps=6, rate={tenant.other_team: 2}, times=6)
    if invited:
        b.invite(tenant.team, IC, count=invited)
    return b.save()


@pytest.fixture
def rounds(tenant_a, tenant_b):
    return _round(tenant_a, invited=7), _round(tenant_b, invited=9)


def _ids(model, org):
    return set(model.objects.filter(organization=org).values_list("id", flat=True))


def test_load_responses_returns_only_the_first_rounds_organization(tenant_a, rounds):
    round_a, round_b = rounds
    rows = storage.load_responses([round_a, round_b])
    assert set(rows[:, 1].tolist()) == _ids(Response, tenant_a.org)
    assert set(rows[:, 0].tolist()) == {round_a.pk}
    teams = {tenant_a.leadership.pk, tenant_a.team.pk}
    assert set(rows[:, 2].tolist()) == teams


def test_load_answers_returns_only_the_organizations_numeric_answers(tenant_a, rounds):
    round_a, round_b = rounds
    numeric_a = set(
        Answer.objects.filter(organization=tenant_a.org, value__isnull=False).values_list("response_id", flat=True)
    )
    for whole_org in (False, True):
        rows = storage.load_answers([round_a, round_b], whole_org=whole_org)
        assert len(rows) == Answer.objects.filter(organization=tenant_a.org, value__isnull=False).count()
        assert set(rows[:, 0].tolist()) == numeric_a


@pytest.mark.parametrize("batch", [1, None])
def test_load_rounds_data_hands_each_round_only_its_own_rows(tenant_a, tenant_b, rounds, batch):
    round_a, _ = rounds
    second_a = _round(tenant_a, number=2)
    _round(tenant_b, number=2)
    seen = {}
    for round_, responses, answers in storage.load_rounds_data([round_a, second_a], batch=batch):
        ids = set(Response.objects.filter(round=round_).values_list("id", flat=True))
        assert set(responses[:, 0].tolist()) == ids
        assert set(answers[:, 0].tolist()) <= ids
        seen[round_.pk] = len(answers)
    assert seen == {
        r.pk: Answer.objects.filter(response__round=r, value__isnull=False).count() for r in (round_a, second_a)
    }


def test_invitation_counts_of_another_organizations_round_are_empty(tenant_a, tenant_b, rounds):
    round_a, round_b = rounds
    ErasedInvitations.objects.create(organization=tenant_b.org, round=round_b, team=tenant_b.team, invitations=3)
    ErasedInvitations.objects.create(organization=tenant_a.org, round=round_a, team=tenant_a.team, invitations=2)
    counts = storage.invitation_counts(tenant_a.org.pk, [round_a.pk, round_b.pk])
    assert counts[round_b.pk].shape == (0, 3)
    assert int(counts[round_a.pk][:, 2].sum()) == 7 + 2
    assert int(storage.load_invitations(round_b)[:, 2].sum()) == 9 + 3


def test_sync_rows_of_one_organizations_round_leaves_the_other_organizations_rows(tenant_a, tenant_b, rounds):
    round_a, round_b = rounds
    with org_scope(tenant_b.org):
        recompute_round(round_=round_b)
    before_b = {model: _ids(model, tenant_b.org) for model in RESULT_MODELS}
    with org_scope(tenant_a.org):
        recompute_round(round_=round_a)
        for model, _ in storage.RESULT_TABLES:
            storage.sync_rows(model, round_a.pk, {})  # the round now has no rows of this table
    assert all(not _ids(model, tenant_a.org) for model in RESULT_MODELS)
    assert {model: _ids(model, tenant_b.org) for model in RESULT_MODELS} == before_b


def test_a_recompute_after_a_backfill_writes_no_rows(tenant_a, monkeypatch):
    TeamDependency.objects.create(organization=tenant_a.org, from_team=tenant_a.team, to_team=tenant_a.other_team)
    picks = [PriorityFactory(organization=tenant_a.org, rank=i) for i in (1, 2)]
    first = _round(tenant_a, number=1, picks=picks)
    newest = _round(tenant_a, number=2, picks=picks[::-1])
    with org_scope(tenant_a.org):
        recompute_org(organization=tenant_a.org)
    stored = {model: _ids(model, tenant_a.org) for model in RESULT_MODELS}
    assert all(stored.values())
    inserted = []
    real_insert = storage.insert_columns

    def counting_insert(model, columns):
        inserted.append((model.__name__, len(next(iter(columns.values())))))
        return real_insert(model, columns)

    monkeypatch.setattr(storage, "insert_columns", counting_insert)
    compared = []
    real_sync = storage.sync_rows

    def counting_sync(model, round_id, columns):
        compared.append(model.__name__)
        return real_sync(model, round_id, columns)

    monkeypatch.setattr(storage, "sync_rows", counting_sync)
    with org_scope(tenant_a.org):
        for round_ in (first, newest):
            round_.refresh_from_db()
            report = recompute_round(round_=round_)
            assert report.rows == sum(model.objects.filter(round=round_).count() for model in RESULT_MODELS)
    assert inserted == []
    assert compared == []  # the fingerprints the backfill stored match: no table is even read
    assert {model: _ids(model, tenant_a.org) for model in RESULT_MODELS} == stored


def test_fetch_ints_reads_int8_columns_in_order():
    rows = storage.fetch_ints("SELECT CAST(%s AS bigint), CAST(%s AS bigint)", [2**40, -3], 2)
    assert rows.dtype == np.int64
    assert rows.tolist() == [[2**40, -3]]


def test_load_scores_are_the_shown_scores_of_the_round_only(tenant_a, tenant_b, rounds):
    round_a, round_b = rounds
    with org_scope(tenant_b.org):
        recompute_round(round_=round_b)
    with org_scope(tenant_a.org):
        recompute_round(round_=round_a)
        scores = storage.load_scores(round_a)
        assert scores == {key: v for key, v in selectors.stored_scores(round_a).items() if v is not None}
    shown = Snapshot.objects.filter(round=round_a, suppressed=False).count()
    assert len(scores) == shown > 0
    assert {key.team for key, _ in scores} <= {
        None,
        *Team.objects.filter(organization=tenant_a.org).values_list("id", flat=True),
    }
    assert storage.load_scores(None) == {}


def test_a_recompute_after_an_answer_changed_rewrites_the_rows_that_changed(tenant_a):
    round_ = _round(tenant_a)
    with org_scope(tenant_a.org):
        recompute_round(round_=round_)
        before = Snapshot.objects.get(round=round_, scope_kind="organization", dimension="alignment").score
        answer = Answer.objects.filter(response__round=round_, question__dimension="alignment").first()
        Answer.objects.filter(pk=answer.pk).update(value=1)
        recompute_round(round_=round_)
        after = Snapshot.objects.get(round=round_, scope_kind="organization", dimension="alignment").score
    assert after < before
