"""Opening a review cycle invites the team leads who cannot log in: their QBR e-mail carries the
invitation link (accepting it links them to their team), not "log in"."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from peakos.models import MemberInvitation, Membership, Role
from reviews.models import BusinessReview, ReviewCycle
from tests.factories import PersonFactory


@pytest.fixture
def new_lead(tenant_a):
    """The other team's lead has no login (like most team leads of a fresh organization)."""
    lead = PersonFactory(
        organization=tenant_a.org, name="Olga Other", email="olga@alpha.example", team=tenant_a.other_team
    )
    tenant_a.other_team.lead = lead
    tenant_a.other_team.save()
    return lead


def cycle_post(tenant, **overrides):
    today = timezone.localdate()
    return {
        "kind": "quarterly",
        "period": "2026-Q4",
        "opens_on": today.isoformat(),
        "due_on": (today + timedelta(days=14)).isoformat(),
        "team_ids": [tenant.team.pk, tenant.other_team.pk],
        **overrides,
    }


@pytest.mark.django_db
def test_the_cycle_form_offers_to_invite_the_leads_without_an_account(as_role, tenant_a, new_lead):
    page = as_role("admin").get(reverse("review_cycle_create", args=[tenant_a.org.slug])).content.decode()
    assert "1 team lead cannot log in yet: Olga Other." in page
    assert re.search(r'<input[^>]*name="invite_leads"[^>]*checked', page)  # offered, ticked


@pytest.mark.django_db
def test_the_review_email_of_a_lead_without_login_carries_the_invitation(
    as_role, client, tenant_a, new_lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_role("admin").post(
            reverse("review_cycle_create", args=[tenant_a.org.slug]), cycle_post(tenant_a, invite_leads="on")
        )
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"olga@alpha.example", tenant_a.team.lead.email}
    olga_mail = by_to["olga@alpha.example"]
    assert "no Peak OS login yet" in olga_mail.body and "log in with this e-mail" not in olga_mail.body
    assert "/invite/" in olga_mail.alternatives[0][0]
    # The lead who can log in gets the usual mail.
    assert "/invite/" not in by_to[tenant_a.team.lead.email].body
    invitation = MemberInvitation.objects.get(organization=tenant_a.org, email="olga@alpha.example")
    assert invitation.role == Role.MANAGER and invitation.invited_by == tenant_a.users["admin"]

    # Accepting links her login to her person: the review of her team is hers to edit.
    client.logout()
    path = re.search(r"https?://[^/\s]+(/invite/\S+/)", olga_mail.body).group(1)
    client.post(path, {"name": "Olga", "password1": "Tricky-pass-991", "password2": "Tricky-pass-991"})
    new_lead.refresh_from_db()
    assert new_lead.user is not None
    assert Membership.objects.get(organization=tenant_a.org, user=new_lead.user).role == Role.MANAGER
    review = BusinessReview.objects.get(
        cycle=ReviewCycle.objects.get(organization=tenant_a.org), team=tenant_a.other_team
    )
    assert client.get(reverse("review_edit", args=[tenant_a.org.slug, review.pk])).status_code == 200


@pytest.mark.django_db
def test_without_the_option_nobody_is_invited(as_role, tenant_a, new_lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        as_role("admin").post(reverse("review_cycle_create", args=[tenant_a.org.slug]), cycle_post(tenant_a))
    assert not MemberInvitation.objects.filter(organization=tenant_a.org).exists()
    olga_mail = next(m for m in mail.outbox if m.to == ["olga@alpha.example"])
    assert "/invite/" not in olga_mail.body


@pytest.mark.django_db
def test_a_lead_of_two_teams_gets_one_invitation_in_both_emails(
    as_role, tenant_a, new_lead, django_capture_on_commit_callbacks
):
    tenant_a.subteam.lead = new_lead
    tenant_a.subteam.save()
    with django_capture_on_commit_callbacks(execute=True):
        as_role("admin").post(
            reverse("review_cycle_create", args=[tenant_a.org.slug]),
            cycle_post(tenant_a, team_ids=[tenant_a.other_team.pk, tenant_a.subteam.pk], invite_leads="on"),
        )
    assert MemberInvitation.objects.filter(email="olga@alpha.example").count() == 1
    links = {re.search(r"/invite/(\S+)/", m.body).group(1) for m in mail.outbox if m.to == ["olga@alpha.example"]}
    assert len(links) == 1 and len([m for m in mail.outbox if m.to == ["olga@alpha.example"]]) == 2
