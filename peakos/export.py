"""Exporting all of an organization's data (owners): a ZIP of CSV files, one per kind of record.

What is in it: people, teams, dependencies, priorities, members (e-mail and role), the
audit log, questions, surveys and their rounds, every stored result (snapshots,
participation, priority alignment, coordination cells, signals), every business review
table, and the free-text comments of rounds whose organization-level comments were
released (by text, no date, no team or layer: what the comments page shows).

What is not, on purpose: raw answers, responses and invitations (the export must not
become the way to trace an answer), token and password hashes, and uploaded files.
An allowlist, not "every table": a new table is exported only once someone decides it may be.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

from insights.models import Participation, ScopeKind
from peakos import permissions
from peakos.audit import record_audit
from peakos.models import Membership, Organization
from surveys.models import Answer, QuestionKind, Round, RoundStatus

EXPORTED_MODELS = (
    "peakos.Team",
    "peakos.Person",
    "peakos.TeamDependency",
    "peakos.Priority",
    "peakos.AuditEvent",
    "surveys.Question",
    "surveys.Survey",
    "surveys.SurveyQuestion",
    "surveys.SurveyTeam",
    "surveys.Round",
    "surveys.RoundQuestion",
    "insights.Snapshot",
    "insights.Participation",
    "insights.PriorityAlignment",
    "insights.CoordinationCell",
    "insights.Signal",
    "insights.SignalSettings",
)
EXPORTED_APPS = ("reviews",)  # every table of these apps that belongs to an organization
SECRET_FIELDS = ("token_hash", "password")

# A cell starting with one of these is a formula in a spreadsheet: neutralise it (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif hasattr(value, "isoformat"):
        value = value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _org_field(model: type[models.Model]) -> str | None:
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is Organization:
            return f.name
    return None


def exported_models() -> list[type[models.Model]]:
    found = [apps.get_model(label) for label in EXPORTED_MODELS]
    for app_label in EXPORTED_APPS:
        found += [m for m in apps.get_app_config(app_label).get_models() if _org_field(m)]
    return found


def _csv(columns: list[str], rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _released_comments(organization: Organization):
    """(round id, question, text) of closed rounds whose organization-wide comments were released."""
    released = Participation.objects.filter(
        organization=organization, scope_kind=ScopeKind.ORGANIZATION, suppressed=False, comments_released=True
    ).values_list("round_id", "respondents")
    rounds = {
        r.pk: r
        for r in Round.objects.filter(organization=organization, status=RoundStatus.CLOSED).select_related(
            "organization"
        )
    }
    ok = [
        round_id
        for round_id, respondents in released
        if round_id in rounds
        and (respondents or 0)
        >= max(rounds[round_id].effective_comment_threshold, rounds[round_id].effective_anonymity_threshold)
    ]
    return (
        Answer.objects.filter(organization=organization, response__round_id__in=ok, question__kind=QuestionKind.TEXT)
        .exclude(text="")
        .order_by("response__round_id", "text", "question__text")
        .values_list("response__round_id", "question__text", "text")
    )


def export_organization(*, membership: Membership, actor) -> tempfile.SpooledTemporaryFile:
    """Write the organization's ZIP (see the module docstring) and audit it. Owners only.

    Returns a file positioned at 0 (kept in memory up to 20 MB, then on disk)."""
    if not permissions.is_owner(membership):
        raise PermissionDenied("Only an owner can export the organization's data.")
    organization = membership.organization
    out = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115 - the caller streams and closes it
    counts: dict[str, int] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for model in exported_models():
            columns = [
                f.attname
                for f in model._meta.concrete_fields
                if f.name not in SECRET_FIELDS and f.name != "organization"
            ]
            rows = model._base_manager.filter(**{_org_field(model): organization}).order_by("pk")
            values = list(rows.values_list(*columns))
            name = f"{model._meta.app_label}/{model._meta.model_name}.csv"
            archive.writestr(name, _csv(columns, values))
            counts[name] = len(values)
        members = Membership.objects.filter(organization=organization).order_by("user__email")
        member_rows = list(members.values_list("user__email", "user__name", "role", "created_at"))
        archive.writestr("peakos/members.csv", _csv(["email", "name", "role", "created_at"], member_rows))
        counts["peakos/members.csv"] = len(member_rows)
        comments = list(_released_comments(organization))
        archive.writestr("surveys/released_comments.csv", _csv(["round_id", "question", "text"], comments))
        counts["surveys/released_comments.csv"] = len(comments)
        manifest = {
            "organization": {"slug": organization.slug, "name": organization.name},
            "exported_at": timezone.now().isoformat(),
            "files": counts,
            "not_included": "raw answers, responses and invitations (anonymity), token and password hashes",
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
    record_audit(
        organization=organization,
        actor=actor,
        action="organization.export",
        obj=organization,
        summary=f"Exported all data ({sum(counts.values())} rows in {len(counts)} files)",
    )
    out.seek(0)
    return out
