"""Privacy tests' data: a round answered through the real services, and row fingerprints.

``answered_round`` opens a pulse for tenant A (plus enough people for results to show),
lets everyone but two answer through ``submit_response`` (links, guard rows and all),
cuts a live release, closes the round and recomputes it, as production does.
"""

from __future__ import annotations

from django.apps import apps
from django.core import serializers
from django.db import models

from insights.models import CoordinationCell, Participation, PriorityAlignment, Release, Snapshot
from insights.recompute import recompute_round
from peakos.models import Layer
from surveys import selectors
from surveys.models import Invitation, Round, RoundStatus
from surveys.services import schedule, submit
from tests.factories import PersonFactory
from tests.surveys.factories import make_survey, open_now, valid_answers, with_priorities_and_dependencies

RESULT_MODELS = (Snapshot, Participation, Release, PriorityAlignment, CoordinationCell)


def answered_round(
    tenant, *, survey=None, extra_people: int = 14, comment: str = "Keep going.", likert: str = "4"
) -> Round:
    """A closed, recomputed round; ``survey`` given: its next round (no new people)."""
    if survey is None:
        with_priorities_and_dependencies(tenant)
        for i in range(extra_people):
            team = tenant.team if i % 2 else tenant.other_team
            PersonFactory(
                organization=tenant.org, team=team, layer=Layer.INDIVIDUAL, email=f"extra{i}@{tenant.org.slug}.example"
            )
        survey = make_survey(tenant)
    round_ = open_now(survey)
    invitations = list(Invitation.objects.filter(round=round_).order_by("person__email"))
    for invitation in invitations[2:]:
        sheet = selectors.answer_sheet(round_, team_id=invitation.team_id)
        submit.submit_response(
            invitation=invitation, sheet=sheet, data=_answers(round_, invitation.team_id, comment, likert)
        )
    round_.refresh_from_db()
    recompute_round(round_=round_)  # cuts the live release
    schedule.close_round(round=round_)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED
    recompute_round(round_=round_)
    return round_


def _answers(round_: Round, team_id: int | None, comment: str, likert: str) -> dict[str, str]:
    data = valid_answers(round_, team_id, comment=comment)
    likert_names = {
        i.name for i in selectors.answer_sheet(round_, team_id=team_id).items if i.question.kind == "likert5"
    }
    return {k: (likert if k in likert_names else v) for k, v in data.items()}


def serialized_results(round_: Round, *, with_ids: bool = True) -> dict[str, list]:
    """Every stored result row of the round, serialized (ids dropped for a recompute, which rewrites rows)."""
    out = {}
    for model in RESULT_MODELS:
        rows = serializers.serialize("python", model.objects.filter(round=round_).order_by("pk"))
        if not with_ids:
            rows = sorted(repr(sorted(r["fields"].items())) for r in rows)
        out[model.__name__] = rows
    return out


def tenant_models() -> list[type[models.Model]]:
    """Every concrete model of every installed app that has an ``organization`` field."""
    return [
        m
        for m in apps.get_models()
        if not m._meta.proxy and any(f.name == "organization" for f in m._meta.get_fields())
    ]


def rows_per_model(organization) -> dict[str, int]:
    """Rows of every model that belong to the organization (models without an organization
    field are counted through a foreign key to Organization, when they have one)."""
    counts = {}
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        field = next(
            (
                f
                for f in model._meta.concrete_fields
                if isinstance(f, models.ForeignKey) and f.related_model._meta.label == "peakos.Organization"
            ),
            None,
        )
        if model._meta.label == "peakos.Organization":
            counts[model._meta.label] = model._base_manager.filter(pk=organization.pk).count()
        elif field is not None:
            counts[model._meta.label] = model._base_manager.filter(**{field.name: organization.pk}).count()
    return counts


def text_values_mentioning(needle: str) -> list[str]:
    """``model.field`` of every stored text or JSON value, in every table, containing ``needle``."""
    needle = needle.lower()
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        for name in fields:
            for value in model._base_manager.values_list(name, flat=True).iterator():
                text = value if isinstance(value, str) else repr(value)
                if needle in text.lower():
                    found.append(f"{model._meta.label}.{name}")
                    break
    return found
