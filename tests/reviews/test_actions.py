"""Action plans: who creates them, where they show, and whether the target score moved."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peakos.models import Role
from reviews import evidence
from reviews.models import Action, ActionStatus
from tests.reviews.factories import action_for
from tests.reviews.insights_data import closed_round, snapshot


def new_url(tenant):
    return reverse("review_action_create", args=[tenant.org.slug])


def action_post(tenant, **overrides):
    data = {
        "title": "Weekly priorities stand-up",
        "dimension": "alignment",
        "scope_team_id": str(tenant.team.pk),
        "owner_id": str(tenant.people[0].pk),
        "due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "source": "signal:7",
        "source_label": "Alignment dropped 12 points",
    }
    data.update(overrides)
    return data


@pytest.fixture
def rounds(tenant_a):
    """Three closed rounds: 30, 10 and 2 days ago; the action is created 20 days ago, between the first two."""
    now = timezone.now()
    r1 = closed_round(tenant_a, ended=now - timedelta(days=30), number=1)
    r2 = closed_round(tenant_a, ended=now - timedelta(days=10), number=2)
    r3 = closed_round(tenant_a, ended=now - timedelta(days=2), number=3)
    for rnd, team_score, org_score in ((r1, 50, 60), (r2, 58, 62), (r3, 66, 63)):
        snapshot(tenant_a, rnd, "alignment", team_score, team=tenant_a.team)
        snapshot(tenant_a, rnd, "alignment", org_score)
    action = action_for(tenant_a)
    Action.objects.filter(pk=action.pk).update(created_at=now - timedelta(days=20))
    return r1, r2, r3


def figures_of(action_id):
    action = Action.objects.select_related("scope_team").get(pk=action_id)
    return evidence.before_after([action]).get(action.pk)


@pytest.mark.django_db
def test_before_and_after_beside_the_organizations_change(tenant_a, rounds):
    f = figures_of(action_for(tenant_a).pk)
    assert (f["before"], f["after"], f["change"]) == (50, 66, 16)
    assert (f["org_before"], f["org_after"], f["org_change"]) == (60, 63, 3)
    assert f["relative"] == 13
    assert (f["before_round"], f["after_round"]) == ("Alignment pulse #1", "Alignment pulse #3")


@pytest.mark.django_db
def test_no_figures_until_a_round_closes_after_the_action(tenant_a, rounds):
    action = action_for(tenant_a)
    Action.objects.filter(pk=action.pk).update(created_at=timezone.now())
    assert figures_of(action.pk) is None


@pytest.mark.django_db
def test_a_suppressed_scope_shows_no_numbers(tenant_a, rounds):
    r4 = closed_round(tenant_a, ended=timezone.now() - timedelta(hours=1), number=4)
    snapshot(tenant_a, r4, "alignment", None, team=tenant_a.team)
    snapshot(tenant_a, r4, "alignment", 64)
    f = figures_of(action_for(tenant_a).pk)
    assert f["suppressed"] is True
    assert (f["before"], f["after"], f["change"]) == (None, None, None)
    assert f["org_change"] == 4  # the organization's own figures stay visible


@pytest.mark.django_db
def test_action_page_shows_whether_it_worked(as_role, tenant_a, rounds):
    action = action_for(tenant_a)
    body = as_role("leader").get(reverse("review_action", args=[tenant_a.org.slug, action.pk])).content.decode()
    assert "50.0 → 66.0" in body and "+16.0 points" in body and "60.0 → 63.0" in body
    assert "Relative to the organization: +13.0 points." in body


@pytest.mark.django_db
def test_team_page_and_action_list_show_the_figures(as_role, tenant_a, rounds):
    team_body = as_role("manager").get(reverse("review_team", args=[tenant_a.org.slug, tenant_a.team.pk])).content
    assert "organization +3.0" in team_body.decode()
    list_body = as_role("leader").get(reverse("review_actions", args=[tenant_a.org.slug])).content.decode()
    assert "<strong>66.0</strong>" in list_body


@pytest.mark.django_db
def test_members_see_the_action_but_not_team_figures(as_role, tenant_a, rounds):
    body = as_role("member").get(reverse("review_actions", args=[tenant_a.org.slug])).content.decode()
    assert action_for(tenant_a).title not in body  # a team action of a team they are not in
    person = tenant_a.people[3]
    person.user = tenant_a.users[Role.MEMBER]
    person.save()
    body = as_role("member").get(reverse("review_actions", args=[tenant_a.org.slug])).content.decode()
    assert action_for(tenant_a).title in body and "66.0" not in body
    assert "team figures not shown to your role" in body


@pytest.mark.django_db
def test_leader_creates_an_organization_wide_action_from_a_signal(as_role, tenant_a):
    url = new_url(tenant_a) + "?dimension=alignment&source=signal:7&label=Alignment%20dropped"
    assert "From Alignment dropped." in as_role("leader").get(url).content.decode()
    response = as_role("leader").post(new_url(tenant_a), action_post(tenant_a, scope_team_id=""))
    action = Action.objects.get()
    assert response.status_code == 302
    assert (action.scope_team, action.source, action.created_by) == (None, "signal:7", tenant_a.users["leader"])


@pytest.mark.django_db
def test_manager_creates_actions_for_their_subtree_only(as_role, tenant_a):
    client = as_role("manager")
    assert client.post(new_url(tenant_a), action_post(tenant_a)).status_code == 302
    other = client.post(new_url(tenant_a), action_post(tenant_a, scope_team_id=str(tenant_a.other_team.pk)))
    assert other.status_code == 400  # not among the manager's choices
    assert client.post(new_url(tenant_a), action_post(tenant_a, scope_team_id="")).status_code == 403
    assert Action.objects.count() == 1


@pytest.mark.django_db
def test_members_cannot_create_actions(as_role, tenant_a):
    assert as_role("member").get(new_url(tenant_a)).status_code == 403
    assert as_role("member").post(new_url(tenant_a), action_post(tenant_a)).status_code == 403


@pytest.mark.django_db
def test_bad_action_input_is_explained(as_role, tenant_a):
    response = as_role("leader").post(new_url(tenant_a), action_post(tenant_a, title="", due_on="soon"))
    assert response.status_code == 400
    assert Action.objects.count() == 0


@pytest.mark.django_db
def test_the_owner_marks_it_done(as_role, tenant_a):
    action = action_for(tenant_a)
    owner = tenant_a.people[0]
    owner.user = tenant_a.users[Role.MEMBER]
    owner.save()
    url = reverse("review_action", args=[tenant_a.org.slug, action.pk])
    response = as_role("member").post(url, {"status": "done", "owner_id": owner.pk, "due_on": action.due_on})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.completed_at is not None


@pytest.mark.django_db
def test_others_cannot_change_an_action(as_role, tenant_a):
    action = action_for(tenant_a)
    url = reverse("review_action", args=[tenant_a.org.slug, action.pk])
    person = tenant_a.people[3]
    person.user = tenant_a.users[Role.MEMBER]
    person.save()  # a member of the team sees the action but may not change it
    assert as_role("member").get(url).status_code == 200
    assert as_role("member").post(url, {"status": "done", "due_on": action.due_on}).status_code == 403


@pytest.mark.django_db
def test_open_actions_show_in_the_teams_next_review(as_role, tenant_a):
    from tests.reviews.factories import make_cycle, review_of

    action = action_for(tenant_a)
    review = review_of(make_cycle(tenant_a), tenant_a.team)
    body = as_role("manager").get(reverse("review_edit", args=[tenant_a.org.slug, review.pk])).content.decode()
    assert action.title in body


@pytest.mark.django_db
def test_another_organizations_action_is_not_found(as_role, tenant_a, tenant_b):
    other = action_for(tenant_b)
    assert as_role("owner").get(reverse("review_action", args=[tenant_a.org.slug, other.pk])).status_code == 404
