"""A survey that asks every kind of question (a custom single choice with its own
translations included) with an open round in tenant A."""

import pytest

from peakos import i18n
from peakos.models import Person, Priority, Team
from surveys.models import Invitation, Round
from surveys.services import questions as question_services
from tests.cache import clear_cache
from tests.surveys.factories import ALIGNMENT_PULSE, link_for, make_survey, open_now, with_priorities_and_dependencies

WORK_PLACE = {
    "en": ("Where do you mostly work these weeks?", ["In the office", "At home", "Both, about equally"]),
    "de": ("Wo arbeiten Sie in diesen Wochen überwiegend?", ["Im Büro", "Zu Hause", "Beides, etwa gleich viel"]),
    "fr": (
        "Où travaillez-vous surtout ces semaines-ci\u00a0?",
        ["Au bureau", "À la maison", "Les deux, à parts égales"],
    ),
    "es": ("¿Dónde trabajas sobre todo estas semanas?", ["En la oficina", "En casa", "En ambos, más o menos igual"]),
    "pt-br": (
        "Onde você tem trabalhado mais nestas semanas?",
        ["No escritório", "Em casa", "Nos dois, mais ou menos igual"],
    ),
    "nl": ("Waar werk je deze weken vooral?", ["Op kantoor", "Thuis", "Allebei, ongeveer evenveel"]),
    "it": (
        "Dove lavori soprattutto in queste settimane?",
        ["In ufficio", "A casa", "Entrambi, più o meno allo stesso modo"],
    ),
    "ja": ("この数週間、主にどこで働いていますか？", ["オフィス", "自宅", "両方ほぼ半々"]),
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    """Used and closed links count as bad links (tests/surveys/conftest.py does the same)."""
    clear_cache()
    yield
    clear_cache()


def work_place_question(tenant):
    text, options = WORK_PLACE["en"]
    return question_services.create_question(
        organization=tenant.org,
        actor=tenant.users["admin"],
        dimension="team_health",
        kind="single_choice",
        text=text,
        options=options,
        required=False,
        language="en",
        translations={code: {"text": t, "options": o} for code, (t, o) in WORK_PLACE.items() if code != "en"},
    )


@pytest.fixture
def every_kind(tenant_a):
    """(round, {email: link}) of a survey with likert, 0–10, text, single choice, rate-a-team and priority pick."""
    with_priorities_and_dependencies(tenant_a)
    custom = work_place_question(tenant_a)
    survey = make_survey(tenant_a, keys=[*ALIGNMENT_PULSE[:5], "rate-teams", custom.key, *ALIGNMENT_PULSE[5:]])
    round = open_now(survey)
    links = {inv.person.email: link_for(inv) for inv in Invitation.objects.filter(round=round).select_related("person")}
    return round, links


def names_that_stay(tenant) -> list[str]:
    """Data shown as it is in every language: names of the organization, survey, teams,
    priorities and languages (a language's own name), the product, the time zone."""
    return [
        tenant.org.name,
        *Team.objects.filter(organization=tenant.org).values_list("name", flat=True),
        *Priority.objects.filter(organization=tenant.org).values_list("title", flat=True),
        *Round.objects.filter(organization=tenant.org).values_list("survey__name", flat=True),
        *Person.objects.filter(organization=tenant.org).values_list("name", flat=True),
        *[i18n.language_name(code) for code in i18n.shipped_languages()],
        "Peak OS",
        tenant.org.timezone,
    ]
