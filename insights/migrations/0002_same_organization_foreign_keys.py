"""PostgreSQL: every team, round and priority an insights row points at belongs to the row's organization."""

from django.db import migrations

from peakos.dbconstraints import same_organization_fk

LINKS = [
    ("insights_snapshot", "round_id", "surveys_round"),
    ("insights_snapshot", "team_id", "peakos_team"),
    ("insights_participation", "round_id", "surveys_round"),
    ("insights_participation", "team_id", "peakos_team"),
    ("insights_priorityalignment", "round_id", "surveys_round"),
    ("insights_priorityalignment", "team_id", "peakos_team"),
    ("insights_priorityalignment", "top_priority_id", "peakos_priority"),
    ("insights_coordinationcell", "round_id", "surveys_round"),
    ("insights_coordinationcell", "rater_team_id", "peakos_team"),
    ("insights_coordinationcell", "rated_team_id", "peakos_team"),
    ("insights_signal", "round_id", "surveys_round"),
    ("insights_signal", "team_id", "peakos_team"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0001_initial"),
        ("surveys", "0003_same_organization_foreign_keys"),
    ]

    operations = [same_organization_fk(table, column, ref) for table, column, ref in LINKS]
