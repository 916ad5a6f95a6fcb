"""Saving a review draft: every section validated together, all of it written or none of it.

Errors are keyed for the form: ``"wins"``, or ``"metrics.2.actual"`` for a row's field.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext

from peakos import permissions
from peakos.models import Membership, Person, Priority, PriorityLevel, Team
from reviews import access
from reviews.models import (
    EDITABLE_STATUSES,
    Ask,
    BusinessReview,
    CycleStatus,
    Metric,
    MetricStatus,
    ReviewPriority,
    Risk,
    Severity,
    parent_periods,
)
from reviews.services.mail import deny

# Reminders go out this many days before the due date (one e-mail per threshold crossed).

UNLINKED = "unlinked"
MAX_DIGITS_BEFORE_POINT = 12


def lock_editable(membership: Membership, review: BusinessReview) -> BusinessReview:
    review = (
        BusinessReview.objects.select_for_update(of=("self",)).select_related("cycle", "team__lead").get(pk=review.pk)
    )
    if not access.can_edit_review(membership, review):
        deny(permissions.denial(access.can_edit_review))
    if review.cycle.status == CycleStatus.SCHEDULED:
        raise ValidationError(
            gettext("This cycle opens on %(date)s; the review cannot be edited yet.")
            % {"date": date_format(review.cycle.opens_on, gettext("j M Y"))}
        )
    if review.status not in EDITABLE_STATUSES:
        raise ValidationError(
            gettext("This review is %(status)s and can no longer be edited.")
            % {"status": review.get_status_display().lower()}
        )
    return review


def parse_number(value: Any, *, what: str) -> Decimal | None:
    """A metric figure: empty → None; otherwise a plain decimal number, or a clear error."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(
            gettext(
                "%(what)s must be a number, e.g. 42 or 97.5 — “%(text)s” is not. Put the unit (%%, €, days) in Unit."
            )
            % {"what": what, "text": text[:40]}
        )
    if abs(number) >= Decimal(10) ** MAX_DIGITS_BEFORE_POINT:
        raise ValidationError(gettext("%(what)s is too large.") % {"what": what})
    return number.quantize(Decimal("0.01"))


def _clean_metrics(rows: list[dict], errors: dict) -> list[dict]:
    out = []
    for row in rows:
        i = row.get("row", len(out))
        name = (row.get("name") or "").strip()
        if not name:
            errors[f"metrics.{i}.name"] = [gettext("Give the metric a name.")]
        values = {}
        for key, label in (("target", gettext("Target")), ("actual", gettext("Actual"))):
            try:
                values[key] = parse_number(row.get(key), what=label)
            except ValidationError as exc:
                errors[f"metrics.{i}.{key}"] = exc.messages
        if "target" in values and values["target"] is None and f"metrics.{i}.target" not in errors:
            errors[f"metrics.{i}.target"] = [gettext("Enter the target as a number.")]
        status = row.get("status") or MetricStatus.ON_TRACK
        if status not in MetricStatus.values:
            errors[f"metrics.{i}.status"] = [gettext("Choose on track, at risk or off track.")]
        out.append(
            {"row": i, "name": name[:200], "unit": (row.get("unit") or "").strip()[:30], "status": status, **values}
        )
    return out


def _clean_priorities(review: BusinessReview, rows: list[dict], errors: dict) -> list[dict]:
    """Check each link: a company/department priority of this organization, of the period planned for."""
    level = review.priority_level
    allowed_levels = {
        PriorityLevel.COMPANY: set(),
        PriorityLevel.DEPARTMENT: {PriorityLevel.COMPANY},
        PriorityLevel.TEAM: {PriorityLevel.COMPANY, PriorityLevel.DEPARTMENT},
    }[level]
    plans_for = review.cycle.plans_for
    periods = parent_periods(plans_for)
    wanted_ids = set()
    for row in rows:
        link = str(row.get("link") or "").strip()
        if link and link != UNLINKED and link.isdigit():
            wanted_ids.add(int(link))
    # Scoped query: another organization's priority is simply not found.
    parents = {p.pk: p for p in Priority.objects.filter(pk__in=wanted_ids)}
    out = []
    for row in rows:
        i = row.get("row", len(out))
        title = (row.get("title") or "").strip()
        if not title:
            errors[f"priorities.{i}.title"] = [gettext("Give the priority a title.")]
        link = str(row.get("link") or "").strip()
        parent, unlinked = None, False
        if level == PriorityLevel.COMPANY:
            pass  # company priorities are the top of the cascade
        elif link == UNLINKED:
            unlinked = True
        elif link:
            parent = parents.get(int(link)) if link.isdigit() else None
            if parent is None:
                errors[f"priorities.{i}.link"] = [
                    gettext("That priority is not one of this organization's priorities.")
                ]
            elif parent.period not in periods:
                errors[f"priorities.{i}.link"] = [
                    gettext(
                        "“%(title)s” is a %(period)s priority; this review plans %(plans_for)s. "
                        "Link to a %(periods)s priority or mark it unlinked."
                    )
                    % {
                        "title": parent.title,
                        "period": parent.period,
                        "plans_for": plans_for,
                        "periods": gettext(" or ").join(periods),
                    }
                ]
                parent = None
            elif parent.level not in allowed_levels:
                errors[f"priorities.{i}.link"] = [
                    gettext("“%(title)s” is a %(level)s priority; link to a %(levels)s priority.")
                    % {
                        "title": parent.title,
                        "level": parent.get_level_display().lower(),
                        "levels": gettext(" or ").join(sorted(str(lvl.label).lower() for lvl in allowed_levels)),
                    }
                ]
                parent = None
        out.append(
            {
                "row": i,
                "title": title[:300],
                "description": (row.get("description") or "").strip(),
                "parent": parent,
                "unlinked": unlinked,
            }
        )
    return out


def _clean_risks(rows: list[dict], errors: dict) -> list[dict]:
    owner_ids = {int(r["owner"]) for r in rows if str(r.get("owner") or "").isdigit()}
    owners = {p.pk: p for p in Person.objects.filter(pk__in=owner_ids)}
    out = []
    for row in rows:
        i = row.get("row", len(out))
        description = (row.get("description") or "").strip()
        if not description:
            errors[f"risks.{i}.description"] = [gettext("Describe the risk.")]
        severity = row.get("severity") or Severity.MEDIUM
        if severity not in Severity.values:
            errors[f"risks.{i}.severity"] = [gettext("Choose low, medium or high.")]
        owner = None
        if row.get("owner"):
            owner = owners.get(int(row["owner"])) if str(row["owner"]).isdigit() else None
            if owner is None:
                errors[f"risks.{i}.owner"] = [gettext("Choose an owner from this organization's people.")]
        out.append(
            {
                "row": i,
                "description": description[:500],
                "severity": severity,
                "owner": owner,
                "mitigation": (row.get("mitigation") or "").strip()[:500],
            }
        )
    return out


def _clean_asks(review: BusinessReview, rows: list[dict], errors: dict) -> list[dict]:
    team_ids = {int(r["to_team"]) for r in rows if str(r.get("to_team") or "").isdigit()}
    teams = {t.pk: t for t in Team.objects.filter(pk__in=team_ids)}
    out = []
    for row in rows:
        i = row.get("row", len(out))
        request = (row.get("request") or "").strip()
        if not request:
            errors[f"asks.{i}.request"] = [gettext("Say what you ask of the team.")]
        raw = str(row.get("to_team") or "")
        team = teams.get(int(raw)) if raw.isdigit() else None
        if team is None:
            errors[f"asks.{i}.to_team"] = [gettext("Choose a team of this organization.")]
        elif team.pk == review.team_id:
            errors[f"asks.{i}.to_team"] = [gettext("Ask another team, not your own.")]
        out.append({"row": i, "to_team": team, "request": request[:500]})
    return out


@transaction.atomic
def save_draft(*, membership: Membership, review: BusinessReview, data: dict) -> BusinessReview:
    """Replace the review's content with ``data``: all of it, or (on any error) none of it.

    ``data``: wins, misses, lessons, health, and lists metrics / priorities / risks / asks of
    dicts; each row may carry ``row`` (its index in the form) so errors point at it.
    """
    review = lock_editable(membership, review)
    errors: dict[str, list[str]] = {}
    health = data.get("health")
    if health in ("", None):
        health = None
    else:
        try:
            health = int(health)
        except (TypeError, ValueError):
            health = 0
        if not 1 <= health <= 5:
            errors["health"] = [gettext("Rate the team's health from 1 to 5.")]
    metrics = _clean_metrics(data.get("metrics") or [], errors)
    priorities = _clean_priorities(review, data.get("priorities") or [], errors)
    risks = _clean_risks(data.get("risks") or [], errors)
    asks = _clean_asks(review, data.get("asks") or [], errors)
    if errors:
        raise ValidationError(errors)

    org = review.organization
    review.wins = (data.get("wins") or "").strip()
    review.misses = (data.get("misses") or "").strip()
    review.lessons = (data.get("lessons") or "").strip()
    review.health = health
    review.save(update_fields=["wins", "misses", "lessons", "health", "updated_at"])

    # The rows are replaced wholesale (the form posts them all), except that an ask keeps the
    # answer another team already gave when it comes back unchanged.
    review.metrics.all().delete()
    Metric.objects.bulk_create(
        [
            Metric(organization=org, review=review, position=n, **{k: v for k, v in m.items() if k != "row"})
            for n, m in enumerate(metrics)
        ]
    )
    review.priorities.all().delete()
    ReviewPriority.objects.bulk_create(
        [
            ReviewPriority(organization=org, review=review, position=n, **{k: v for k, v in p.items() if k != "row"})
            for n, p in enumerate(priorities)
        ]
    )
    review.risks.all().delete()
    Risk.objects.bulk_create(
        [
            Risk(organization=org, review=review, position=n, **{k: v for k, v in r.items() if k != "row"})
            for n, r in enumerate(risks)
        ]
    )
    existing = {(a.to_team_id, a.request.lower()): a for a in review.asks.all()}
    keep = []
    for n, a in enumerate(asks):
        old = existing.pop((a["to_team"].pk, a["request"].lower()), None)
        if old is not None:
            old.position = n
            old.save(update_fields=["position"])
            keep.append(old.pk)
        else:
            keep.append(Ask.objects.create(organization=org, review=review, position=n, **{
                k: v for k, v in a.items() if k != "row"
            }).pk)  # fmt: skip
    review.asks.exclude(pk__in=keep).delete()
    return review
