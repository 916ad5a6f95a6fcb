"""Opening review cycles: the form, e-mails to team leads, reminders, late flags, the tick command."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import BusinessReview, CycleStatus, ReviewCycle, ReviewStatus
from tests.reviews.factories import make_cycle, review_of


def create_url(tenant):
    return reverse("review_cycle_create", args=[tenant.org.slug])


def cycle_post(tenant, **overrides):
    today = timezone.localdate()
    data = {
        "kind": "quarterly",
        "period": "2026-Q4",
        "opens_on": today.isoformat(),
        "due_on": (today + timedelta(days=14)).isoformat(),
        "team_ids": [tenant.team.pk, tenant.other_team.pk],
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_admin_opens_a_cycle_and_each_team_lead_gets_a_link(as_role, tenant_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role("admin").post(create_url(tenant_a), cycle_post(tenant_a))
    cycle = ReviewCycle.objects.get(organization=tenant_a.org)
    assert response.status_code == 302
    assert cycle.status == CycleStatus.OPEN
    assert set(BusinessReview.objects.filter(cycle=cycle).values_list("team_id", flat=True)) == {
        tenant_a.team.pk,
        tenant_a.other_team.pk,
    }
    # Only tenant_a.team has a lead (the manager's Person); the other team has none to e-mail.
    assert [m.to for m in mail.outbox] == [[tenant_a.team.lead.email]]
    review = review_of(cycle, tenant_a.team)
    assert reverse("review_edit", args=[tenant_a.org.slug, review.pk]) in mail.outbox[0].body
    assert "2026-Q4" in mail.outbox[0].subject
    assert review.invited_at is not None and review.packet["prepared_at"]


@pytest.mark.django_db
def test_sending_invitations_twice_sends_each_lead_one_email(tenant_a, django_capture_on_commit_callbacks):
    cycle = make_cycle(tenant_a)
    assert services.send_invitations(cycle=cycle) == 1
    assert services.send_invitations(cycle=cycle) == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_future_cycle_waits_and_the_tick_opens_it_on_its_day(tenant_a, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    cycle = make_cycle(
        tenant_a, status=CycleStatus.SCHEDULED, opens_on=today + timedelta(days=2), due_on=today + timedelta(days=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reviews_tick", today=(today + timedelta(days=1)).isoformat())
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.SCHEDULED and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reviews_tick", today=(today + timedelta(days=2)).isoformat())
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_reminders_go_out_seven_and_two_days_before_due_once_each(tenant_a):
    today = timezone.localdate()
    cycle = make_cycle(tenant_a, due_on=today + timedelta(days=10))
    sent = []
    for offset in range(12):
        day = today + timedelta(days=offset)
        before = len(mail.outbox)
        call_command("reviews_tick", today=day.isoformat())
        call_command("reviews_tick", today=day.isoformat())  # twice a day changes nothing
        sent += [(cycle.due_on - day).days] * (len(mail.outbox) - before)
    assert sent == [7, 2]
    assert "Reminder" in mail.outbox[0].subject


@pytest.mark.django_db
def test_submitted_reviews_get_no_reminder(tenant_a):
    today = timezone.localdate()
    cycle = make_cycle(tenant_a, due_on=today + timedelta(days=1))
    BusinessReview.objects.filter(cycle=cycle).update(status=ReviewStatus.SUBMITTED)
    call_command("reviews_tick", today=today.isoformat())
    assert mail.outbox == []


@pytest.mark.django_db
def test_late_reviews_are_flagged_on_the_cycle_page(as_role, tenant_a):
    today = timezone.localdate()
    cycle = make_cycle(
        tenant_a, opens_on=today - timedelta(days=20), due_on=today - timedelta(days=2), teams=[tenant_a.team]
    )
    body = as_role("leader").get(reverse("review_cycle", args=[tenant_a.org.slug, cycle.pk])).content.decode()
    assert '<span class="badge badge-bad">Late</span>' in body
    result = services.tick(organization=tenant_a.org, today=today)
    assert result.late == 1


@pytest.mark.django_db
def test_the_tick_task_covers_every_organization(tenant_a, tenant_b):
    from reviews.tasks import tick

    today = timezone.localdate()
    make_cycle(tenant_a, due_on=today - timedelta(days=1), opens_on=today - timedelta(days=5))
    make_cycle(tenant_b, due_on=today - timedelta(days=1), opens_on=today - timedelta(days=5))
    assert tick.delay().get()["late"] == 2


@pytest.mark.django_db
def test_the_beat_schedule_runs_the_tick(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "reviews.tasks.tick"]
    assert len(entries) == 1


@pytest.mark.django_db
def test_a_second_cycle_for_the_same_period_is_refused(as_role, tenant_a):
    make_cycle(tenant_a)
    response = as_role("admin").post(create_url(tenant_a), cycle_post(tenant_a))
    assert response.status_code == 400
    assert "There is already a QBR for 2026-Q4" in response.content.decode()
    assert ReviewCycle.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"period": "2026"}, "A quarterly review covers a quarter"),
        ({"kind": "annual"}, "An annual review covers a year"),
        ({"period": "Q4"}, "A period is a year (2026) or a quarter (2026-Q4)."),
        ({"team_ids": []}, "This field is required."),
        ({"due_on": "2000-01-01"}, "The due date cannot be before the opening date."),
    ],
)
def test_bad_cycle_input_is_explained_and_creates_nothing(as_role, tenant_a, overrides, message):
    response = as_role("admin").post(create_url(tenant_a), cycle_post(tenant_a, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ReviewCycle.objects.count() == 0


@pytest.mark.django_db
def test_a_team_of_another_organization_cannot_be_chosen(as_role, tenant_a, tenant_b):
    response = as_role("admin").post(create_url(tenant_a), cycle_post(tenant_a, team_ids=[tenant_b.team.pk]))
    assert response.status_code == 400
    assert ReviewCycle.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_only_admins_open_cycles(as_role, tenant_a, role):
    assert as_role(role).get(create_url(tenant_a)).status_code == 403
    assert as_role(role).post(create_url(tenant_a), cycle_post(tenant_a)).status_code == 403


@pytest.mark.django_db
def test_open_now_and_close_buttons(as_role, tenant_a, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    cycle = make_cycle(tenant_a, status=CycleStatus.SCHEDULED, opens_on=today + timedelta(days=5),
                       due_on=today + timedelta(days=20))  # fmt: skip
    client = as_role("admin")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("review_cycle_open", args=[tenant_a.org.slug, cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN and len(mail.outbox) == 1
    client.post(reverse("review_cycle_close", args=[tenant_a.org.slug, cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED
    assert as_role("leader").post(reverse("review_cycle_close", args=[tenant_a.org.slug, cycle.pk])).status_code == 403


@pytest.mark.django_db
def test_reviews_home_lists_what_to_file_and_what_to_approve(as_role, tenant_a):
    cycle = make_cycle(tenant_a, teams=[tenant_a.team, tenant_a.other_team])
    BusinessReview.objects.filter(cycle=cycle, team=tenant_a.other_team).update(
        status=ReviewStatus.SUBMITTED, submitted_at=timezone.now()
    )
    lead_page = as_role("manager").get(reverse("reviews_home", args=[tenant_a.org.slug])).content.decode()
    assert "Your reviews to file" in lead_page and tenant_a.team.name in lead_page
    assert "Waiting for your decision" not in lead_page
    leader_page = as_role("leader").get(reverse("reviews_home", args=[tenant_a.org.slug])).content.decode()
    assert "Waiting for your decision" in leader_page and tenant_a.other_team.name in leader_page


@pytest.mark.django_db
def test_reviews_is_in_the_navigation_for_everyone(as_role, tenant_a):
    body = as_role("member").get(reverse("org_home", args=[tenant_a.org.slug])).content.decode()
    assert f'href="/o/{tenant_a.org.slug}/reviews/"' in body


@pytest.mark.django_db
def test_cycle_page_of_another_organization_is_not_found(as_role, tenant_a, tenant_b):
    other = make_cycle(tenant_b)
    assert as_role("owner").get(reverse("review_cycle", args=[tenant_a.org.slug, other.pk])).status_code == 404


@pytest.mark.django_db
def test_member_sees_the_cycle_but_not_other_teams_drafts(as_role, tenant_a):
    cycle = make_cycle(tenant_a, teams=[tenant_a.team, tenant_a.other_team])
    body = as_role("member").get(reverse("review_cycle", args=[tenant_a.org.slug, cycle.pk])).content.decode()
    assert tenant_a.other_team.name not in body
    assert "2 other team reviews in this cycle are not visible to your role" in body
