"""Manager effectiveness: a manager's direct reports are a scope of the disclosure audit.

Shown at the threshold, hidden below it, and hidden when a published team scope minus the
manager's group would leave fewer than k respondents; one organization's managers never
appear in another's.
"""

import pytest

from insights import recompute as insights_services
from insights.vocabulary import FEW, PROTECT
from leadership import effectiveness
from peakos.models import Layer
from surveys.models import Answer, Question, Response, RoundQuestion
from tests.factories import PersonFactory
from tests.insights.factories import RoundBuilder, survey


def _managers(tenant, n=2):
    return [
        PersonFactory(organization=tenant.org, name=f"Manager {i}", team=tenant.team, layer=Layer.MANAGER)
        for i in range(n)
    ]


def _scored(builder: RoundBuilder):
    round_ = builder.save()
    insights_services.recompute_round(round_=round_)
    return round_


def test_a_group_at_the_threshold_is_shown_with_its_scores(tenant_a):
    (manager,) = _managers(tenant_a, 1)
    builder = RoundBuilder(tenant_a.org, survey(tenant_a.org))
    builder.respond(tenant_a.subteam, likert=4, times=5, manager=manager)
    builder.respond(tenant_a.other_team, likert=2, times=6)
    result = effectiveness.round_managers(_scored(builder))
    figures = result.managers[manager.pk]
    assert figures.respondents.shown and figures.respondents.respondents == 5
    assert figures.dimensions["alignment"].score == pytest.approx(75.0)
    assert figures.items["alignment-why"].score == pytest.approx(75.0)
    assert result.organization["alignment"] == pytest.approx((5 * 75 + 6 * 25) / 11)


def test_a_manager_with_four_direct_reports_sees_nothing_at_threshold_five(tenant_a):
    (manager,) = _managers(tenant_a, 1)
    builder = RoundBuilder(tenant_a.org, survey(tenant_a.org))
    builder.respond(tenant_a.subteam, times=4, manager=manager)
    builder.respond(tenant_a.other_team, times=8)
    figures = effectiveness.round_managers(_scored(builder)).managers[manager.pk]
    assert figures.respondents.reason == FEW and figures.respondents.respondents is None
    assert all(f.score is None and f.reason for f in figures.dimensions.values())
    assert all(f.score is None and f.reason for f in figures.items.values())


def test_a_group_a_shown_team_differs_from_by_fewer_than_k_is_protected(tenant_a):
    """Subteam (7 respondents) is published; the manager's 5 reports are in it: subteam minus
    the manager would show the other 2, so the audit hides the manager's group."""
    (manager,) = _managers(tenant_a, 1)
    builder = RoundBuilder(tenant_a.org, survey(tenant_a.org))
    builder.respond(tenant_a.subteam, times=5, manager=manager)
    builder.respond(tenant_a.subteam, times=2)
    builder.respond(tenant_a.other_team, times=8)
    round_ = _scored(builder)
    from insights.models import Snapshot

    assert Snapshot.objects.filter(round=round_, team=tenant_a.subteam, suppressed=False).exists()
    figures = effectiveness.round_managers(round_).managers[manager.pk]
    assert figures.respondents.reason == PROTECT
    assert all(f.reason for f in figures.dimensions.values())


def test_two_managers_whose_groups_tell_each_other_apart_are_not_both_shown(tenant_a):
    """Two managers split one published team 5 + 5 with 2 more who have no manager: both
    groups and the team would isolate the 2."""
    first, second = _managers(tenant_a, 2)
    builder = RoundBuilder(tenant_a.org, survey(tenant_a.org))
    builder.respond(tenant_a.subteam, times=5, manager=first)
    builder.respond(tenant_a.subteam, times=5, manager=second)
    builder.respond(tenant_a.subteam, times=2)
    builder.respond(tenant_a.other_team, times=8)
    result = effectiveness.round_managers(_scored(builder))
    shown = [m for m in (first, second) if result.managers[m.pk].respondents.shown]
    assert len(shown) <= 1


def test_an_item_answered_by_fewer_than_k_of_a_shown_group_is_hidden(tenant_a):
    (manager,) = _managers(tenant_a, 1)
    builder = RoundBuilder(tenant_a.org, survey(tenant_a.org))
    builder.respond(tenant_a.subteam, times=3, manager=manager)
    builder.respond(tenant_a.subteam, likert={"alignment-priorities": 4, "alignment-why": None}, times=3,
                    manager=manager)  # fmt: skip
    builder.respond(tenant_a.other_team, times=8)
    figures = effectiveness.round_managers(_scored(builder)).managers[manager.pk]
    assert figures.dimensions["alignment"].shown
    assert figures.items["alignment-priorities"].shown
    assert not figures.items["alignment-why"].shown


def test_an_open_round_has_no_manager_figures(tenant_a):
    (manager,) = _managers(tenant_a, 1)
    builder = RoundBuilder(tenant_a.org, survey(tenant_a.org), status="open")
    builder.respond(tenant_a.subteam, times=6, manager=manager)
    assert effectiveness.round_managers(builder.save()) is None


def test_another_organizations_managers_never_appear(tenant_a, tenant_b):
    (manager_a,) = _managers(tenant_a, 1)
    (manager_b,) = _managers(tenant_b, 1)
    for tenant, manager in ((tenant_a, manager_a), (tenant_b, manager_b)):
        builder = RoundBuilder(tenant.org, survey(tenant.org))
        builder.respond(tenant.subteam, times=6, manager=manager)
        builder.respond(tenant.other_team, times=6)
        round_ = _scored(builder)
        assert set(effectiveness.round_managers(round_).managers) == {manager.pk}


def test_the_leadership_dimension_is_scored_from_its_items(tenant_a):
    (manager,) = _managers(tenant_a, 1)
    builder = RoundBuilder(tenant_a.org, survey(tenant_a.org))
    builder.respond(tenant_a.subteam, times=6, manager=manager)
    builder.respond(tenant_a.other_team, times=6)
    round_ = builder.save()
    question = Question.objects.create(
        organization=tenant_a.org, key="leadership-support", dimension="leadership", kind="likert5", text="Support"
    )
    RoundQuestion.objects.create(organization=tenant_a.org, round=round_, question=question, position=99)
    Answer.objects.bulk_create(
        Answer(organization=tenant_a.org, response=r, question=question, value=5 if r.manager_id else 1)
        for r in Response.objects.filter(round=round_)
    )
    insights_services.recompute_round(round_=round_)
    figures = effectiveness.round_managers(round_).managers[manager.pk]
    assert figures.dimensions["leadership"].score == pytest.approx(100.0)
    assert figures.items["leadership-support"].score == pytest.approx(100.0)


# --------------------------------------------------------------------------- the page


def _page_round(tenant):
    """A closed round in which tenant.people[0] manages 6 respondents of the subteam."""
    manager = tenant.people[0]
    builder = RoundBuilder(tenant.org, survey(tenant.org))
    builder.respond(tenant.subteam, likert=5, times=6, manager=manager)
    builder.respond(tenant.other_team, likert=2, times=6)
    return manager, _scored(builder)


def test_leaders_read_every_managers_figures_on_the_page(client, tenant_a):
    from django.urls import reverse

    manager, _round = _page_round(tenant_a)
    client.force_login(tenant_a.users["leader"])
    page = client.get(reverse("manager_effectiveness", args=[tenant_a.org.slug])).content.decode()
    assert manager.name in page and "6 direct reports answered." in page and "100" in page


def test_a_manager_reads_their_own_and_a_member_without_reports_reads_nothing(client, tenant_a):
    from django.urls import reverse

    manager, _round = _page_round(tenant_a)
    url = reverse("manager_effectiveness", args=[tenant_a.org.slug])
    manager.user = tenant_a.users["member"]
    manager.save(update_fields=["user"])
    client.force_login(tenant_a.users["member"])
    assert "6 direct reports answered." in client.get(url).content.decode()
    manager.user = None
    manager.save(update_fields=["user"])
    page = client.get(url).content.decode()
    assert manager.name not in page and "not linked to a manager" in page


def test_the_managers_own_manager_reads_their_figures(client, tenant_a):
    from django.urls import reverse

    manager, _round = _page_round(tenant_a)
    boss = tenant_a.people[1]
    boss.user = tenant_a.users["member"]
    boss.save(update_fields=["user"])
    manager.manager = boss
    manager.save(update_fields=["manager"])
    client.force_login(tenant_a.users["member"])
    page = client.get(reverse("manager_effectiveness", args=[tenant_a.org.slug])).content.decode()
    assert manager.name in page and "6 direct reports answered." in page


def test_the_page_never_shows_another_organizations_managers(client, tenant_a, tenant_b):
    from django.urls import reverse

    manager_b, _round = _page_round(tenant_b)
    client.force_login(tenant_a.users["leader"])
    page = client.get(reverse("manager_effectiveness", args=[tenant_a.org.slug])).content.decode()
    assert manager_b.name not in page
    assert client.get(reverse("manager_effectiveness", args=[tenant_b.org.slug])).status_code == 404


def test_the_page_speaks_german_to_a_german_leader(client, tenant_a):
    from django.urls import reverse

    _page_round(tenant_a)
    leader = tenant_a.users["leader"]
    leader.language = "de"
    leader.save(update_fields=["language"])
    client.force_login(leader)
    page = client.get(reverse("manager_effectiveness", args=[tenant_a.org.slug])).content.decode()
    assert "Führungswirkung" in page and "6 direkt unterstellte Personen haben geantwortet." in page
    assert "Veränderung seit der letzten Runde" in page and "direct reports answered" not in page


def test_figures_are_computed_when_the_cache_is_down(tenant_a, monkeypatch):
    """Redis down (the deployed cache) must not turn the manager page into an error."""
    from leadership import effectiveness as module

    (manager,) = _managers(tenant_a, 1)
    builder = RoundBuilder(tenant_a.org, survey(tenant_a.org))
    builder.respond(tenant_a.subteam, likert=4, times=5, manager=manager)
    builder.respond(tenant_a.other_team, likert=2, times=6)
    round_ = _scored(builder)

    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(module.cache, "get", down)
    monkeypatch.setattr(module.cache, "set", down)
    result = module.round_managers(round_)
    assert result.managers[manager.pk].dimensions["alignment"].score == pytest.approx(75.0)
