from django.db import migrations

from peakos.dbconstraints import same_organization_fk


class Migration(migrations.Migration):
    """PostgreSQL: every reference inside a review stays inside one organization."""

    dependencies = [("reviews", "0001_initial")]

    operations = [
        same_organization_fk("reviews_businessreview", "cycle_id", "reviews_reviewcycle"),
        same_organization_fk("reviews_businessreview", "team_id", "peakos_team"),
        same_organization_fk("reviews_metric", "review_id", "reviews_businessreview"),
        same_organization_fk("reviews_reviewpriority", "review_id", "reviews_businessreview"),
        same_organization_fk("reviews_reviewpriority", "parent_id", "peakos_priority"),
        same_organization_fk("reviews_reviewpriority", "priority_id", "peakos_priority"),
        same_organization_fk("reviews_risk", "review_id", "reviews_businessreview"),
        same_organization_fk("reviews_risk", "owner_id", "peakos_person"),
        same_organization_fk("reviews_ask", "review_id", "reviews_businessreview"),
        same_organization_fk("reviews_ask", "to_team_id", "peakos_team"),
        same_organization_fk("reviews_reviewversion", "review_id", "reviews_businessreview"),
        same_organization_fk("reviews_action", "owner_id", "peakos_person"),
        same_organization_fk("reviews_action", "scope_team_id", "peakos_team"),
        same_organization_fk("reviews_action", "review_id", "reviews_businessreview"),
    ]
