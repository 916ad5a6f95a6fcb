"""Storage linkage (issue 11): from a full copy of the database — ids, physical row order,
the order of the transactions that wrote each row, every timestamp and date — a response
cannot be tied to the person who sent it better than chance.

50 known people answer in a known (seeded) order, spread over a working day; ten more are
invited, never answer and get the reminder; then the round closes and the beat job applies
the "answered" marks. An attacker who has the whole database but not the application's
secret guesses the submission order of the responses (by id, by physical position, by
transaction id, by date) and the order in which people answered (by invitation id, by
physical position, by transaction id, by every timestamp and date on invitations, their
extra tokens and the audit log), and pairs the two rank by rank.

If nothing ties the two orders, the pairing is a random permutation and the number of
correct pairs is its number of fixed points: P(at least m correct) <= C(50, m) / 50**m
<= 1 / m! (the binomial union bound). ``chance_bound`` picks the smallest m that no attack
reaches with probability 1/1000 even after a union over all attacks; the mean over all
attacks must stay near the expected 1. ids and shuffles come from a fixed seed, so the
figures are the same every run.

The one attacker the design does not stop — the database *and* the secret key — is tested
too: it recovers every pair (docs/privacy.md says so plainly).
"""

from __future__ import annotations

import math
import random
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import DateField, DateTimeField
from django.utils import timezone

from peakos.models import AuditEvent, Layer, Person
from surveys import selectors
from surveys.models import Answer, Invitation, InvitationToken, Response, SubmissionGuard
from surveys.services import guard, schedule, submit
from surveys.services.mail import send_invitations
from tests.surveys.factories import make_survey, open_now, valid_answers, with_priorities_and_dependencies

ANSWERING = 50
SILENT = 10
SEED = 20261202


def chance_bound(attacks: int, alpha: float = 1e-3) -> int:
    """The most correct pairs a chance-level attack reaches: smallest b with attacks / (b+1)! <= alpha."""
    b = 0
    while attacks / math.factorial(b + 1) > alpha:
        b += 1
    return b


def _physical(table: str) -> str:
    """The physical position of a row: ctid on PostgreSQL, the hidden rowid on SQLite."""
    return "ctid" if connection.vendor == "postgresql" else "rowid"


def _order(sql: str, params=()) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture
def priorities(tenant_a):
    return with_priorities_and_dependencies(tenant_a)


@pytest.fixture
def world(tenant_a, priorities, monkeypatch):
    """The round after 50 seeded submissions, a reminder, the close and the beat's marks."""
    rng = random.Random(SEED)
    # Seeded ids and shuffles: the same figures every run (the production code draws them from secrets).
    for model in (Response, Answer):
        # (Field.get_default reads the cached ``_get_default``, not ``default``.)
        monkeypatch.setattr(model._meta.get_field("id"), "_get_default", lambda: rng.randrange(2**32, 2**63 - 1))
    monkeypatch.setattr(guard, "_shuffle", rng.shuffle)

    teams = [tenant_a.leadership, tenant_a.department, tenant_a.team, tenant_a.subteam, tenant_a.other_team]
    Person.objects.bulk_create(
        Person(
            organization=tenant_a.org,
            name=f"Linked {i}",
            email=f"linked{i}@alpha.example",
            team=teams[i % 5],
            layer=Layer.INDIVIDUAL,
        )
        for i in range(ANSWERING + SILENT)
    )
    survey = make_survey(tenant_a, reminder_days=[1], open_days=5)
    opens = (timezone.now() - timedelta(days=2)).replace(hour=8, minute=0, second=0, microsecond=0)
    round_ = open_now(survey, now=opens)
    invitations = list(Invitation.objects.filter(round=round_, person__email__startswith="linked"))
    send_invitations(invitation_ids=[i.pk for i in invitations], now=opens)
    audit_before = AuditEvent.objects.count()

    senders = rng.sample(invitations, ANSWERING)
    truth: dict[int, int] = {}  # response id -> invitation id
    minute = 0
    for k, inv in enumerate(senders):
        minute += rng.randint(2, 12)  # 50 answers between 08:00 and about 14:00
        now = opens + timedelta(minutes=minute)
        sheet = selectors.answer_sheet(round_, team_id=inv.team_id)
        response = submit.submit_response(invitation=inv, sheet=sheet, data=valid_answers(round_, inv.team_id), now=now)
        truth[response.pk] = inv.pk
        if k % 10 == 9:
            guard.apply_due_marks(now=now)  # the hourly beat job: no mark moment yet, writes nothing
    assert AuditEvent.objects.count() == audit_before, "a submit must not write the audit log"

    due = opens + timedelta(days=1)
    schedule.enqueue_reminders(round=round_, due=due)  # marks first, then reminds the ten silent ones
    schedule.close_round(round=round_, now=opens + timedelta(days=1, hours=6))
    guard.apply_due_marks(now=opens + timedelta(days=1, hours=7))
    return {"round": round_, "truth": truth, "invitations": invitations}


def _response_orders(round_) -> dict[str, list[int]]:
    """The attacker's guesses of the submission order of the round's responses."""
    r, a = Response._meta.db_table, Answer._meta.db_table
    phys = _physical(r)
    orders = {
        "response id": _order(f"SELECT id FROM {r} WHERE round_id = %s ORDER BY id", [round_.pk]),
        "response day, then id": _order(
            f"SELECT id FROM {r} WHERE round_id = %s ORDER BY submitted_on, id", [round_.pk]
        ),
        "response physical position": _order(f"SELECT id FROM {r} WHERE round_id = %s ORDER BY {phys}", [round_.pk]),
        "response day, then physical position": _order(
            f"SELECT id FROM {r} WHERE round_id = %s ORDER BY submitted_on, {phys}", [round_.pk]
        ),
        "smallest answer id": _order(
            f"SELECT response_id FROM {a} WHERE response_id IN (SELECT id FROM {r} WHERE round_id = %s) "
            "GROUP BY response_id ORDER BY MIN(id)",
            [round_.pk],
        ),
    }
    if connection.vendor == "postgresql":
        orders["response transaction (xmin)"] = _order(
            f"SELECT id FROM {r} WHERE round_id = %s ORDER BY xmin::text::bigint", [round_.pk]
        )
        orders["first answer's physical position"] = _order(
            f"SELECT response_id FROM {a} WHERE response_id IN (SELECT id FROM {r} WHERE round_id = %s) "
            "GROUP BY response_id ORDER BY MIN(ctid)",
            [round_.pk],
        )
    return orders


def _invitation_orders(round_) -> dict[str, list[int]]:
    """The attacker's guesses of the order in which the people who answered did so."""
    i, t = Invitation._meta.db_table, InvitationToken._meta.db_table
    answered = f"SELECT id FROM {i} WHERE round_id = %s AND answered"
    orders = {
        "invitation id": _order(f"{answered} ORDER BY id", [round_.pk]),
        "invitation physical position": _order(f"{answered} ORDER BY {_physical(i)}", [round_.pk]),
        "extra token created_at": _order(
            f"SELECT inv.id FROM {i} inv LEFT JOIN {t} tok ON tok.invitation_id = inv.id "
            "WHERE inv.round_id = %s AND inv.answered GROUP BY inv.id ORDER BY MIN(tok.created_at), inv.id",
            [round_.pk],
        ),
    }
    # Every timestamp and date an invitation has, whatever it is called.
    for field in Invitation._meta.concrete_fields:
        if isinstance(field, DateField | DateTimeField):
            column = connection.ops.quote_name(field.column)
            orders[f"invitation {field.name}"] = _order(
                f"{answered} ORDER BY {column} IS NULL, {column}, id", [round_.pk]
            )
    if connection.vendor == "postgresql":
        orders["invitation transaction (xmin)"] = _order(f"{answered} ORDER BY xmin::text::bigint, id", [round_.pk])
    return orders


def _correct(responses: list[int], invitations: list[int], truth: dict[int, int]) -> int:
    return sum(truth[r] == inv for r, inv in zip(responses, invitations, strict=True))


def test_no_ordering_or_timestamp_in_the_database_links_a_response_to_its_sender(world):
    truth = world["truth"]
    response_orders = _response_orders(world["round"])
    invitation_orders = _invitation_orders(world["round"])
    assert all(sorted(o) == sorted(truth) for o in response_orders.values())
    assert all(sorted(o) == sorted(truth.values()) for o in invitation_orders.values())
    results = {
        (rn, inn): _correct(ro, io, truth)
        for rn, ro in response_orders.items()
        for inn, io in invitation_orders.items()
    }
    bound = chance_bound(len(results))
    assert bound <= 9  # 40-70 attacks: the bound stays well under a fifth of 50
    best = max(results, key=results.get)
    assert results[best] <= bound, f"{best} recovers {results[best]} of {ANSWERING} (chance bound {bound})"
    # The expected number of correct pairs by chance is 1 per attack; a systematic link would lift the mean.
    mean = sum(results.values()) / len(results)
    assert mean <= 2.0, f"mean {mean:.2f} correct pairs per attack"


def test_the_attacks_are_strong_enough_to_find_a_link_that_exists(world):
    """Guard rows are written in submission order right beside the responses: with the secret
    key (the one attacker not protected against) the physical-order attack recovers every pair."""
    truth = world["truth"]
    g = SubmissionGuard._meta.db_table
    by_guard_position = _order(
        f"SELECT digest FROM {g} WHERE round_id = %s ORDER BY {_physical(g)}", [world["round"].pk]
    )
    with_the_key = {guard.guard_digest(inv.pk): inv.pk for inv in world["invitations"]}
    senders_in_order = [with_the_key[d] for d in by_guard_position]
    responses_in_order = _response_orders(world["round"])["response physical position"]
    assert _correct(responses_in_order, senders_in_order, truth) == ANSWERING
    # Without the key a guard row names no invitation: its key is no plain hash of anything the database holds.
    stored = set(SubmissionGuard.objects.filter(round=world["round"]).values_list("digest", flat=True))
    import hashlib

    for inv in world["invitations"]:
        for guess in (str(inv.pk), f"invitation:{inv.pk}", inv.token_hash or "", str(inv.person_id)):
            assert hashlib.sha256(guess.encode()).hexdigest() not in stored


def test_submitting_writes_nothing_that_names_a_person(tenant_a, priorities):
    """The submit touches no invitation or token row (so neither their order, their physical
    position nor a timestamp moves), and the rows it writes hold no time finer than the day."""
    survey = make_survey(tenant_a)
    round_ = open_now(survey)
    inv = Invitation.objects.filter(round=round_).first()
    named = [Invitation, InvitationToken, Person, AuditEvent]

    def snapshot():
        rows = {m.__name__: sorted(map(repr, m.objects.values_list())) for m in named}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for m in named:
                    cursor.execute(f"SELECT ctid::text, xmin::text FROM {m._meta.db_table} ORDER BY ctid")
                    rows[m.__name__ + " physical"] = cursor.fetchall()
        return rows

    before = snapshot()
    sheet = selectors.answer_sheet(round_, team_id=inv.team_id)
    submit.submit_response(invitation=inv, sheet=sheet, data=valid_answers(round_, inv.team_id))
    assert snapshot() == before
    assert guard.has_answered(inv)
    for model in (Response, Answer, SubmissionGuard):
        fine = [f.name for f in model._meta.concrete_fields if isinstance(f, DateTimeField)]
        assert fine == [], f"{model.__name__} stores a time finer than the day: {fine}"
    # The guard row holds the round and a keyed hash: no invitation, no person, no response.
    assert {f.name for f in SubmissionGuard._meta.concrete_fields} == {"digest", "organization", "round"}
