"""Leadership data for tests and for tests/isolation.py."""

from __future__ import annotations

from leadership import bank, services
from leadership.models import Feedback, Rater, Relationship
from peakos.models import Layer
from tests.factories import PersonFactory

PREFIX = "ldr"


def org_chart(tenant, *, reports: int = 6, peers: int = 2):
    """The tenant's manager person leads ``reports`` direct reports; their own manager is
    people[1] (in the leadership team), who also manages ``peers`` other people."""
    leader = tenant.people[0]
    boss = tenant.people[1]
    leader.manager = boss
    leader.save()
    tag = tenant.org.slug
    direct = [
        PersonFactory(
            organization=tenant.org,
            name=f"Report {i}",
            email=f"report{i}.{tag}@example.com",
            team=tenant.team,
            manager=leader,
        )
        for i in range(reports)
    ]
    peer_people = [
        PersonFactory(
            organization=tenant.org,
            name=f"Peer {i}",
            email=f"peer{i}.{tag}@example.com",
            team=tenant.department,
            manager=boss,
            layer=Layer.MANAGER,
        )
        for i in range(peers)
    ]
    return leader, boss, direct, peer_people


def feedback_for(tenant, **options) -> Feedback:
    """A 360 of the tenant's manager person (created once per tenant and reused)."""
    leader = tenant.people[0]
    existing = Feedback.objects.filter(organization=tenant.org, leader=leader).first()
    if existing is not None:
        return existing
    if not leader.reports.exists():
        org_chart(tenant)
        leader.refresh_from_db()
    suggested = services.suggested_raters(leader)
    raters = [(p.pk, rel) for rel, people in suggested.items() for p in people]
    feedback = services.start_feedback(organization=tenant.org, actor=None, leader=leader, raters=raters, **options)
    services.send_invitations(feedback.pk)  # what the task does after commit (tests run inside a transaction)
    return feedback


def answer_as(rater: Rater, value: int = 4, **overrides) -> None:
    data = {item: str(value) for item in bank.ITEM_KEYS}
    data.update({k: str(v) for k, v in overrides.items()})
    services.submit_feedback(rater=rater, data=data)


def raters(feedback: Feedback, relationship: str) -> list[Rater]:
    return list(Rater.objects.filter(feedback=feedback, relationship=relationship).order_by("id"))


__all__ = ["Relationship", "answer_as", "feedback_for", "org_chart", "raters"]
