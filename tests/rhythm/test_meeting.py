"""The live meeting: start, move through the agenda, solve an issue, rate, conclude, recap e-mail."""

import pytest
from django.core import mail
from django.urls import reverse

from rhythm.models import Attendee, Meeting
from tests.rhythm.factories import issue_for, meeting_for, series_for

pytestmark = pytest.mark.django_db


def go(tenant, name, meeting):
    return reverse(name, args=[tenant.org.slug, meeting.pk])


def test_starting_copies_the_agenda_and_makes_the_team_attendees(client, tenant_a):
    series_for(tenant_a)
    client.force_login(tenant_a.users["manager"])
    response = client.post(reverse("rhythm_meeting_start", args=[tenant_a.org.slug, tenant_a.team.pk]))
    meeting = Meeting.objects.get()
    assert response.url == go(tenant_a, "rhythm_meeting", meeting)
    assert meeting.is_live and meeting.section_index == 0 and len(meeting.agenda) == 7
    names = set(Attendee.objects.filter(meeting=meeting).values_list("person__name", flat=True))
    assert names == {"Alpha Manager Person", "Alpha Person 2"}
    again = client.post(reverse("rhythm_meeting_start", args=[tenant_a.org.slug, tenant_a.team.pk]))
    assert again.url == response.url and Meeting.objects.count() == 1, "one live meeting per team"


def test_starting_without_a_series_says_what_to_do(client, tenant_a):
    client.force_login(tenant_a.users["manager"])
    response = client.post(reverse("rhythm_meeting_start", args=[tenant_a.org.slug, tenant_a.team.pk]), follow=True)
    assert "Set up the team" in response.content.decode() and not Meeting.objects.exists()


def test_two_people_pressing_next_move_the_meeting_one_section(client, tenant_a):
    meeting = meeting_for(tenant_a)
    client.force_login(tenant_a.users["manager"])
    for _ in range(2):  # both saw section 0
        client.post(go(tenant_a, "rhythm_meeting_section", meeting), {"from": "0", "section": "1"})
    meeting.refresh_from_db()
    assert meeting.section_index == 1
    assert meeting.section_seconds[0] >= 110, "the two minutes spent in the check-in are kept"


def test_the_live_part_shows_what_others_did(client, tenant_a):
    meeting = meeting_for(tenant_a)
    Meeting.objects.filter(pk=meeting.pk).update(section_index=5)  # issues
    issue_for(tenant_a)
    client.force_login(tenant_a.users["manager"])
    data = client.get(go(tenant_a, "rhythm_meeting_live", meeting)).json()
    assert data["live"] is True and data["section"] == 5
    assert "Alpha Corp needs a decision" in data["html"] and "Issues: identify, discuss, solve" in data["html"]


def test_a_rating_outside_1_to_10_is_refused(client, tenant_a):
    meeting = meeting_for(tenant_a)
    client.force_login(tenant_a.users["manager"])
    response = client.post(go(tenant_a, "rhythm_meeting_rate", meeting), {"rating": "11"})
    assert response.status_code == 400
    assert Attendee.objects.get(meeting=meeting, person=tenant_a.people[0]).rating == 8


def test_concluding_sends_the_recap_to_every_attendee_once(client, tenant_a):
    meeting = meeting_for(tenant_a)
    issue = issue_for(tenant_a)
    client.force_login(tenant_a.users["manager"])
    client.post(reverse("rhythm_issue_solve", args=[tenant_a.org.slug, issue.pk]),
                {"what": "Hire a contractor", "why": "Faster than hiring", "meeting_id": str(meeting.pk),
                 "todo_1_title": "Call the agency", "todo_1_owner": str(tenant_a.people[3].pk)})  # fmt: skip
    client.post(go(tenant_a, "rhythm_meeting_rate", meeting), {"rating": "9"})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda fn, *a, **k: fn())
        client.post(go(tenant_a, "rhythm_meeting_conclude", meeting))
    meeting.refresh_from_db()
    assert meeting.ended_at is not None and meeting.recap_sent_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == ["manager.person@alpha.example", "p2@alpha.example"]
    body = mail.outbox[0].body
    assert "Hire a contractor" in body and "Faster than hiring" in body
    assert "Call the agency: Alpha Person 2" in body and "Alpha Manager Person: 9" in body
    from rhythm.tasks import send_meeting_recap

    assert send_meeting_recap(tenant_a.org.pk, meeting.pk) == 0 and len(mail.outbox) == 2, "a second run sends nothing"
    assert issue.decisions.get().meeting == meeting


def test_the_recap_task_of_one_organization_never_mails_another_organizations_meeting(tenant_a, tenant_b):
    from rhythm.tasks import send_meeting_recap

    other = meeting_for(tenant_b, live=False)
    assert send_meeting_recap(tenant_a.org.pk, other.pk) == 0 and mail.outbox == []
    other.refresh_from_db()
    assert other.recap_sent_at is None, "another organization's meeting is not even claimed"
    assert send_meeting_recap(tenant_b.org.pk, other.pk) > 0, "its own organization's task sends it"


def test_a_rolled_back_conclusion_queues_no_recap(client, tenant_a, django_capture_on_commit_callbacks):
    from django.db import transaction

    from rhythm import services

    meeting = meeting_for(tenant_a)
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                services.conclude_meeting(membership=tenant_a.memberships["manager"], meeting=meeting)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == [] and mail.outbox == []


def test_an_ended_meeting_takes_no_more_changes(client, tenant_a):
    meeting = meeting_for(tenant_a, live=False)
    client.force_login(tenant_a.users["manager"])
    response = client.post(go(tenant_a, "rhythm_meeting_rate", meeting), {"rating": "3"})
    assert response.status_code == 400 and "This meeting has ended" in response.content.decode()


def test_a_member_of_another_team_cannot_move_the_meeting(client, tenant_a):
    from tests.factories import PersonFactory

    PersonFactory(organization=tenant_a.org, email="x@alpha.example", team=tenant_a.other_team,
                  user=tenant_a.users["member"])  # fmt: skip
    meeting = meeting_for(tenant_a)
    client.force_login(tenant_a.users["member"])
    assert client.get(go(tenant_a, "rhythm_meeting", meeting)).status_code == 403
    assert client.post(go(tenant_a, "rhythm_meeting_section", meeting), {"section": "3"}).status_code == 403
    meeting.refresh_from_db()
    assert meeting.section_index == 0
