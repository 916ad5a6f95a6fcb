"""The overview's decision-velocity panel: how fast people *feel* decisions are made (the survey's
decision-velocity items) beside how fast they *are* made (the weekly rhythm's decision log), per
team, for the quarter the round opened in and the quarter before it.

* Survey figures are the snapshots the overview already read: a suppressed scope shows no figure
  here either, and nothing is computed from them.
* Measured figures are about teams, never people (issues, to-dos and meetings of the teams pooled
  as the survey scope is: a leadership team its own, a department or team its subtree), read by
  ``rhythm.selectors.quarterly_velocity`` (three queries), only for teams whose results the member
  sees on the dashboards (within the teams whose rhythm they see, ``rhythm.access``); the
  organization's row only for those who see every team's rhythm health. Members, who see no team
  results on the dashboards, get no panel.
"""

from __future__ import annotations

import zoneinfo

from django.urls import reverse
from django.utils.translation import gettext as _

from insights.dashboards import charts
from insights.dashboards import tables as t
from insights.dashboards.context import Dashboard
from insights.dashboards.pages import Page
from insights.models import ScopeKind
from insights.vocabulary import ScopeKey
from rhythm import access
from rhythm.selectors import pooled_team_ids, quarterly_velocity
from rhythm.velocity import QuarterVelocity, last_quarters
from surveys.models import Dimension

TABLE = "velocity"
CHART = "velocity-felt"


def _days(value: float | None) -> t.Cell:
    return t.missing() if value is None else t.Cell(f"{value:.1f}", round(value, 2), "num")


def _rating(value: float | None) -> t.Cell:
    return t.missing() if value is None else t.Cell(f"{value:.1f}", round(value, 2), "num")


def _trend(value: float | None) -> t.Cell:
    if value is None:
        return t.missing()
    shown = f"{value:+.2f}".replace("-", "−")
    css = "num delta up" if value > 0.005 else "num delta down" if value < -0.005 else "num"
    return t.Cell(shown, round(value, 3), css)


def _quarter_label(q: QuarterVelocity) -> str:
    return q.quarter if q.complete else _("%(quarter)s so far") % {"quarter": q.quarter}


def build(d: Dashboard, page: Page, scores, units: list[tuple[int, int]]) -> None:
    """Add the panel's table (and its chart, with two teams or more to compare) to ``page``."""
    if d.round is None:
        return
    # The dashboard's visible teams (results): for every role a subset of the teams whose rhythm the
    # member sees (rhythm.access; tests/rhythm/test_access_visibility.py), so no second lookup.
    seen = d.visible
    rows: list[tuple[str, ScopeKey, str | None, object]] = []  # (label, survey scope, link, group key)
    groups: dict[object, set[int]] = {}
    if d.focus is None and not d.layer and access.can_see_health(d.membership):
        groups["organization"] = set(d.tree.teams)
        rows.append((d.organization.name, ScopeKey(ScopeKind.ORGANIZATION), None, "organization"))
    for team_id, level in units:
        ids = pooled_team_ids(d.tree, team_id)
        if seen is not None:
            ids &= seen
        if not ids:
            continue
        groups[team_id] = ids
        name = d.tree.teams[team_id].name
        if level == 0 and d.focus is None:
            name = _("%(team)s (own members)") % {"team": name}
        link = reverse("rhythm_team", kwargs={"org_slug": d.organization.slug, "team_id": team_id})
        rows.append((("· " if level == 2 else "") + name, d.team_scope(team_id), link, team_id))
    if not groups:
        return
    tz = zoneinfo.ZoneInfo(d.organization.timezone or "UTC")
    quarters = last_quarters(d.round.opens_at.astimezone(tz), 2)
    found = quarterly_velocity(d.organization, groups, quarters=quarters)
    before, now = found[rows[0][3]]
    rid = d.round.id

    table = t.Table(
        name=TABLE,
        title=_("Decision velocity: felt and measured"),
        columns=[
            _("Team"),
            _("Decision velocity (survey, 0–100)"),
            _("Favourable"),
            _("Decisions %(quarter)s") % {"quarter": _quarter_label(now)},
            _("Median days to decision %(quarter)s") % {"quarter": _quarter_label(now)},
            _("Median days to decision %(quarter)s") % {"quarter": before.quarter},
            _("Issues waiting"),
            _("Oldest wait (days)"),
            _("To-dos done on time"),
            _("Meeting rating (1–10)"),
            _("Rating trend (a meeting)"),
        ],
    )
    x, y, hover, links, labels, felt = [], [], [], [], [], []
    for label, scope, link, key in rows:
        previous, current = found[key]
        s = scores.get((rid, scope, Dimension.DECISION_VELOCITY))
        survey = t.missing() if s is None else t.score(s.score, is_suppressed=s.suppressed)
        favourable = t.missing() if s is None else t.share(s.favorable_share, is_suppressed=s.suppressed)
        table.add(
            [
                t.text(label.lstrip("· "), href=link),
                survey,
                favourable,
                t.count(current.decisions),
                _days(current.median_days_to_decision),
                _days(previous.median_days_to_decision),
                t.count(current.waiting_at_end),
                _days(current.oldest_wait_days),
                t.share(current.todo_completion_rate),
                _rating(current.rating_mean),
                _trend(current.rating_trend),
            ]
        )
        if key == "organization" or s is None or s.suppressed or current.median_days_to_decision is None:
            continue
        name = label.lstrip("· ")
        x.append(round(s.score, 1))
        y.append(round(current.median_days_to_decision, 2))
        labels.append(name)
        links.append(link)
        figures = _(
            "Decision velocity (survey): %(score).0f<br>Median %(days).1f days to decision, %(n)d decisions in %(quarter)s"
        )
        hover.append(
            f"<b>{name}</b><br>"
            + figures
            % {
                "score": s.score,
                "days": current.median_days_to_decision,
                "n": current.decisions,
                "quarter": current.quarter,
            }  # fmt: skip
        )
        felt.append(
            [
                t.text(name, href=link),
                t.score(s.score),
                _days(current.median_days_to_decision),
                t.count(current.decisions),
            ]  # fmt: skip
        )
    page.tables.append(table)
    chart = None
    if len(x) >= 2:
        data = t.Table(
            name=CHART,
            title=_("Felt and measured decision velocity"),
            columns=[_("Team"), _("Decision velocity (survey, 0–100)"), _("Median days to decision"), _("Decisions")],
            rows=felt,
        )
        fig = charts.scatter(
            x,
            y,
            hover,
            links,
            labels,
            x_title=_("Decision velocity in the survey (0–100, higher feels faster)"),
            y_title=_("Median days to decision (%(quarter)s)") % {"quarter": _quarter_label(now)},
        )
        description = _(
            "Dot chart of %(n)d teams: how fast decisions feel in the survey against the median days from "
            "issue raised to decision in their weekly meetings."
        ) % {"n": len(x)}
        chart = charts.make_chart(CHART, data.title, fig, data, description, group="velocity")
        page.charts.append(chart)
    health = None
    if access.can_see_health(d.membership):
        health = reverse("rhythm_health", kwargs={"org_slug": d.organization.slug})
    page.extra["velocity"] = {
        "table": table,
        "chart": chart,
        "quarter": _quarter_label(now),
        "previous": before.quarter,
        "round": d.round.label,
        "health_url": health,
    }
