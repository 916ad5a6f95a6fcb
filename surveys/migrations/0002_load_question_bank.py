"""Load the built-in question bank (surveys/bank.py, BANK_V1, frozen)."""

from django.db import migrations

from surveys.bank import BANK_V1


def load_bank(apps, schema_editor):
    BankQuestion = apps.get_model("surveys", "BankQuestion")
    for position, (key, dimension, kind, text, required) in enumerate(BANK_V1):
        BankQuestion.objects.update_or_create(
            key=key,
            defaults={"dimension": dimension, "kind": kind, "text": text, "required": required, "position": position},
        )


def unload_bank(apps, schema_editor):
    apps.get_model("surveys", "BankQuestion").objects.filter(key__in=[row[0] for row in BANK_V1]).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(load_bank, unload_bank)]
