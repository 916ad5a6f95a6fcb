"""Answers in every language are answers to the same questions: one set of results.

Oracle: the same organization answering the same values all in English gives the same
figures, scope by scope and dimension by dimension.
"""

import pytest

from insights.models import Participation, Snapshot
from insights.recompute import recompute_round
from peakos.models import Organization, Person
from surveys import selectors
from surveys.models import Answer, Invitation, Question, Response
from tests.surveys.factories import link_for, make_survey, open_now, with_priorities_and_dependencies

pytestmark = pytest.mark.django_db

KEYS = ["alignment-priorities", "alignment-why", "alignment-connections", "team-health-trust", "enps", "comment"]
# Person (by e-mail's local part) → language; the same six people exist in tenant A and B.
LANGUAGES = {"manager.person": "en", "p0": "de", "p1": "fr", "p2": "ja", "p3": "pt-br", "p4": "es"}
WORDS = {
    "de": "Antworten senden",
    "fr": "Envoyer mes réponses",
    "ja": "回答を送信する",
    "pt-br": "Enviar minhas respostas",
}


def _answers(round_, team_id, i):
    data = {}
    for item in selectors.answer_sheet(round_, team_id=team_id).items:
        kind = item.question.kind
        if kind == "likert5":
            data[item.name] = str(1 + (i + item.number) % 5)
        elif kind == "scale10":
            data[item.name] = str(4 + i)
        elif kind == "text":
            data[item.name] = f"Comment {i}"
    return data


def _everyone_answers(client, tenant, *, multilingual):
    with_priorities_and_dependencies(tenant)
    Organization.objects.filter(pk=tenant.org.pk).update(anonymity_threshold=3, comment_threshold=3)
    tenant.org.refresh_from_db()
    if multilingual:
        for local, language in LANGUAGES.items():
            Person.objects.filter(organization=tenant.org, email__startswith=f"{local}@").update(language=language)
    round_ = open_now(make_survey(tenant, keys=KEYS))
    for i, local in enumerate(LANGUAGES):
        invitation = Invitation.objects.get(round=round_, person__email__startswith=f"{local}@")
        link = link_for(invitation)
        page = client.get(link).content.decode()
        if multilingual and local != "manager.person":
            assert f'<html lang="{LANGUAGES[local]}">' in page
            assert WORDS.get(LANGUAGES[local], "") in page
        response = client.post(link, _answers(round_, invitation.team_id, i))
        assert response.status_code == 200 and Response.objects.filter(round=round_).count() == i + 1
    recompute_round(round_=round_)
    return round_


def _figures(round_):
    team_names = dict(round_.organization.teams.values_list("id", "name"))
    return sorted(
        (kind, team_names.get(team), layer, dimension, suppressed, respondents, score, mean)
        for kind, team, layer, dimension, suppressed, respondents, score, mean in Snapshot.objects.filter(
            round=round_
        ).values_list("scope_kind", "team_id", "layer", "dimension", "suppressed", "respondents", "score", "mean")
    )


def test_answers_in_six_languages_give_the_results_of_answers_in_one(client, tenant_a, tenant_b):
    mixed = _everyone_answers(client, tenant_a, multilingual=True)
    english = _everyone_answers(client, tenant_b, multilingual=False)

    figures = _figures(mixed)
    assert figures == [(*f[:1], f[1].replace("Bravo", "Alpha") if f[1] else f[1], *f[2:]) for f in _figures(english)]
    organization = Snapshot.objects.get(round=mixed, scope_kind="organization", dimension="alignment")
    assert organization.respondents == 6 and not organization.suppressed and organization.score is not None
    assert Participation.objects.get(round=mixed, scope_kind="organization").respondents == 6


def test_every_language_answers_the_same_question_rows(client, tenant_a):
    round_ = _everyone_answers(client, tenant_a, multilingual=True)
    asked = set(Question.objects.filter(organization=tenant_a.org, key__in=KEYS).values_list("id", flat=True))
    answered = set(Answer.objects.filter(response__round=round_).values_list("question_id", flat=True))
    assert answered == asked and len(asked) == len(KEYS)  # one row per question, whatever the language
    # The language someone answered in is stored nowhere near the answers (anonymity: a lone
    # Japanese speaker in a team would be recognisable).
    for model in (Response, Answer):
        assert not any("lang" in field.name for field in model._meta.get_fields())
