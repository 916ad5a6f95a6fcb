"""The manager snapshot: a round's invitations and responses carry each person's manager as it
was when the round opened, a group label like team and layer (manager effectiveness counts it)."""

from peakos.models import Person
from surveys.models import Invitation, Response
from tests.surveys.factories import link_for, make_survey, open_now, valid_answers


def _report_of(tenant, manager):
    person = Person.objects.get(organization=tenant.org, email__startswith="p2")
    person.manager = manager
    person.save(update_fields=["manager"])
    return person


def test_opening_a_round_snapshots_each_persons_manager(tenant_a, priorities):
    manager = tenant_a.people[0]
    report = _report_of(tenant_a, manager)
    round_ = open_now(make_survey(tenant_a))
    invitations = {i.person_id: i.manager_id for i in Invitation.objects.filter(round=round_)}
    assert invitations[report.pk] == manager.pk
    assert invitations[manager.pk] is None  # the manager has no manager of their own here


def test_a_response_carries_the_managers_label_never_the_person_who_answered(client, tenant_a, priorities):
    manager = tenant_a.people[0]
    report = _report_of(tenant_a, manager)
    round_ = open_now(make_survey(tenant_a))
    invitation = Invitation.objects.get(round=round_, person=report)
    assert client.post(link_for(invitation), valid_answers(round_, invitation.team_id)).status_code == 200
    stored = Response.objects.get(round=round_)
    assert stored.manager_id == manager.pk and stored.manager_id != report.pk


def test_a_later_change_of_manager_leaves_the_round_as_it_was(client, tenant_a, priorities):
    manager, other = tenant_a.people[0], tenant_a.people[1]
    report = _report_of(tenant_a, manager)
    round_ = open_now(make_survey(tenant_a))
    invitation = Invitation.objects.get(round=round_, person=report)
    _report_of(tenant_a, other)  # reorganised while the round is open
    client.post(link_for(invitation), valid_answers(round_, invitation.team_id))
    assert Response.objects.get(round=round_).manager_id == manager.pk
    invitation.refresh_from_db()
    assert invitation.manager_id == manager.pk


def test_erasing_a_manager_removes_their_name_from_the_rounds_labels(client, tenant_a, priorities):
    manager = tenant_a.people[0]
    report = _report_of(tenant_a, manager)
    round_ = open_now(make_survey(tenant_a))
    invitation = Invitation.objects.get(round=round_, person=report)
    client.post(link_for(invitation), valid_answers(round_, invitation.team_id))
    manager.delete()
    assert Response.objects.get(round=round_).manager_id is None
    assert Invitation.objects.get(round=round_, person=report).manager_id is None
