"""The Django admin lists survey objects for superusers, read-only, and no answers at all."""

from django.urls import NoReverseMatch, reverse

from tests.factories import UserFactory


def test_superusers_see_surveys_and_rounds_read_only(client, open_round):
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    for name in ("surveys_survey", "surveys_round", "surveys_question", "surveys_bankquestion"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:surveys_survey_add")).status_code == 403


def test_answers_and_invitations_are_not_in_the_admin():
    for name in ("surveys_response", "surveys_answer", "surveys_invitation"):
        try:
            reverse(f"admin:{name}_changelist")
        except NoReverseMatch:
            continue
        raise AssertionError(f"{name} should not be in the admin")
