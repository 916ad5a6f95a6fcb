"""Reads of onboarding: the first-run checklist on an organization's home page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse

from peakos.models import (
    MemberInvitation,
    Membership,
    Organization,
    Person,
    Priority,
    PriorityLevel,
    Role,
    TeamDependency,
    current_period,
)
from surveys.models import Survey

# Roles that make someone a leader of the organization for "invite leaders".
LEADING_ROLES = [Role.ADMIN, Role.LEADER, Role.MANAGER]


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    hint: str
    done: bool
    url: str


def first_run_checklist(organization: Organization) -> list[ChecklistItem]:
    """The owner's first steps, each ticked off by real data (never by a "done" click).

    One query: an EXISTS per step on the organization's row, so the home page stays cheap.
    """
    org_id = OuterRef("pk")
    flags = (
        Organization.objects.filter(pk=organization.pk)
        .annotate(
            has_people=Exists(Person.objects.with_scopes_disabled().filter(organization=org_id)),
            has_dependencies=Exists(TeamDependency.objects.with_scopes_disabled().filter(organization=org_id)),
            has_priorities=Exists(
                Priority.objects.with_scopes_disabled().filter(
                    organization=org_id, level=PriorityLevel.COMPANY, period=current_period()
                )
            ),
            has_pulse=Exists(Survey.objects.with_scopes_disabled().filter(organization=org_id)),
            has_leaders=Exists(
                Membership.objects.with_scopes_disabled().filter(organization=org_id, role__in=LEADING_ROLES)
            )
            | Exists(
                MemberInvitation.objects.with_scopes_disabled().filter(organization=org_id, role__in=LEADING_ROLES)
            ),
        )
        .values("has_people", "has_dependencies", "has_priorities", "has_pulse", "has_leaders")
        .get()
    )
    slug = organization.slug
    return [
        ChecklistItem(
            "people",
            "Import your people and teams",
            "Upload a CSV of people, their teams and managers.",
            flags["has_people"],
            reverse("manage_import", args=[slug]),
        ),
        ChecklistItem(
            "dependencies",
            "Set which teams depend on which",
            "The coordination matrix asks each team about the teams it relies on.",
            flags["has_dependencies"],
            reverse("manage_dependencies", args=[slug]),
        ),
        ChecklistItem(
            "priorities",
            f"Set this quarter's company priorities ({current_period()})",
            "Surveys ask whether people know them; reviews link to them.",
            flags["has_priorities"],
            reverse("manage_priorities", args=[slug]),
        ),
        ChecklistItem(
            "pulse",
            "Schedule the first pulse survey",
            "Start from the 8-question alignment pulse.",
            flags["has_pulse"],
            reverse("survey_create", args=[slug]),
        ),
        ChecklistItem(
            "leaders",
            "Invite your leaders and managers",
            "They see their own teams' results and file their teams' reviews.",
            flags["has_leaders"],
            reverse("manage_people", args=[slug]),
        ),
    ]
