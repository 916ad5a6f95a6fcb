"""The review packet prepared when a cycle opens."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import packet, services
from reviews.models import CycleKind, CycleStatus, ReviewStatus
from tests.reviews.factories import action_for, fill, make_cycle, review_of


@pytest.fixture
def history(tenant_a):
    """A closed Q3 cycle in which tenant_a.team reported two off-track metrics, plus an open action."""
    today = timezone.localdate()
    q3 = make_cycle(tenant_a, period="2026-Q3", status=CycleStatus.CLOSED,
                    opens_on=today - timedelta(days=100), due_on=today - timedelta(days=80))  # fmt: skip
    q3.opened_at = timezone.now() - timedelta(days=100)
    q3.save()
    fill(review_of(q3, tenant_a.team), status=ReviewStatus.APPROVED, off_track=2)
    action_for(tenant_a)
    return q3


@pytest.mark.django_db
def test_opening_a_cycle_prepares_each_teams_packet(tenant_a, history):
    q4 = make_cycle(tenant_a, status=CycleStatus.SCHEDULED, teams=[tenant_a.team, tenant_a.other_team])
    services.open_cycle(cycle=q4)
    p = review_of(q4, tenant_a.team).packet
    assert [m["name"] for m in p["off_track_metrics"]] == ["Off 0", "Off 1"]
    assert p["off_track_metrics"][0] == {
        "name": "Off 0",
        "target": "10",
        "actual": "2",
        "unit": "",
        "period": "2026-Q3",
    }
    assert [a["title"] for a in p["open_actions"]] == [f"Fix {tenant_a.team.name}"]
    assert p["since_cycle"] == "QBR 2026-Q3"
    assert any(s["kind"] == "off_track_metrics" for s in p["signals"])
    other = review_of(q4, tenant_a.other_team).packet
    assert other["off_track_metrics"] == [] and other["open_actions"] == []


@pytest.mark.django_db
def test_packet_tolerates_missing_survey_data(tenant_a):
    q4 = make_cycle(tenant_a, status=CycleStatus.SCHEDULED)
    services.open_cycle(cycle=q4)
    p = review_of(q4, tenant_a.team).packet
    assert p["survey_available"] is False
    assert p["survey_changes"] == [] and p["weak_links"] == []


@pytest.mark.django_db
def test_an_annual_packet_rolls_up_the_years_quarters(tenant_a, history):
    abr = make_cycle(tenant_a, kind=CycleKind.ANNUAL, period="2026", status=CycleStatus.SCHEDULED)
    services.open_cycle(cycle=abr)
    [q] = review_of(abr, tenant_a.team).packet["quarters"]
    assert (q["period"], q["metric_counts"]["off_track"], q["off_track"]) == ("2026-Q3", 2, ["Off 0", "Off 1"])


@pytest.mark.django_db
def test_the_packet_shows_on_the_review_form(as_role, tenant_a, history):
    q4 = make_cycle(tenant_a, status=CycleStatus.SCHEDULED)
    services.open_cycle(cycle=q4)
    review = review_of(q4, tenant_a.team)
    body = as_role("manager").get(reverse("review_edit", args=[tenant_a.org.slug, review.pk])).content.decode()
    assert "Off-track metrics last time" in body and "Off 1: 2 of 10" in body
    assert "No survey results yet for this team." in body


@pytest.mark.django_db
def test_packets_are_built_with_a_fixed_number_of_queries(tenant_a, history, django_assert_max_num_queries):
    q4 = make_cycle(tenant_a, status=CycleStatus.SCHEDULED,
                    teams=[tenant_a.team, tenant_a.other_team, tenant_a.subteam, tenant_a.department])  # fmt: skip
    q4.opened_at = timezone.now()
    q4.save()
    with django_assert_max_num_queries(18):  # 14, and the team tree and rhythm's issues, meetings, to-dos
        packet.prepare_packets(q4)


@pytest.mark.django_db
def test_opening_twice_prepares_once(tenant_a):
    q4 = make_cycle(tenant_a, status=CycleStatus.SCHEDULED)
    assert services.open_cycle(cycle=q4) is True
    prepared = review_of(q4, tenant_a.team).packet_prepared_at
    assert services.open_cycle(cycle=q4) is False
    assert review_of(q4, tenant_a.team).packet_prepared_at == prepared


@pytest.mark.django_db
def test_packet_carries_survey_changes_insights_signals_and_weak_links(tenant_a):
    from tests.reviews.insights_data import closed_round, signal, snapshot, weak_cell

    now = timezone.now()
    # The previous cycle opened 50 days ago; rounds closed before and after it.
    q3 = make_cycle(tenant_a, period="2026-Q3", status=CycleStatus.CLOSED, teams=[])
    q3.opened_at = now - timedelta(days=50)
    q3.save()
    r1 = closed_round(tenant_a, ended=now - timedelta(days=60), number=1)
    r2 = closed_round(tenant_a, ended=now - timedelta(days=20), number=2)
    r3 = closed_round(tenant_a, ended=now - timedelta(days=5), number=3)
    for rnd, alignment, health in ((r1, 70, 60), (r2, 55, 62), (r3, 52, None)):
        snapshot(tenant_a, rnd, "alignment", alignment, team=tenant_a.team)
        snapshot(tenant_a, rnd, "team_health", health, team=tenant_a.team)
    weak_cell(tenant_a, r3, tenant_a.team, tenant_a.other_team, 2.1)
    weak_cell(tenant_a, r3, tenant_a.other_team, tenant_a.team, 3.9)  # fine: not a weak link
    signal(tenant_a, tenant_a.team)

    q4 = make_cycle(tenant_a, status=CycleStatus.SCHEDULED)
    services.open_cycle(cycle=q4)
    p = review_of(q4, tenant_a.team).packet
    assert p["survey_available"] is True
    changes = {c["dimension"]: c for c in p["survey_changes"]}
    # Since the last cycle: r1 (the last round before it opened) → r3 (the latest).
    assert (changes["alignment"]["before"], changes["alignment"]["after"], changes["alignment"]["delta"]) == (
        70,
        52,
        -18,
    )
    assert changes["team_health"]["suppressed"] is True and changes["team_health"]["after"] is None
    assert p["weak_links"] == [
        {"from_team": tenant_a.team.name, "to_team": tenant_a.other_team.name, "score": 2.1, "direction": "given"}
    ]
    assert [s["title"] for s in p["signals"] if s["source"] == "insights"] == ["Alignment dropped 12 points"]


@pytest.mark.django_db
def test_team_page_sets_scores_beside_the_review(as_role, tenant_a):
    from tests.reviews.insights_data import closed_round, snapshot

    rnd = closed_round(tenant_a, ended=timezone.now() - timedelta(days=3), number=1)
    snapshot(tenant_a, rnd, "execution_confidence", 81, team=tenant_a.team, delta=4)
    snapshot(tenant_a, rnd, "alignment", None, team=tenant_a.team)
    fill(review_of(make_cycle(tenant_a), tenant_a.team), status=ReviewStatus.APPROVED, off_track=2)
    body = as_role("manager").get(reverse("review_team", args=[tenant_a.org.slug, tenant_a.team.pk])).content.decode()
    assert "Execution confidence is 81 while 2 of 3 metrics are off track" in body
    assert "not enough responses" in body  # the suppressed alignment score
    member_person = tenant_a.people[3]
    member_person.user = tenant_a.users["member"]
    member_person.save()
    member_body = (
        as_role("member").get(reverse("review_team", args=[tenant_a.org.slug, tenant_a.team.pk])).content.decode()
    )
    assert "Execution confidence is 81" not in member_body and "<strong>81" not in member_body
    assert "Team scores are shown to the team's managers and to leaders." in member_body


@pytest.mark.django_db
def test_an_insights_signal_in_the_packet_links_to_a_new_action(as_role, tenant_a):
    from tests.reviews.insights_data import closed_round, signal

    closed_round(tenant_a, ended=timezone.now() - timedelta(days=3), number=1)
    found = signal(tenant_a, tenant_a.team)
    q4 = make_cycle(tenant_a, status=CycleStatus.SCHEDULED)
    services.open_cycle(cycle=q4)
    review = review_of(q4, tenant_a.team)
    body = as_role("manager").get(reverse("review_edit", args=[tenant_a.org.slug, review.pk])).content.decode()
    assert f"source=signal:{found.pk}" in body and "dimension=alignment" in body and "Act on it" in body


@pytest.mark.django_db
def test_the_annual_review_page_shows_the_years_quarters(as_role, tenant_a, history):
    abr = make_cycle(tenant_a, kind=CycleKind.ANNUAL, period="2026")
    review = review_of(abr, tenant_a.team)
    body = as_role("manager").get(reverse("review_edit", args=[tenant_a.org.slug, review.pk])).content.decode()
    assert "The year&#x27;s quarters" in body or "The year's quarters" in body
    assert "2026-Q3" in body and "Priorities for 2027" in body


@pytest.mark.django_db
def test_the_packet_carries_decision_velocity_measured_in_the_cycles_quarter(as_role, tenant_a, tenant_b):
    from datetime import UTC, datetime

    from rhythm.models import Issue, IssueStatus

    def decided(tenant, team, raised_day, solved_day):
        Issue.objects.create(organization=tenant.org, team=team, title=f"{team.name} {raised_day}",
                             raised_at=datetime(2026, 10, raised_day, tzinfo=UTC),
                             solved_at=datetime(2026, 10, solved_day, tzinfo=UTC), status=IssueStatus.SOLVED)  # fmt: skip

    decided(tenant_a, tenant_a.team, 1, 3)  # 2 days
    decided(tenant_a, tenant_a.subteam, 1, 9)  # 8 days: the team's subtree, as its survey scope
    decided(tenant_a, tenant_a.other_team, 1, 31)  # another team's
    decided(tenant_b, tenant_b.team, 1, 30)  # another organization's
    q4 = make_cycle(tenant_a, period="2026-Q4", status=CycleStatus.SCHEDULED, teams=[tenant_a.team])
    services.open_cycle(cycle=q4)
    review = review_of(q4, tenant_a.team)
    [q] = review.packet["decision_velocity"]
    assert (q["quarter"], q["decisions"], q["median_days_to_decision"]) == ("2026-Q4", 2, 5.0)
    body = as_role("manager").get(reverse("review_detail", args=[tenant_a.org.slug, review.pk])).content.decode()
    assert "Decision velocity, measured" in body and "2 decisions, median 5.0 days from issue raised" in body
