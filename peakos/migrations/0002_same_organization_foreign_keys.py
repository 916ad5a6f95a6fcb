from django.db import migrations

from peakos.dbconstraints import same_organization_fk


class Migration(migrations.Migration):
    dependencies = [("peakos", "0001_initial")]

    operations = [
        same_organization_fk("peakos_team", "parent_id", "peakos_team"),
        same_organization_fk("peakos_team", "lead_id", "peakos_person"),
        same_organization_fk("peakos_person", "team_id", "peakos_team"),
        same_organization_fk("peakos_person", "manager_id", "peakos_person"),
        same_organization_fk("peakos_teamdependency", "from_team_id", "peakos_team"),
        same_organization_fk("peakos_teamdependency", "to_team_id", "peakos_team"),
        same_organization_fk("peakos_priority", "parent_id", "peakos_priority"),
        same_organization_fk("peakos_priority", "team_id", "peakos_team"),
    ]
