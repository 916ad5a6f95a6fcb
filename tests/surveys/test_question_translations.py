"""Questions in several languages: the form's per-language wording, the fallback to the
organization's default language (flagged on the survey's page), and versions: rewording
any language an answered question had makes a new version; adding a language does not."""

import pytest
from django.urls import reverse

from peakos.models import Organization
from surveys.models import Answer, Question
from surveys.services import questions as question_services
from tests.surveys.factories import link_for, make_survey, open_now, valid_answers

pytestmark = pytest.mark.django_db


def _create(client, tenant, **fields):
    data = {"dimension": "team_health", "kind": "likert5", "required": "on", **fields}
    return client.post(reverse("survey_question_create", args=[tenant.org.slug]), data)


def test_the_form_takes_a_wording_for_each_enabled_language(as_role, tenant_a):
    Organization.objects.filter(pk=tenant_a.org.pk).update(languages=["en", "de", "ja"])
    client = as_role("admin")
    page = client.get(reverse("survey_question_create", args=[tenant_a.org.slug])).content.decode()
    assert "Wording (English)" in page and "Wording (Deutsch)" in page and "Wording (日本語)" in page
    assert "Wording (Français)" not in page
    response = _create(
        client,
        tenant_a,
        text="I have time to learn new things.",
        text_de="Ich habe Zeit, Neues zu lernen.",
        text_ja="新しいことを学ぶ時間があります。",
    )
    assert response.status_code == 302
    question = Question.objects.get(organization=tenant_a.org, key__startswith="org-i-have-time")
    assert question.language == "en"
    assert question.translations == {
        "de": {"text": "Ich habe Zeit, Neues zu lernen."},
        "ja": {"text": "新しいことを学ぶ時間があります。"},
    }


def test_a_single_choice_translation_needs_the_same_options(as_role, tenant_a):
    Organization.objects.filter(pk=tenant_a.org.pk).update(languages=["en", "fr"])
    response = _create(
        as_role("admin"),
        tenant_a,
        kind="single_choice",
        text="Where do you work?",
        options="Office\nHome",
        text_fr="Où travaillez-vous ?",
        options_fr="Bureau",
    )
    assert response.status_code == 200
    assert "Give the same 2 options as the original" in response.content.decode()
    assert not Question.objects.filter(organization=tenant_a.org, key__startswith="org-where").exists()


def test_a_missing_translation_falls_back_to_the_organizations_default_and_is_flagged(as_role, client, tenant_a):
    Organization.objects.filter(pk=tenant_a.org.pk).update(default_language="de")
    tenant_a.org.refresh_from_db()
    own = question_services.create_question(
        organization=tenant_a.org,
        actor=None,
        dimension="team_health",
        kind="likert5",
        text="Ich habe Zeit, Neues zu lernen.",
        translations={"fr": {"text": "J’ai le temps d’apprendre de nouvelles choses."}},
    )
    assert own.language == "de"  # written in the organization's default language
    survey = make_survey(tenant_a, keys=["alignment-why", own.key])
    detail = as_role("admin").get(reverse("survey_detail", args=[tenant_a.org.slug, survey.id])).content.decode()
    assert detail.count("data-missing-languages=") == 1  # the bank question has every language
    assert 'data-missing-languages="en es pt-br nl it ja"' in detail
    assert "those readers get the Deutsch wording" in detail

    client.logout()
    round_ = open_now(survey)
    page = client.get(link_for(round_.invitations.first()) + "?lang=ja").content.decode()
    assert '<span class="survey-q-text" lang="de">Ich habe Zeit, Neues zu lernen.</span>' in page
    assert "これらの優先事項が選ばれた理由を理解しています。" in page
    french = client.get(link_for(round_.invitations.last()) + "?lang=fr").content.decode()
    assert "J’ai le temps d’apprendre de nouvelles choses." in french


def test_a_bank_question_comes_with_every_language(tenant_a):
    (question,) = question_services.ensure_questions(organization=tenant_a.org, keys=["alignment-why"])
    assert question.language == "en" and len(question.translations) == 7
    assert question.wording("it").text == "Capisco perché sono state scelte queste priorità."
    assert question.wording("xx", "en").text == "I understand why these priorities were chosen."


@pytest.fixture
def answered(tenant_a, client):
    """A custom question (English, with a German translation) that one person answered."""
    own = question_services.create_question(
        organization=tenant_a.org,
        actor=None,
        dimension="team_health",
        kind="likert5",
        text="I have time to learn.",
        translations={"de": {"text": "Ich habe Zeit zu lernen."}},
    )
    round_ = open_now(make_survey(tenant_a, keys=[own.key]))
    invitation = round_.invitations.first()
    client.post(link_for(invitation), valid_answers(round_, invitation.team_id))
    assert Answer.objects.filter(question=own).count() == 1
    return own


def _edit(question, translations):
    return question_services.edit_question(
        question=question, actor=None, text=question.text, required=True, translations=translations
    )


def test_adding_a_language_to_an_answered_question_keeps_its_version(answered):
    same = _edit(answered, {**answered.translations, "ja": {"text": "学ぶ時間があります。"}})
    assert same.pk == answered.pk and same.version == 1
    assert same.wording("ja").text == "学ぶ時間があります。"


def test_rewording_one_language_of_an_answered_question_makes_a_new_version(answered):
    new = _edit(answered, {"de": {"text": "Ich habe genug Zeit zu lernen."}})
    assert (new.key, new.version) == (answered.key, 2) and new.pk != answered.pk
    old = Question.objects.get(pk=answered.pk)
    assert not old.active and old.wording("de").text == "Ich habe Zeit zu lernen."  # its answers keep their wording
    assert new.wording("de").text == "Ich habe genug Zeit zu lernen."


def test_removing_a_language_of_an_answered_question_makes_a_new_version(answered):
    new = _edit(answered, {})
    assert new.version == 2 and new.wording("de").language == "en"


def test_the_edit_form_keeps_languages_the_organization_turned_off(as_role, tenant_a):
    question = question_services.create_question(
        organization=tenant_a.org,
        actor=None,
        dimension="team_health",
        kind="likert5",
        text="I have time to learn.",
        translations={"de": {"text": "Ich habe Zeit zu lernen."}, "nl": {"text": "Ik heb tijd om te leren."}},
    )
    Organization.objects.filter(pk=tenant_a.org.pk).update(languages=["en", "de"])
    url = reverse("survey_question_edit", args=[tenant_a.org.slug, question.id])
    client = as_role("admin")
    assert "Wording (Nederlands)" not in client.get(url).content.decode()
    response = client.post(url, {"text": question.text, "required": "on", "text_de": "Ich habe Zeit, um zu lernen."})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.translations == {
        "de": {"text": "Ich habe Zeit, um zu lernen."},
        "nl": {"text": "Ik heb tijd om te leren."},
    }
