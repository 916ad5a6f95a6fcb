from django.db import migrations

from peakos.dbconstraints import same_organization_fk


class Migration(migrations.Migration):
    """PostgreSQL: every reference inside the rhythm stays inside one organization."""

    dependencies = [("rhythm", "0001_initial"), ("peakos", "0002_same_organization_foreign_keys")]

    operations = [
        same_organization_fk("rhythm_meetingseries", "team_id", "peakos_team"),
        same_organization_fk("rhythm_meeting", "series_id", "rhythm_meetingseries"),
        same_organization_fk("rhythm_meeting", "team_id", "peakos_team"),
        same_organization_fk("rhythm_attendee", "meeting_id", "rhythm_meeting"),
        same_organization_fk("rhythm_attendee", "person_id", "peakos_person"),
        same_organization_fk("rhythm_measurable", "team_id", "peakos_team"),
        same_organization_fk("rhythm_measurable", "owner_id", "peakos_person"),
        same_organization_fk("rhythm_measurableentry", "measurable_id", "rhythm_measurable"),
        same_organization_fk("rhythm_issue", "team_id", "peakos_team"),
        same_organization_fk("rhythm_issue", "raised_to_id", "peakos_team"),
        same_organization_fk("rhythm_issue", "raised_by_id", "peakos_person"),
        same_organization_fk("rhythm_issue", "solved_in_id", "rhythm_meeting"),
        same_organization_fk("rhythm_decision", "team_id", "peakos_team"),
        same_organization_fk("rhythm_decision", "issue_id", "rhythm_issue"),
        same_organization_fk("rhythm_decision", "meeting_id", "rhythm_meeting"),
        same_organization_fk("rhythm_decision", "decided_by_id", "peakos_person"),
        same_organization_fk("rhythm_todo", "team_id", "peakos_team"),
        same_organization_fk("rhythm_todo", "owner_id", "peakos_person"),
        same_organization_fk("rhythm_todo", "issue_id", "rhythm_issue"),
        same_organization_fk("rhythm_todo", "meeting_id", "rhythm_meeting"),
    ]
