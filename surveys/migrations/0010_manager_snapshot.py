"""The manager snapshot: an invitation (and the response sent from it) carries the person's
manager as it was when the round opened, the group label that manager effectiveness counts
(leadership/effectiveness.py). Composite foreign keys keep it inside the organization."""

import django.db.models.deletion
from django.db import migrations, models

from peakos.dbconstraints import same_organization_fk


class Migration(migrations.Migration):

    dependencies = [
        ('peakos', '0010_api_token_expiry_and_flag'),
        ('surveys', '0009_guard_without_invitation'),
    ]

    operations = [
        migrations.AddField(
            model_name='invitation',
            name='manager',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='peakos.person'),
        ),
        migrations.AddField(
            model_name='response',
            name='manager',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='peakos.person'),
        ),
        migrations.AddIndex(
            model_name='response',
            index=models.Index(fields=['round', 'manager'], name='surveys_res_round_i_99f0c0_idx'),
        ),
        same_organization_fk("surveys_invitation", "manager_id", "peakos_person"),
        same_organization_fk("surveys_response", "manager_id", "peakos_person"),
    ]
