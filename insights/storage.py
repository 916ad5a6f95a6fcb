"""Storage of the insights engine: what a recompute reads and writes, in bulk.

Reading: the round's responses and numeric answers in one statement each
(``fetch_ints``: PostgreSQL binary COPY parsed by numpy; a plain fetch elsewhere),
and invitation counts. Writing: the result rows of a round (``snapshot_columns`` and
its siblings build columns from an ``engine.RoundResult``), turned into COPY text
and written by COPY (``insert_columns``), or synced row by row (``sync_rows``:
only rows that changed are written).

Raw SQL here filters by organization explicitly, on top of the scope the callers
run in (``peakos.tenancy.org_scope``); every loader has a two-tenant test in
``tests/insights/test_storage.py``.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from django.db import connection
from django.db.models import Count

from insights import engine, scoring, vocabulary
from insights.models import (
    CoordinationCell,
    ErasedInvitations,
    Participation,
    PriorityAlignment,
    ReleasedResponse,
    Snapshot,
)
from insights.vocabulary import ScopeKey
from peakos.models import Layer
from surveys.models import Answer, Invitation, Response, Round

LAYERS: tuple[str, ...] = tuple(Layer.values)

# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def fetch_ints(sql: str, params: Sequence, ncols: int) -> np.ndarray:
    """Rows of ``ncols`` NOT NULL integer columns as an int64 array [rows, ncols].

    PostgreSQL: ``COPY (query) TO STDOUT (FORMAT binary)`` with every column
    cast to int8, parsed by numpy in one call (fixed-width rows), which is
    several times faster than fetching tuples. Elsewhere: a plain fetch.
    """
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            return np.array(rows, dtype=np.int64).reshape(-1, ncols)
        raw_cursor = cursor.cursor
        query = raw_cursor.mogrify(sql, params).decode()
        buffer = io.BytesIO()
        raw_cursor.copy_expert(f"COPY ({query}) TO STDOUT (FORMAT binary)", buffer)
    data = buffer.getbuffer()
    header = 19 + int.from_bytes(data[15:19], "big")
    row = np.dtype([("fields", ">i2")] + [(f"c{i}", [("length", ">i4"), ("value", ">i8")]) for i in range(ncols)])
    body = np.frombuffer(data[header : len(data) - 2], dtype=row)
    if len(body) and (
        (body["fields"] != ncols).any() or any((body[f"c{i}"]["length"] != 8).any() for i in range(ncols))
    ):
        raise ValueError("fetch_ints needs NOT NULL int8 columns")
    out = np.empty((len(body), ncols), dtype=np.int64)  # filled column by column: no temporaries
    for i in range(ncols):
        out[:, i] = body[f"c{i}"]["value"]
    return out


def _layer_case(column: str) -> tuple[str, list[str]]:
    """SQL mapping a layer value to its 1-based index (0: blank or unknown)."""
    whens = " ".join(f"WHEN %s THEN {i}" for i in range(1, len(LAYERS) + 1))
    return f"CASE {column} {whens} ELSE 0 END", list(LAYERS)


def _tables() -> dict[str, str]:
    return {"answer": Answer._meta.db_table, "response": Response._meta.db_table}


def load_responses(rounds: Sequence[Round]) -> np.ndarray:
    """(round id, response id, team id or 0, layer index, release number or 0) of every response
    of the rounds."""
    case, case_params = _layer_case("r.layer")
    marks = ", ".join(["%s"] * len(rounds))
    sql = (
        f"SELECT CAST(r.round_id AS bigint), CAST(r.id AS bigint), CAST(COALESCE(r.team_id, 0) AS bigint), "
        f"CAST({case} AS bigint), CAST(COALESCE(x.release, 0) AS bigint) FROM {_tables()['response']} r "
        f"LEFT JOIN {ReleasedResponse._meta.db_table} x ON x.response_id = r.id "
        f"WHERE r.round_id IN ({marks}) AND r.organization_id = %s"
    )
    return fetch_ints(sql, [*case_params, *(r.pk for r in rounds), rounds[0].organization_id], 5)


def load_answers(rounds: Sequence[Round], whole_org: bool = False) -> np.ndarray:
    """(response id, question id, value, rated team id or 0, priority id or 0) of the rounds'
    numeric answers. The one statement that reads answers; the engine counts them.

    ``whole_org``: read every numeric answer of the organization in one pass, with no
    join (a backfill of all rounds; the caller drops answers of other rounds)."""
    t = _tables()
    org_id = rounds[0].organization_id
    select = (
        "SELECT CAST(a.response_id AS bigint), CAST(a.question_id AS bigint), CAST(a.value AS bigint), "
        "CAST(COALESCE(a.rated_team_id, 0) AS bigint), CAST(COALESCE(a.priority_id, 0) AS bigint) "
    )
    if whole_org:
        sql = select + f"FROM {t['answer']} a WHERE a.organization_id = %s AND a.value IS NOT NULL"
        return fetch_ints(sql, [org_id], 5)
    marks = ", ".join(["%s"] * len(rounds))
    sql = select + (
        f"FROM {t['answer']} a JOIN {t['response']} r ON r.id = a.response_id "
        f"WHERE r.round_id IN ({marks}) AND r.organization_id = %s AND a.organization_id = %s "
        "AND a.value IS NOT NULL"
    )
    return fetch_ints(sql, [*(r.pk for r in rounds), org_id, org_id], 5)


def load_rounds_data(rounds: Sequence[Round], batch: int | None = 1):
    """Yield (round, responses, answers) for each round, reading ``batch`` rounds per
    statement: fewer round trips for a backfill, memory bounded by the batch.
    ``batch=None``: all rounds at once, answers in one pass over the organization's
    answers (no join; answers of responses outside ``rounds`` are dropped)."""
    if not rounds:
        return
    step = batch or len(rounds)
    for start in range(0, len(rounds), step):
        chunk = list(rounds[start : start + step])
        responses = load_responses(chunk)
        answers = load_answers(chunk, whole_org=batch is None)
        order = np.argsort(responses[:, 1], kind="stable")
        sorted_ids = responses[order, 1]
        position = np.searchsorted(sorted_ids, answers[:, 0])
        position = np.minimum(position, max(len(order) - 1, 0))
        if len(order):
            answer_round = np.where(sorted_ids[position] == answers[:, 0], responses[order, 0][position], 0)
        else:
            answer_round = np.zeros(len(answers), dtype=np.int64)
        # Group answers by round once (a stable sort), then hand out slices.
        by_round = np.argsort(answer_round, kind="stable")
        answers, answer_round = answers[by_round], answer_round[by_round]
        del by_round, position
        for round_ in chunk:
            lo, hi = np.searchsorted(answer_round, [round_.pk, round_.pk + 1])
            yield round_, responses[responses[:, 0] == round_.pk, 1:], answers[lo:hi]


def invitation_counts(organization_id: int, round_ids: Sequence[int]) -> dict[int, np.ndarray]:
    """Per round: (team id or 0, layer index, invitations) per team × layer, as recorded when
    the round opened, erased people's invitations included (``ErasedInvitations``): erasing
    someone must not change the participation a round published. Two statements; a round
    of another organization counts nothing."""
    index = {layer: i for i, layer in enumerate(LAYERS, start=1)}
    counts: dict[int, Counter] = {pk: Counter() for pk in round_ids}
    rows = (
        Invitation.objects.filter(organization_id=organization_id, round_id__in=round_ids)
        .values("round_id", "team_id", "layer")
        .annotate(n=Count("id"))
        .order_by()
    )
    erased = ErasedInvitations.objects.filter(organization_id=organization_id, round_id__in=round_ids).values_list(
        "round_id", "team_id", "layer", "invitations"
    )
    for r in rows:
        counts[r["round_id"]][(r["team_id"] or 0, index.get(r["layer"], 0))] += r["n"]
    for round_id, team_id, layer, n in erased:
        counts[round_id][(team_id or 0, index.get(layer, 0))] += n
    return {
        pk: np.array([(t, layer, n) for (t, layer), n in c.items() if n], dtype=np.int64).reshape(-1, 3)
        for pk, c in counts.items()
    }


def load_invitations(round_: Round) -> np.ndarray:
    """(team id or 0, layer index, invitations) per team × layer of one round (see ``invitation_counts``)."""
    return invitation_counts(round_.organization_id, [round_.pk])[round_.pk]


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def load_scores(round_: Round | None) -> dict[tuple[ScopeKey, str], float]:
    """(scope, dimension) → score of a round's shown snapshots: what the next round's deltas
    compare with. One ``values_list`` of five columns, no row objects: the engine reads every
    shown snapshot of the previous round (thousands) on each recompute. The same figures as
    ``selectors.stored_scores`` (a suppressed row has no score), which pages use."""
    if round_ is None:
        return {}
    rows = (
        Snapshot.objects.filter(organization_id=round_.organization_id, round_id=round_.pk, suppressed=False)
        .exclude(score__isnull=True)
        .order_by()
        .values_list("scope_kind", "team_id", "layer", "depth", "dimension", "score")
    )
    return {
        (ScopeKey(kind, team, layer or "", depth), dim): score
        for kind, team, layer, depth, dim, score in rows
        if score is not None  # excluded above; narrows the type
    }


Columns = dict[str, list]  # column name -> one Python value per row (None = NULL)


def _floats(values: np.ndarray) -> list[float | None]:
    """Floats with NaN as None (SQL NULL)."""
    return [None if v != v else v for v in values.ravel().tolist()]


def _scope_columns(org_id: int, round_id: int, scopes: list[ScopeKey], repeat: int = 1) -> Columns:
    """The scope columns of ``scopes``, each scope repeated ``repeat`` times (once per dimension)."""
    n = len(scopes) * repeat
    return {
        "organization_id": [org_id] * n,
        "round_id": [round_id] * n,
        "scope_kind": [k.kind for k in scopes for _ in range(repeat)],
        "team_id": [k.team for k in scopes for _ in range(repeat)],
        "layer": [k.layer for k in scopes for _ in range(repeat)],
        "depth": [k.depth for k in scopes for _ in range(repeat)],
    }


def snapshot_columns(org_id: int, round_id: int, result: engine.RoundResult) -> Columns:
    """One row per scope × dimension; hidden ones with no values (the engine left them NaN)."""
    dims = result.dimensions
    hidden = result.dim_hidden.ravel()
    columns = _scope_columns(org_id, round_id, result.scopes, len(dims))
    columns["suppressed"] = hidden.tolist()
    columns["hidden_reason"] = [reason for row in result.dim_reason for reason in row]
    columns["respondents"] = [
        None if h else n for h, n in zip(hidden.tolist(), result.dim_respondents.ravel().tolist(), strict=True)
    ]
    columns["dimension"] = dims * len(result.scopes)
    for name in (
        "mean",
        "score",
        "favorable_share",
        "unfavorable_share",
        "spread",
        "delta",
        "gap",
        "driver_enps",
        "driver_alignment",
    ):
        values = getattr(result, name).copy()
        values[result.dim_hidden] = np.nan
        columns[name] = _floats(values)
    return columns


def participation_columns(org_id: int, round_id: int, result: engine.RoundResult) -> Columns:
    columns = _scope_columns(org_id, round_id, result.scopes)
    hidden = result.hidden.tolist()
    respondents, invited = result.respondents.tolist(), result.invited.tolist()
    columns["suppressed"] = hidden
    columns["hidden_reason"] = list(result.reason)
    columns["respondents"] = [None if h else n for h, n in zip(hidden, respondents, strict=True)]
    columns["invited"] = [None if h or not i else i for h, i in zip(hidden, invited, strict=True)]
    # Clamped at 100 % (docs/scoring.md, "Participation"): someone who moved team after the
    # round opened answers in a scope that did not invite them.
    rates = scoring.participation_rates(respondents, invited).tolist()
    columns["rate"] = [None if h or r != r else r for h, r in zip(hidden, rates, strict=True)]
    columns["comments_released"] = [
        bool(c) and not h for h, c in zip(hidden, result.comments_released.tolist(), strict=True)
    ]
    return columns


def priority_columns(org_id: int, round_id: int, result: engine.RoundResult) -> Columns:
    p = result.priorities
    if p is None:
        return {}
    hidden = (p.hidden | (p.respondents == 0)).tolist()
    columns = _scope_columns(org_id, round_id, result.scopes)
    columns["suppressed"] = hidden
    columns["hidden_reason"] = [(r or vocabulary.FEW) if h else "" for h, r in zip(hidden, p.reason, strict=True)]
    columns["respondents"] = [None if h else n for h, n in zip(hidden, p.respondents.tolist(), strict=True)]
    columns["top_priority_id"] = [p.top_priority] * len(hidden)
    for name, values in (("top_priority_share", p.top_priority_share), ("top_overlap", p.top_overlap)):
        values = values.copy()
        values[np.array(hidden, dtype=bool)] = np.nan
        columns[name] = _floats(values)
    columns["pick_counts"] = [None if h else c for h, c in zip(hidden, p.pick_counts, strict=True)]
    return columns


def coordination_columns(org_id: int, round_id: int, result: engine.RoundResult) -> Columns:
    c = result.coordination
    hidden = c.hidden.tolist()
    mean = _floats(c.mean)
    return {
        "organization_id": [org_id] * len(hidden),
        "round_id": [round_id] * len(hidden),
        "rater_team_id": list(c.rater),
        "rated_team_id": list(c.rated),
        "suppressed": hidden,
        "respondents": [None if h else n for h, n in zip(hidden, c.respondents.tolist(), strict=True)],
        "mean": mean,
        "score": [None if m is None else (m - 1) / 4 * 100 for m in mean],
    }


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_column(field, values: list) -> list[str]:
    """COPY text of one column. A list comprehension per column, not a function call per
    value: formatting is the costliest part of writing a round."""
    internal = field.get_internal_type()
    if internal == "FloatField":
        return ["\\N" if v is None else repr(v) for v in values]
    if internal == "BooleanField":
        return ["t" if v else "f" for v in values]
    if internal == "JSONField":
        return ["\\N" if v is None else _escape(json.dumps(v)) for v in values]
    if internal == "CharField":
        return ["\\N" if v is None else _escape(v) for v in values]
    return ["\\N" if v is None else str(v) for v in values]


def copy_text(model, columns: Columns) -> str:
    """The rows of ``columns`` as PostgreSQL COPY text (one line per row, newline-terminated)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    text = [_copy_column(fields[name], values) for name, values in columns.items()]
    return "\n".join(map("\t".join, zip(*text, strict=True))) + "\n"


def copy_into(model, names: Sequence[str], chunks: Iterable[str]) -> None:
    """COPY text chunks (see :func:`copy_text`) into the model's table: one statement."""
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f'COPY "{model._meta.db_table}" ({", ".join(names)}) FROM STDIN', _Chunks(chunks))


class _Chunks:
    """A file for ``copy_expert`` that hands out the chunks one by one (no joined copy of them all)."""

    def __init__(self, chunks: Iterable[str]):
        self._chunks = iter(chunks)

    def read(self, size: int = -1) -> bytes:
        return next(self._chunks, "").encode()


def insert_columns(model, columns: Columns) -> int:
    """Insert many rows fast: COPY on PostgreSQL, bulk_create elsewhere. Call inside a transaction."""
    names = list(columns)
    count = len(columns[names[0]]) if names else 0
    if not count:
        return 0
    if connection.vendor == "postgresql":
        copy_into(model, names, [copy_text(model, columns)])
    else:
        objects = [model(**dict(zip(names, row, strict=True))) for row in zip(*columns.values(), strict=True)]
        model.objects.bulk_create(objects, batch_size=500)
    return count


RESULT_TABLES = (
    (Snapshot, snapshot_columns),
    (Participation, participation_columns),
    (PriorityAlignment, priority_columns),
    (CoordinationCell, coordination_columns),
)


def delete_results(round_ids: Sequence[int]) -> None:
    """Delete the stored results of the rounds (one statement per table). Call inside a transaction."""
    for model, _ in RESULT_TABLES:
        model.objects.filter(round_id__in=round_ids).delete()


def _comparable(model, names: Sequence[str]) -> Callable[[tuple], tuple]:
    """A function making a row of ``names`` hashable and equal to the same row read back
    from the database (JSON values compared by their canonical text)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    json_at = [i for i, name in enumerate(names) if fields[name].get_internal_type() == "JSONField"]
    if not json_at:
        return tuple

    def row_key(row: tuple) -> tuple:
        values = list(row)
        for i in json_at:
            values[i] = json.dumps(values[i], sort_keys=True)
        return tuple(values)

    return row_key


def sync_rows(model, round_id: int, columns: Columns) -> int:
    """Make the round's stored rows of ``model`` equal ``columns``, writing only what changed.

    Rows are compared by every stored value (result rows carry no timestamps): rows
    that no longer occur are deleted by id, new ones inserted, equal ones left alone.
    Most recomputes of an open round publish what the last release published (figures
    move only in release steps), so this usually writes nothing. Returns the number of
    rows the round now has. Call inside a transaction (the round row locked).
    """
    names = list(columns)
    key = _comparable(model, names)
    stored: dict[tuple, list[int]] = {}
    for pk, *values in model.objects.filter(round_id=round_id).order_by().values_list("pk", *names):
        stored.setdefault(key(tuple(values)), []).append(pk)
    new_rows = list(zip(*columns.values(), strict=True)) if names else []
    insert = []
    for row in new_rows:
        same = stored.get(key(row))
        if same:
            same.pop()
        else:
            insert.append(row)
    gone = [pk for pks in stored.values() for pk in pks]
    if gone:
        model.objects.filter(round_id=round_id, pk__in=gone).delete()
    if insert:
        insert_columns(model, {name: [row[i] for row in insert] for i, name in enumerate(names)})
    return len(new_rows)


def digest(columns: Columns) -> str:
    """A fingerprint of one table's rows for a round, in the order the engine builds them
    (deterministic: the same result gives the same columns). Stored in ``ScoreState.digests``."""
    h = hashlib.blake2b(digest_size=16)
    for name, values in columns.items():
        h.update(name.encode())
        h.update(repr(values).encode())
    return h.hexdigest()


def result_columns(round_: Round, result: engine.RoundResult):
    """(model, columns, digest) of each result table of the round."""
    for model, build in RESULT_TABLES:
        columns = build(round_.organization_id, round_.pk, result)
        yield model, columns, digest(columns)


def replace_results(round_: Round, result: engine.RoundResult, digests: dict[str, str]) -> int:
    """Make the round's stored results those of ``result``; returns the number of result rows.

    ``digests``: the fingerprints of the rows last written (``ScoreState.digests``), updated in
    place. A table whose new rows have the stored fingerprint, and as many rows as are stored,
    is left alone without reading its rows (most recomputes: an open round between releases, a
    closed round recomputed by the sweep); the others are synced (:func:`sync_rows`: only
    changed rows are written). Call inside a transaction (the round row locked)."""
    rows = 0
    for model, columns, fingerprint in result_columns(round_, result):
        n = len(next(iter(columns.values()))) if columns else 0
        label = model._meta.label
        if digests.get(label) == fingerprint and model.objects.filter(round_id=round_.pk).count() == n:
            rows += n
            continue
        rows += sync_rows(model, round_.pk, columns)
        digests[label] = fingerprint
    return rows
