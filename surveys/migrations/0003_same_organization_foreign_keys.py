"""PostgreSQL: every reference between tenant tables stays inside one organization."""

from django.db import migrations

from peakos.dbconstraints import same_organization_fk


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_load_question_bank"), ("peakos", "0002_same_organization_foreign_keys")]

    operations = [
        same_organization_fk("surveys_surveyquestion", "survey_id", "surveys_survey"),
        same_organization_fk("surveys_surveyquestion", "question_id", "surveys_question"),
        same_organization_fk("surveys_surveyteam", "survey_id", "surveys_survey"),
        same_organization_fk("surveys_surveyteam", "team_id", "peakos_team"),
        same_organization_fk("surveys_round", "survey_id", "surveys_survey"),
        same_organization_fk("surveys_roundquestion", "round_id", "surveys_round"),
        same_organization_fk("surveys_roundquestion", "question_id", "surveys_question"),
        same_organization_fk("surveys_invitation", "round_id", "surveys_round"),
        same_organization_fk("surveys_invitation", "person_id", "peakos_person"),
        same_organization_fk("surveys_invitation", "team_id", "peakos_team"),
        same_organization_fk("surveys_invitationtoken", "invitation_id", "surveys_invitation"),
        same_organization_fk("surveys_submissionreceipt", "invitation_id", "surveys_invitation"),
        same_organization_fk("surveys_response", "round_id", "surveys_round"),
        same_organization_fk("surveys_response", "team_id", "peakos_team"),
        same_organization_fk("surveys_answer", "response_id", "surveys_response"),
        same_organization_fk("surveys_answer", "question_id", "surveys_question"),
        same_organization_fk("surveys_answer", "rated_team_id", "peakos_team"),
        same_organization_fk("surveys_answer", "priority_id", "peakos_priority"),
    ]
