"""Questions in several languages: every bank item ships in the 8 languages
(surveys/bank_translations.py, frozen), and organizations' copies of bank items that
still have the bank's wording get the same translations. Reworded copies keep none:
their English no longer matches the bank's translations."""

from django.db import migrations, models

from surveys.bank import BANK_V1
from surveys.bank_translations import bank_translations


def load_translations(apps, schema_editor):
    BankQuestion = apps.get_model("surveys", "BankQuestion")
    Question = apps.get_model("surveys", "Question")
    for key, _dimension, _kind, text, _required in BANK_V1:
        translations = bank_translations(key)
        BankQuestion.objects.filter(key=key).update(language="en", translations=translations)
        Question.objects.filter(key=key, from_bank=True, text=text, translations={}).update(
            language="en", translations=translations
        )


def unload_translations(apps, schema_editor):
    apps.get_model("surveys", "BankQuestion").objects.update(translations={})
    apps.get_model("surveys", "Question").objects.filter(from_bank=True).update(translations={})


class Migration(migrations.Migration):

    dependencies = [
        ('surveys', '0004_round_reminder_days'),
    ]

    operations = [
        migrations.AddField(
            model_name='bankquestion',
            name='language',
            field=models.CharField(default='en', help_text='The language of text.', max_length=12),
        ),
        migrations.AddField(
            model_name='bankquestion',
            name='translations',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='question',
            name='language',
            field=models.CharField(default='en', help_text='The language text, hint and options are written in.', max_length=12),
        ),
        migrations.AddField(
            model_name='question',
            name='translations',
            field=models.JSONField(blank=True, default=dict, help_text='The other languages: {code: {text, help_text, options}}.'),
        ),
        migrations.RunPython(load_translations, unload_translations),
    ]
