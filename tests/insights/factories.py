"""Rounds with answers, built directly (bulk_create), for the insights engine's tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from peakos.models import Layer, Team
from surveys.models import Answer, Invitation, Question, Response, Round, RoundQuestion, RoundStatus, Survey

QUESTIONS = [
    ("alignment-priorities", "alignment", "likert5"),
    ("alignment-why", "alignment", "likert5"),
    ("team-health-trust", "team_health", "likert5"),
    ("enps", "enps", "scale10"),
    ("priority-pick", "priority_pick", "priority_pick"),
    ("rate-teams", "rate_team", "rate_team"),
    ("comment", "comment", "text"),
]


def questions(org) -> dict[str, Question]:
    out = {}
    for key, dimension, kind in QUESTIONS:
        out[key], _ = Question.objects.get_or_create(
            organization=org, key=key, version=1, defaults={"dimension": dimension, "kind": kind, "text": key}
        )
    return out


def survey(org, name: str = "Pulse") -> Survey:
    found = Survey.objects.filter(organization=org, name=name).first()
    if found:
        return found
    return Survey.objects.create(organization=org, name=name, start_date=timezone.now().date())


@dataclass
class RoundBuilder:
    """Collects anonymous answer sheets, then writes the round in a few bulk inserts.

    ``respond(team, layer, likert=4, enps=8, rate={team: 2}, picks=[p1, p2], comment="")``
    adds one response: every Likert question answered ``likert`` (or a dict key → value);
    ``manager``: the respondent's manager snapshot (a Person), for manager effectiveness.
    """

    org: object
    survey: Survey
    number: int = 1
    status: str = RoundStatus.CLOSED
    anonymity_threshold: int | None = 5
    comment_threshold: int | None = 10
    sheets: list = field(default_factory=list)
    invited: list = field(default_factory=list)  # (team, layer, count)

    def respond(self, team: Team | None, layer: str = Layer.INDIVIDUAL, *, likert=4, enps=None, rate=None,
                picks=None, comment: str = "", times: int = 1, manager=None) -> RoundBuilder:  # fmt: skip
        for _ in range(times):
            self.sheets.append((team, layer, likert, enps, rate or {}, picks or [], comment, manager))
        return self

    def invite(self, team: Team | None, layer: str = Layer.INDIVIDUAL, count: int = 1) -> RoundBuilder:
        self.invited.append((team, layer, count))
        return self

    def save(self) -> Round:
        qs = questions(self.org)
        opens = timezone.now() - timedelta(days=30 - self.number)
        round_ = Round.objects.create(
            organization=self.org,
            survey=self.survey,
            number=self.number,
            opens_at=opens,
            closes_at=opens + timedelta(days=5),
            status=self.status,
            anonymity_threshold=self.anonymity_threshold,
            comment_threshold=self.comment_threshold,
            invited_count=sum(c for _, _, c in self.invited) or len(self.sheets),
        )
        RoundQuestion.objects.bulk_create(
            RoundQuestion(organization=self.org, round=round_, question=q, position=i)
            for i, q in enumerate(qs.values())
        )
        responses = Response.objects.bulk_create(
            Response(
                organization=self.org, round=round_, team=team, layer=layer, manager=manager, submitted_on=opens.date()
            )
            for team, layer, *_, manager in self.sheets
        )
        answers = []
        for response, (_, _, likert, enps, rate, picks, comment, _manager) in zip(responses, self.sheets, strict=True):
            for key, question in qs.items():
                if question.kind == "likert5":
                    value = likert.get(key) if isinstance(likert, dict) else likert
                    if value is not None:
                        answers.append(Answer(organization=self.org, response=response, question=question, value=value))
            if enps is not None:
                answers.append(Answer(organization=self.org, response=response, question=qs["enps"], value=enps))
            for rated, value in rate.items():
                answers.append(
                    Answer(organization=self.org, response=response, question=qs["rate-teams"], value=value,
                           rated_team=rated)
                )  # fmt: skip
            for rank, priority in enumerate(picks, start=1):
                answers.append(
                    Answer(organization=self.org, response=response, question=qs["priority-pick"], value=rank,
                           priority=priority)
                )  # fmt: skip
            if comment:
                answers.append(Answer(organization=self.org, response=response, question=qs["comment"], text=comment))
        Answer.objects.bulk_create(answers)
        invitations = []
        people = list(self.org.people.all()) if self.invited else []
        for team, layer, count in self.invited:
            for _ in range(count):
                person = people[len(invitations) % len(people)]
                invitations.append(
                    Invitation(organization=self.org, round=round_, person=person, team=team, layer=layer)
                )
        # Invitation is unique per (round, person): give each a person of its own.
        if invitations:
            from tests.factories import PersonFactory

            needed = len(invitations) - len(people)
            extra = [PersonFactory(organization=self.org) for _ in range(max(needed, 0))]
            pool = people + extra
            for invitation, person in zip(invitations, pool, strict=False):
                invitation.person = person
            Invitation.objects.bulk_create(invitations)
        return round_
