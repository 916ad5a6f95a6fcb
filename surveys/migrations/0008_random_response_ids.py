"""Random primary keys for Response and Answer, and a renumbering of the rows already stored.

Sequential ids (and the physical order rows were written in) put responses in submission
order. New rows get ``surveys.models.random_id``; this migration gives every existing
response and answer a random id too, one row at a time in a shuffled order, so the
rewritten rows are neither numbered nor laid out in submission order. On PostgreSQL the
old row versions stay on disk until ``VACUUM FULL surveys_response, surveys_answer,
insights_releasedresponse`` (docs/privacy.md, "Upgrading").
"""

import secrets

from django.db import migrations, models

import surveys.models


def _fresh_ids(count: int, taken: set[int]) -> list[int]:
    out: list[int] = []
    while len(out) < count:
        value = surveys.models.random_id()
        if value not in taken:
            taken.add(value)
            out.append(value)
    return out


def renumber(apps, schema_editor) -> None:
    """Give every stored response and answer a random id (and repoint the foreign keys).

    New ids are >= 2**32, so they never meet an old sequential id. Foreign keys are
    checked at commit (PostgreSQL: deferred; SQLite: checked when the migration ends).
    """
    Response = apps.get_model("surveys", "Response")
    Answer = apps.get_model("surveys", "Answer")
    Released = apps.get_model("insights", "ReleasedResponse")
    qn = schema_editor.connection.ops.quote_name
    response, answer, released = (qn(m._meta.db_table) for m in (Response, Answer, Released))
    shuffle = secrets.SystemRandom().shuffle
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {response}")
        old = [row[0] for row in cursor.fetchall()]
        shuffle(old)
        new = _fresh_ids(len(old), set(old))
        pairs = list(zip(new, old, strict=True))
        cursor.executemany(f"UPDATE {response} SET id = %s WHERE id = %s", pairs)
        cursor.executemany(f"UPDATE {answer} SET response_id = %s WHERE response_id = %s", pairs)
        cursor.executemany(f"UPDATE {released} SET response_id = %s WHERE response_id = %s", pairs)
        cursor.execute(f"SELECT id FROM {answer}")
        old = [row[0] for row in cursor.fetchall()]
        shuffle(old)
        new = _fresh_ids(len(old), set(old))
        cursor.executemany(f"UPDATE {answer} SET id = %s WHERE id = %s", list(zip(new, old, strict=True)))


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0007_invitation_send_lease"),
        ("insights", "0005_live_releases_and_hidden_reasons"),
    ]

    operations = [
        migrations.AlterField(
            model_name="answer",
            name="id",
            field=models.BigIntegerField(
                default=surveys.models.random_id, editable=False, primary_key=True, serialize=False
            ),
        ),
        migrations.AlterField(
            model_name="response",
            name="id",
            field=models.BigIntegerField(
                default=surveys.models.random_id, editable=False, primary_key=True, serialize=False
            ),
        ),
        migrations.RunPython(renumber, migrations.RunPython.noop),
    ]
