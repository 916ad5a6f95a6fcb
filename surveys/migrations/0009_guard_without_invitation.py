"""The double-submit guard keyed by a keyed hash, and "answered" as a flag without a time.

Before: ``SubmissionReceipt`` named the invitation and ``Invitation.used_at`` was written by
the submit itself, both in submission order beside the response. This migration writes a
``SubmissionGuard`` row (HMAC of the invitation, key outside the database) for every
receipt, sets ``Invitation.answered`` where ``used_at`` was set — one row at a time in a
shuffled order, so the rewritten rows are not laid out in submission order — and drops
``used_at`` and the receipts. On PostgreSQL the old row versions stay on disk until
``VACUUM FULL surveys_invitation`` (docs/privacy.md, "Upgrading").
"""

import secrets

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils.crypto import salted_hmac

# Frozen copy of surveys.services.guard.guard_digest as of this migration.
GUARD_SALT = "peakos.surveys.SubmissionGuard"


def _digest(invitation_id: int) -> str:
    secret = getattr(settings, "SUBMISSION_GUARD_KEY", "") or settings.SECRET_KEY
    return salted_hmac(GUARD_SALT, f"invitation:{invitation_id}", secret=secret, algorithm="sha256").hexdigest()


def carry_over(apps, schema_editor) -> None:
    Invitation = apps.get_model("surveys", "Invitation")
    Receipt = apps.get_model("surveys", "SubmissionReceipt")
    Guard = apps.get_model("surveys", "SubmissionGuard")
    shuffle = secrets.SystemRandom().shuffle
    receipts = list(Receipt.objects.values_list("invitation_id", "organization_id", "invitation__round_id"))
    shuffle(receipts)
    Guard.objects.bulk_create(
        (Guard(digest=_digest(inv), organization_id=org, round_id=round_id) for inv, org, round_id in receipts),
        batch_size=500,
        ignore_conflicts=True,
    )
    used = list(Invitation.objects.filter(used_at__isnull=False).values_list("pk", flat=True))
    shuffle(used)
    table = schema_editor.connection.ops.quote_name(Invitation._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET answered = %s WHERE id = %s", [(True, pk) for pk in used])


class Migration(migrations.Migration):
    dependencies = [
        ("peakos", "0006_retention_and_deletion_record"),
        ("surveys", "0008_random_response_ids"),
    ]

    operations = [
        migrations.CreateModel(
            name="SubmissionGuard",
            fields=[
                ("digest", models.CharField(max_length=64, primary_key=True, serialize=False)),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="peakos.organization"
                    ),
                ),
                (
                    "round",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="surveys.round"
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="invitation",
            name="answered",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="round",
            name="marks_applied_at",
            field=models.DateTimeField(
                blank=True,
                help_text="The mark moment (reminder or close) whose answered marks were applied.",
                null=True,
            ),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="invitation", name="surveys_inv_round_i_8c2bd4_idx"),
        migrations.RemoveField(model_name="invitation", name="used_at"),
        migrations.AddIndex(
            model_name="invitation",
            index=models.Index(fields=["round", "answered"], name="surveys_inv_round_i_e40624_idx"),
        ),
        migrations.DeleteModel(name="SubmissionReceipt"),
    ]
