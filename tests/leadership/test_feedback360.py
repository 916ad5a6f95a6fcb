"""360° feedback: starting one, the e-mailed single-use links, and what the report may show."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from leadership import report360, services
from leadership.models import Feedback, FeedbackGuard, FeedbackResponse, Rater, Relationship
from tests.leadership.factories import answer_as, feedback_for, org_chart, raters

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/l/[A-Za-z0-9_-]+/)", message.body).group(1)


def _links(feedback) -> dict[str, str]:
    """e-mail address -> answering path, from the messages sent."""
    return {m.to[0]: _link(m) for m in mail.outbox}


def _group(report, key):
    return next(g for g in report.groups if g.key == key)


def test_raters_are_suggested_from_the_reporting_lines(tenant_a):
    leader, boss, direct, peers = org_chart(tenant_a, reports=3, peers=2)
    suggested = services.suggested_raters(leader)
    assert suggested[Relationship.SELF] == [leader]
    assert suggested[Relationship.MANAGER] == [boss]
    assert set(suggested[Relationship.REPORT]) == set(direct)
    assert set(suggested[Relationship.PEER]) == set(peers)


def test_starting_a_360_emails_every_rater_a_link_that_answers_once(client, tenant_a):
    feedback = feedback_for(tenant_a)
    links = _links(feedback)
    assert len(links) == Rater.objects.filter(feedback=feedback).count() == 1 + 1 + 2 + 6
    assert all(r.sent_at for r in Rater.objects.filter(feedback=feedback))
    path = links["report0.alpha-corp@example.com"]

    assert client.get(path).status_code == 200  # opening the link never uses it up
    page = client.get(path).content.decode()
    assert "Feedback for Alpha Manager Person" in page and "anonymous" in page
    answers = {key: "4" for key in ("priorities", "why", "connects", "obstacles", "feedback", "listens", "decides")}
    missing = client.post(path, answers)
    assert missing.status_code == 400 and "Choose one answer." in missing.content.decode()
    assert FeedbackResponse.objects.count() == 0
    done = client.post(path, {**answers, "develops": "5", "comment-keep": "Clear goals"})
    assert "Thank you for your feedback" in done.content.decode()
    again = client.post(path, {**answers, "develops": "1"})
    assert "You already answered" in again.content.decode()
    assert FeedbackResponse.objects.count() == 1


def test_stored_answers_name_no_rater(tenant_a):
    feedback = feedback_for(tenant_a)
    rater = raters(feedback, Relationship.REPORT)[0]
    answer_as(rater, 3)
    response = FeedbackResponse.objects.get()
    assert response.relationship == Relationship.REPORT
    assert {f.name for f in FeedbackResponse._meta.get_fields()} >= {"relationship", "submitted_on"}
    assert not any(f.name in ("rater", "person", "created_at") for f in FeedbackResponse._meta.get_fields())
    assert response.id >= 2**32  # random, not a sequence
    guard = FeedbackGuard.objects.get()
    assert guard.digest == services.guard_digest(rater.pk) != services.guard_digest(raters(feedback, "report")[1].pk)
    assert {f.name for f in FeedbackGuard._meta.get_fields()} == {"digest", "organization", "feedback"}


def test_an_expired_link_shows_the_friendly_closed_page(client, tenant_a):
    feedback = feedback_for(tenant_a)
    path = _links(feedback)["report1.alpha-corp@example.com"]
    Feedback.objects.filter(pk=feedback.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    response = client.get(path)
    assert response.status_code == 410 and "This feedback is closed" in response.content.decode()
    assert client.get("/l/not-a-real-token-at-all-1234/").status_code == 404


def test_direct_reports_below_the_threshold_are_hidden(tenant_a):
    feedback = feedback_for(tenant_a)
    for rater in raters(feedback, Relationship.REPORT)[:4]:
        answer_as(rater, 4)
    report = report360.build_report(feedback)
    reports = _group(report, Relationship.REPORT)
    assert not reports.shown and reports.reason == "fewer than 5 answers"
    assert not _group(report, report360.OTHERS).shown
    assert report.strengths == [] and report.comments == {}


def test_a_pooled_manager_cannot_be_worked_out_from_everyone_minus_the_reports(tenant_a):
    feedback = feedback_for(tenant_a)
    for rater in raters(feedback, Relationship.REPORT)[:5]:
        answer_as(rater, 4)
    answer_as(raters(feedback, Relationship.MANAGER)[0], 1)
    report = report360.build_report(feedback)
    reports, others = _group(report, Relationship.REPORT), _group(report, report360.OTHERS)
    assert not _group(report, Relationship.MANAGER).shown
    # Both shown, "everyone but the leader" minus "direct reports" would be the manager alone.
    assert not (reports.shown and others.shown)
    assert others.shown and reports.reason == "hidden so a smaller group cannot be worked out"


def test_a_manager_shown_individually_by_choice_is_shown_beside_the_groups(client, tenant_a):
    feedback = feedback_for(tenant_a, show_manager=True)
    manager_path = _links(feedback)[feedback.leader.manager.email]
    assert "Not anonymous" in client.get(manager_path).content.decode()  # told before answering
    peer_path = _links(feedback)["peer0.alpha-corp@example.com"]
    assert "Not anonymous" not in client.get(peer_path).content.decode()
    for rater in raters(feedback, Relationship.REPORT)[:5]:
        answer_as(rater, 4)
    answer_as(raters(feedback, Relationship.MANAGER)[0], 2)
    report = report360.build_report(feedback)
    manager = _group(report, Relationship.MANAGER)
    assert manager.shown and manager.individual and manager.scores["priorities"] == 25.0
    assert _group(report, Relationship.REPORT).shown and _group(report, report360.OTHERS).shown


def test_blind_spots_compare_the_leaders_own_ratings_with_the_others(tenant_a):
    feedback = feedback_for(tenant_a, show_self=True)
    answer_as(raters(feedback, Relationship.SELF)[0], 4, priorities=5, listens=1)
    for rater in raters(feedback, Relationship.REPORT):
        answer_as(rater, 4, priorities=2, listens=5)
    report = report360.build_report(feedback)
    assert [r["key"] for r in report.blind_spots] == ["priorities"]
    assert [r["key"] for r in report.hidden_strengths] == ["listens"]
    assert report.strengths[0]["key"] == "listens"


def test_without_self_shown_there_are_no_blind_spots(tenant_a):
    feedback = feedback_for(tenant_a)
    answer_as(raters(feedback, Relationship.SELF)[0], 4, priorities=5)
    for rater in raters(feedback, Relationship.REPORT):
        answer_as(rater, 4, priorities=2)
    report = report360.build_report(feedback)
    assert not _group(report, Relationship.SELF).shown
    assert report.blind_spots == [] and report.strengths


def test_comments_need_the_comment_threshold(tenant_a):
    tenant_a.org.comment_threshold = 7
    tenant_a.org.save()
    feedback = feedback_for(tenant_a)
    for rater in raters(feedback, Relationship.REPORT):
        answer_as(rater, 4, **{"comment-keep": f"keep {rater.pk}"})
    assert report360.build_report(feedback).comments == {}  # 6 raters < 7
    answer_as(raters(feedback, Relationship.PEER)[0], 4, **{"comment-keep": "peer says keep"})
    comments = report360.build_report(feedback).comments
    assert any("peer says keep" in texts for texts in comments.values())


def test_the_report_is_for_the_leader_their_manager_and_admins(client, tenant_a):
    feedback = feedback_for(tenant_a)
    url = reverse("feedback_detail", kwargs={"org_slug": tenant_a.org.slug, "feedback_id": feedback.pk})
    client.force_login(tenant_a.users["manager"])  # the leader's own login
    assert client.get(url).status_code == 200
    client.force_login(tenant_a.users["admin"])
    assert client.get(url).status_code == 200
    client.force_login(tenant_a.users["member"])
    assert client.get(url).status_code == 403
    client.force_login(tenant_a.users["leader"])  # a leader by role, not this leader's manager
    assert client.get(url).status_code == 403
    boss = feedback.leader.manager
    boss.user = tenant_a.users["leader"]
    boss.save()
    assert client.get(url).status_code == 200


def test_a_leader_starts_their_own_360_from_the_page_but_not_someone_elses(
    client, tenant_a, django_capture_on_commit_callbacks
):
    leader, boss, direct, peers = org_chart(tenant_a, reports=3)
    client.force_login(tenant_a.users["manager"])
    url = reverse("feedback_new", kwargs={"org_slug": tenant_a.org.slug})
    page = client.get(url).content.decode()
    assert "Report 0" in page and "Raters for Alpha Manager Person" in page
    assert client.get(url, {"leader": boss.pk}).status_code == 403
    values = [f"{leader.pk}:self", f"{boss.pk}:manager"] + [f"{p.pk}:report" for p in direct]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"leader": leader.pk, "rater": values, "open_days": "7", "show_self": "1"})
    feedback = Feedback.objects.get()
    assert response.status_code == 302 and feedback.show_self and not feedback.show_manager
    assert len(mail.outbox) == 5


def test_the_leader_rates_only_as_self(tenant_a):
    leader, boss, direct, _ = org_chart(tenant_a, reports=2)
    with pytest.raises(Exception, match="self"):
        services.start_feedback(
            organization=tenant_a.org, actor=None, leader=leader, raters=[(leader.pk, "peer"), (boss.pk, "manager")]
        )
