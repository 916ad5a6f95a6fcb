"""Demo data of the reviews app: Northwind's 2026-Q3 and 2026-Q4 quarterly business reviews.

* QBR 2026-Q3 (closed): Platform and Support approved (their priorities became the
  2026-Q4 team priorities of the cascade); Growth Engineering never submitted (late).
* QBR 2026-Q4 (open): the leadership team's review approved (it set the 2027-Q1 company
  priorities), Engineering and Enterprise Sales approved, Platform submitted a second
  version after a return, Growth Engineering returned, Support and others in draft;
  metrics partly off track; asks between teams; two action plans.

Idempotent: a cycle that exists is left alone; actions are looked up by title.
Content is written directly (the leads have no logins in the demo); versions and
cascade priorities are made by the same functions the workflow uses.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from peakos.models import Membership, Organization, Priority, PriorityLevel, Role, Team
from peakos.tenancy import org_scope
from reviews import packet
from reviews.models import (
    Action,
    Ask,
    BusinessReview,
    CycleKind,
    CycleStatus,
    Decision,
    Metric,
    ReviewCycle,
    ReviewPriority,
    ReviewStatus,
    ReviewVersion,
    Risk,
)
from reviews.services import set_next_period_priorities
from reviews.versions import snapshot_of

Q3, Q4 = "2026-Q3", "2026-Q4"

# team -> (status, health, wins, misses, lessons, metrics[(name, target, actual, unit, status)],
#          priorities[(title, parent title or None for unlinked)], risks[(description, severity)], asks[(team, request)])
Q3_REVIEWS = {
    "Platform": (
        ReviewStatus.APPROVED,
        3,
        "Moved the API gateway to the new cluster with no downtime.",
        "The public API beta slipped: auth scopes were redesigned twice.",
        "Agree the API contract with Product before building.",
        [("Uptime", "99.9", "99.95", "%", "on_track"), ("API beta endpoints live", "12", "5", "", "off_track")],
        [("Public API beta with 3 design partners", "Ship the public API beta"), ("Replace the CI runners", None)],
        [("Auth scopes still undecided", "high")],
        [],
    ),
    "Support": (
        ReviewStatus.APPROVED,
        4,
        "First-response time down to 3 hours.",
        "Backlog of onboarding tickets grew in August.",
        "Tag onboarding tickets so Onboarding sees them the same day.",
        [("First response time", "4", "3", "hours", "on_track"), ("CSAT", "90", "88", "%", "at_risk")],
        [("Onboarding tickets answered within a day", "Onboarding in 14 days, not 30")],
        [],
        [],
    ),
    "Growth Engineering": (ReviewStatus.DRAFT, None, "", "", "", [], [], [], []),
}

LEADERSHIP_2027_Q1 = [
    "Win the mid-market: 60 new logos",
    "Halve time-to-value for new customers",
    "Launch the platform API to general availability",
    "Reach 70% gross margin",
]

Q4_REVIEWS = {
    "Leadership Team": (
        ReviewStatus.APPROVED,
        4,
        "Closed 31 mid-market logos; API beta live with 4 design partners.",
        "Time-to-value is still 27 days; margin flat at 64%.",
        "Fewer priorities: every department named too many.",
        [("New mid-market logos", "40", "31", "", "at_risk"), ("Gross margin", "70", "64", "%", "off_track")],
        [(title, None) for title in LEADERSHIP_2027_Q1],
        [("Two senior engineers leaving in Q1", "medium")],
        [],
    ),
    "Engineering": (
        ReviewStatus.APPROVED,
        3,
        "API beta shipped; cloud spend per customer down 8%.",
        "Cost target missed; on-call load rose.",
        "Cost work needs a dedicated owner, not spare time.",
        [
            ("Cloud cost per customer", "80", "92", "€", "off_track"),
            ("API beta endpoints live", "12", "12", "", "on_track"),
        ],
        [
            ("Ship the public API to GA", "Launch the platform API to general availability"),
            ("Cut cloud cost per customer by 20%", "Reach 70% gross margin"),
        ],
        [],
        [],
    ),
    "Enterprise Sales": (
        ReviewStatus.APPROVED,
        4,
        "Closed 9 enterprise deals, two from API design partners.",
        "Security reviews slowed three deals by a month.",
        "Bring the security questionnaire to the first call.",
        [("New enterprise ARR", "1200", "1310", "k€", "on_track"), ("Sales cycle", "90", "104", "days", "at_risk")],
        [
            ("Close 10 mid-market-to-enterprise upgrades", "Win the mid-market: 60 new logos"),
            ("Partner-sourced pipeline of 2 M€", "Win the mid-market: 60 new logos"),
            ("Rebuild the pricing calculator", None),
        ],
        [("Security review backlog", "medium")],
        [
            ("Product Marketing", "A security one-pager for enterprise buyers"),
            ("Platform", "SSO in the API before February"),
        ],
    ),
    "Platform": (
        ReviewStatus.RETURNED,
        2,
        "API beta live: 12 endpoints, 4 design partners.\nOn-call pages down 30%.",
        "Auth scopes slipped again; CI migration stalled.",
        "Pair with Product on the contract before the sprint starts.",
        [
            ("API endpoints live", "12", "12", "", "on_track"),
            ("Uptime", "99.9", "99.7", "%", "off_track"),
            ("Deploys per week", "20", "14", "", "at_risk"),
        ],
        [
            ("API GA with SSO", "Ship the public API to GA"),
            ("Halve build times", "Cut cloud cost per customer by 20%"),
            ("Migrate CI to the new runners", None),
        ],
        [("SSO vendor contract not signed", "high"), ("On-call fatigue", "medium")],
        [("Growth Engineering", "Own the API usage dashboard")],
    ),
    "Growth Engineering": (
        ReviewStatus.SUBMITTED,
        3,
        "Self-serve signup shipped.\nTrial-to-paid up from 9% to 11%.",
        "Activation experiment inconclusive.",
        "Run experiments for four weeks, not two: two weeks never reached significance.",
        [("Activation rate", "40", "31", "%", "off_track"), ("Signup conversion", "4", "4.6", "%", "on_track")],
        [("Activation to 40%", "Halve time-to-value for new customers")],
        [],
        [],
    ),
    "Support": (
        ReviewStatus.DRAFT,
        4,
        "CSAT back to 91%.",
        "",
        "",
        [("CSAT", "90", "91", "%", "on_track"), ("Backlog", "50", "", "tickets", "at_risk")],
        [],
        [],
        [("Onboarding", "Join the weekly ticket triage")],
    ),
    "Onboarding": (ReviewStatus.DRAFT, None, "", "", "", [], [], [], []),
    "Product": (ReviewStatus.DRAFT, None, "", "", "", [], [], [], []),
    "Customer Success": (ReviewStatus.DRAFT, None, "", "", "", [], [], [], []),
}

# A first version, returned by the CEO, before the version in Q4_REVIEWS was submitted (a diff to look at).
FIRST_VERSIONS = {
    "Growth Engineering": {"wins": "Self-serve signup shipped.", "lessons": "",
                           "metrics": [("Activation rate", "40", "31", "%", "off_track")]},
}  # fmt: skip
RETURN_COMMENTS = {
    "Platform": "The SSO risk needs an owner outside Platform, and say which design partner agreed the GA date.",
    "Growth Engineering": "Write the lessons and add the signup conversion metric, please.",
}

ACTIONS = [
    ("Weekly priorities stand-up in Platform", "alignment", "Platform",
     "Ten minutes every Monday: the three priorities of the week and how they serve the API GA."),
    ("Joint API contract review, Product × Engineering", "coordination", None,
     "Product and Engineering leads review the API contract together every second week."),
]  # fmt: skip


def _get(model, **kwargs):
    return model.objects.filter(**kwargs).first()


def _parent(title: str | None, periods: tuple[str, ...]) -> Priority | None:
    if title is None:
        return None
    return (
        Priority.objects.filter(title=title, period__in=periods, level__in=["company", "department"])
        .order_by("level")
        .first()
    )


def _ensure_q4_priorities(org: Organization, teams: dict[str, Team]) -> None:
    """The 2026-Q4 company/department priorities the Q3 reviews link to (peakos.demo makes them when Q4 is now)."""
    company = {}
    for rank, title in enumerate(
        ["Win the mid-market: 40 new logos", "Halve time-to-value for new customers", "Launch the platform API",
         "Reach 70% gross margin"], start=1):  # fmt: skip
        company[rank], _ = Priority.objects.get_or_create(
            organization=org, title=title, period=Q4, level=PriorityLevel.COMPANY, defaults={"rank": rank}
        )
    for dept, title, parent in (
        ("Engineering", "Ship the public API beta", 3),
        ("Customer Success", "Onboarding in 14 days, not 30", 2),
    ):
        Priority.objects.get_or_create(
            organization=org, title=title, period=Q4, level=PriorityLevel.DEPARTMENT, team=teams[dept],
            defaults={"parent": company[parent]},
        )  # fmt: skip


def _fill(review: BusinessReview, spec, periods: tuple[str, ...], teams: dict[str, Team]) -> None:
    status, health, wins, misses, lessons, metrics, priorities, risks, asks = spec
    org = review.organization
    review.health, review.wins, review.misses, review.lessons = health, wins, misses, lessons
    review.save(update_fields=["health", "wins", "misses", "lessons", "updated_at"])
    Metric.objects.bulk_create(
        [
            Metric(
                organization=org,
                review=review,
                name=n,
                target=Decimal(t),
                actual=Decimal(a) if a else None,
                unit=u,
                status=s,
                position=i,
            )  # fmt: skip
            for i, (n, t, a, u, s) in enumerate(metrics)
        ]
    )
    ReviewPriority.objects.bulk_create(
        [
            ReviewPriority(
                organization=org,
                review=review,
                title=title,
                position=i,
                parent=_parent(parent, periods),
                unlinked=parent is None and review.priority_level != "company",
            )  # fmt: skip
            for i, (title, parent) in enumerate(priorities)
        ]
    )
    Risk.objects.bulk_create(
        [
            Risk(organization=org, review=review, description=d, severity=sev, owner=review.team.lead, position=i)
            for i, (d, sev) in enumerate(risks)
        ]
    )
    Ask.objects.bulk_create(
        [Ask(organization=org, review=review, to_team=teams[t], request=r, position=i) for i, (t, r) in enumerate(asks)]
    )


def _submit(review: BusinessReview, at, user) -> ReviewVersion:
    review = (
        BusinessReview.objects.select_related("team", "cycle")
        .prefetch_related("metrics", "priorities__parent", "risks__owner", "asks__to_team")
        .get(pk=review.pk)
    )
    review.version += 1
    version = ReviewVersion.objects.create(
        organization=review.organization, review=review, number=review.version, snapshot=snapshot_of(review),
        submitted_at=at, submitted_by=user,
    )  # fmt: skip
    BusinessReview.objects.filter(pk=review.pk).update(
        status=ReviewStatus.SUBMITTED, submitted_at=at, version=review.version
    )
    return version


def _decide(review: BusinessReview, decision: str, at, user, comment: str = "") -> None:
    ReviewVersion.objects.filter(review=review, number=review.versions.count()).update(
        decision=decision, decision_comment=comment, decided_at=at, decided_by=user
    )
    status = ReviewStatus.APPROVED if decision == Decision.APPROVED else ReviewStatus.RETURNED
    BusinessReview.objects.filter(pk=review.pk).update(status=status, decided_at=at)
    if decision == Decision.APPROVED:
        set_next_period_priorities(BusinessReview.objects.select_related("cycle", "team").get(pk=review.pk))


def _cycle(org, period, opens_on: date, due_on: date, status: str, teams: list[Team]):
    cycle, created = ReviewCycle.objects.get_or_create(
        organization=org, kind=CycleKind.QUARTERLY, period=period,
        defaults={"opens_on": opens_on, "due_on": due_on, "status": status},
    )  # fmt: skip
    if created:
        opened = timezone.make_aware(datetime.combine(opens_on, time(9)))
        cycle.opened_at = opened
        cycle.closed_at = opened + timedelta(days=30) if status == CycleStatus.CLOSED else None
        cycle.save()
        BusinessReview.objects.bulk_create(
            [BusinessReview(organization=org, cycle=cycle, team=t, invited_at=opened) for t in teams]
        )
    return cycle, created


def _seed_cycle(cycle, specs, teams, approver, *, plans_for: str) -> None:
    periods = (plans_for, plans_for[:4])
    at = cycle.opened_at + timedelta(days=7)
    # Leadership first: its approval creates the company priorities the others link to.
    for name, spec in sorted(specs.items(), key=lambda kv: (teams[kv[0]].kind != "leadership", kv[0])):
        review = BusinessReview.objects.select_related("team__lead", "cycle", "organization").get(
            cycle=cycle, team=teams[name]
        )
        status = spec[0]
        lead_user = review.team.lead.user if review.team.lead_id else None
        if name in FIRST_VERSIONS and cycle.period == Q4:  # v1 was returned, v2 is waiting
            first = list(spec)
            first[2], first[4], first[5] = (FIRST_VERSIONS[name][k] for k in ("wins", "lessons", "metrics"))
            _fill(review, tuple(first), periods, teams)
            _submit(review, at - timedelta(days=3), lead_user)
            _decide(review, Decision.RETURNED, at - timedelta(days=2), approver, RETURN_COMMENTS[name])
            for rel in ("metrics", "priorities", "risks", "asks"):
                getattr(review, rel).all().delete()
        _fill(review, spec, periods, teams)
        if status in (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED, ReviewStatus.RETURNED):
            _submit(review, at, lead_user)
        if status == ReviewStatus.APPROVED:
            _decide(review, Decision.APPROVED, at + timedelta(days=1), approver, "Clear and honest. Approved.")
        elif status == ReviewStatus.RETURNED:
            _decide(review, Decision.RETURNED, at + timedelta(days=1), approver, RETURN_COMMENTS.get(name, ""))
        at += timedelta(hours=5)


def seed_northwind() -> None:
    org = Organization.objects.filter(slug="northwind").first()
    if org is None:
        return
    with org_scope(org), transaction.atomic():
        teams = {t.name: t for t in Team.objects.select_related("lead")}
        needed = set(Q3_REVIEWS) | set(Q4_REVIEWS) | {"Product Marketing"}
        if not needed <= teams.keys():
            return  # not the demo tree
        approver = _get(Membership, role=Role.LEADER, user__email="ceo@northwind.example")
        approver = approver.user if approver else None
        _ensure_q4_priorities(org, teams)

        q3, created = _cycle(org, Q3, date(2026, 7, 1), date(2026, 7, 17), CycleStatus.CLOSED,
                             [teams[n] for n in Q3_REVIEWS])  # fmt: skip
        if created:
            _seed_cycle(q3, Q3_REVIEWS, teams, approver, plans_for=Q4)

        for title, dimension, team_name, description in ACTIONS:
            team = teams.get(team_name) if team_name else None
            if not Action.objects.filter(title=title).exists():
                action = Action.objects.create(
                    organization=org, title=title, description=description, dimension=dimension, scope_team=team,
                    owner=team.lead if team else teams["Engineering"].lead,
                    due_on=timezone.localdate() + timedelta(days=40), created_by=approver,
                    source="score:" + dimension, source_label=f"{dimension.replace('_', ' ')} score",
                )  # fmt: skip
                # Created six weeks ago, so rounds that closed since show its before/after figures.
                Action.objects.filter(pk=action.pk).update(created_at=timezone.now() - timedelta(days=42))

        q4, created = _cycle(org, Q4, date(2026, 11, 16), date(2026, 12, 11), CycleStatus.OPEN,
                             [teams[n] for n in Q4_REVIEWS])  # fmt: skip
        if created:
            packet.prepare_packets(q4)  # the evidence as it stood when the cycle opened
            _seed_cycle(q4, Q4_REVIEWS, teams, approver, plans_for="2027-Q1")


def seed() -> None:
    seed_northwind()
