"""The leader and admin screens in German: every main page, rendered for a logged-in user
whose language is ``de``, has no English sentence left (the same check as the employee
pages, tests/i18n/pages.py), and speaks German (``<html lang="de">``).

The demo organization (seed_demo) gives every page something to show: people and teams,
a survey with rounds and results, a review cycle with filed reviews, weekly meetings.
What people typed (names, titles, review texts, issues) stays as typed in every language,
so every text stored for the organization counts as data, except question wording, which
the dashboards show in the reader's language (bank questions ship in every language).
"""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django_scopes import scopes_disabled

from peakos import i18n
from peakos.models import Membership, Organization, Role
from reviews.models import BusinessReview, ReviewCycle, ReviewVersion
from rhythm.models import Meeting
from surveys.models import Round, Survey
from tests.i18n.pages import english_left, pieces, segments

pytestmark = pytest.mark.django_db

# Model fields whose values are not what someone typed but words of the product.
NOT_DATA = {("surveys", "question")}
# The pages checked so far (the screens are translated directory by directory).
CHECKED = {"reviews", "review", "review team"}
# Written the same in German: a month's abbreviation in a date ("26 Nov 2026"), units.
SAME_IN_GERMAN = ["Nov", "Sep", "Apr", "Aug", "Jan", "Jun", "Jul", "min", "UTC", "CSV", "API", "E-Mail", "Team", "eNPS"]


def stored_texts(org) -> list[str]:
    """Every string stored for ``org`` by its people (any tenant model's text fields)."""
    texts = [org.name, org.timezone, "Peak OS", *[i18n.language_name(c) for c in i18n.shipped_languages()]]
    for model in apps.get_models():
        key = (model._meta.app_label, model._meta.model_name)
        if key in NOT_DATA or not any(f.name == "organization" for f in model._meta.fields):
            continue
        fields = [
            f.name
            for f in model._meta.fields
            if isinstance(f, models.CharField | models.TextField) and not f.choices and f.name != "language"
        ]
        if fields:
            for row in model._base_manager.filter(organization=org).values_list(*fields):
                texts.extend(str(v) for v in row if v and len(str(v)) > 1)
    texts.extend(
        name for name in Membership.objects.filter(organization=org).values_list("user__name", flat=True) if name
    )
    # The other organizations of its people (the organization menu names them), the review
    # cycles' names ("QBR 2026-Q4"), and what people typed that the versions keep as JSON.
    users = Membership.objects.filter(organization=org).values("user")
    texts.extend(Membership.objects.filter(user__in=users).values_list("organization__name", flat=True))
    texts.extend(str(cycle) for cycle in ReviewCycle.objects.filter(organization=org))
    texts.extend(
        ReviewVersion.objects.filter(organization=org)
        .exclude(decision_comment="")
        .values_list("decision_comment", flat=True)
    )
    # A typed paragraph is read sentence by sentence, like the page.
    return texts + [piece for text in texts for piece in pieces(text)]


def leader_pages(org) -> list[tuple[str, str, str]]:
    """(page, role, url) of the main leader and admin screens."""
    slug = org.slug
    survey = Survey.objects.filter(organization=org).order_by("pk").first()
    round_ = Round.objects.filter(organization=org, survey=survey).order_by("-number").first()
    review = BusinessReview.objects.filter(organization=org).order_by("pk").first()
    meeting = Meeting.objects.filter(organization=org).order_by("-pk").first()
    team = review.team
    return [
        ("home", "owner", reverse("org_home", args=[slug])),
        ("organization settings", "owner", reverse("org_settings", args=[slug])),
        ("members", "owner", reverse("members", args=[slug])),
        ("people", "owner", reverse("manage_people", args=[slug])),
        ("teams", "owner", reverse("manage_teams", args=[slug])),
        ("team", "owner", reverse("manage_team", args=[slug, team.pk])),
        ("surveys", "owner", reverse("surveys", args=[slug])),
        ("survey", "owner", reverse("survey_detail", args=[slug, survey.pk])),
        ("survey setup", "owner", reverse("survey_edit", args=[slug, survey.pk])),
        ("questions", "owner", reverse("survey_questions", args=[slug])),
        ("round", "owner", reverse("round_detail", args=[slug, round_.pk])),
        ("dashboard", "leader", reverse("dashboard", args=[slug])),
        ("manager effectiveness", "leader", reverse("manager_effectiveness", args=[slug])),
        ("reviews", "owner", reverse("reviews_home", args=[slug])),
        ("review", "owner", reverse("review_detail", args=[slug, review.pk])),
        ("review team", "owner", reverse("review_team", args=[slug, team.pk])),
        ("rhythm", "owner", reverse("rhythm_home", args=[slug])),
        ("meeting", "owner", reverse("rhythm_meeting", args=[slug, meeting.pk])),
    ]


@pytest.fixture
def northwind():
    call_command("seed_demo", verbosity=0)
    with scopes_disabled():
        return Organization.objects.get(slug="northwind")


def _render(client, user, url, language):
    type(user).objects.filter(pk=user.pk).update(language=language)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_main_leader_and_admin_pages_are_in_german(client, northwind):
    data = [*stored_texts(northwind), *SAME_IN_GERMAN]
    users = {m.role: m.user for m in Membership.objects.filter(organization=northwind).select_related("user")}
    users.setdefault(Role.LEADER, users[Role.OWNER])
    left = {}
    for page, role, url in leader_pages(northwind):
        if page not in CHECKED:
            continue
        user = users[role]
        english, german = _render(client, user, url, "en"), _render(client, user, url, "de")
        assert '<html lang="de">' in german, page
        assert segments(english) != segments(german), page
        if found := english_left(english, german, "de", data=data):
            left[page] = found
    assert left == {}, "English left on the German leader pages"


def test_the_login_page_is_in_the_browsers_language(client):
    english = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    german = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="de">' in german
    assert english_left(english, german, "de", data=["Peak OS", *SAME_IN_GERMAN]) == []
    assert "Anmelden" in german
