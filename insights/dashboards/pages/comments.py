"""Comments: the free text of a scope whose comments the engine released (at least the
round's comment threshold of respondents, not suppressed, not derivable by subtraction),
in alphabetical order with no date (the day or order of
submission could be matched to who answered when), searchable. Nothing is shown for any other scope, not even a count."""

from __future__ import annotations

from insights.dashboards import tables as t
from insights.dashboards.context import Dashboard
from insights.dashboards.pages import Page
from insights.models import ScopeKind
from insights.selectors import Selection, comments, comments_released, participation

PER_PAGE = 50
MAX_EXPORT = 20_000
MAX_SEARCH = 200


def build(d: Dashboard, params) -> Page:
    page = Page(title="Comments")
    if d.round is None:
        page.empty = "no_round"
        return page
    scope = d.focus_scope
    search = params.get("q", "").strip()[:MAX_SEARCH]
    number = params.get("page", "1")
    number = int(number) if number.isdigit() and 0 < int(number) < 100_000 else 1
    page.extra.update(search=search, threshold=max(d.round.comment_threshold, d.round.anonymity_threshold))

    released = comments_released(d.round, scope, d.viewer)
    if released is None:
        page.empty = "comments_held"
        # Where comments can be read instead: released scopes below the focus.
        children = [tid for tid, level in d.units() if level >= 1]
        if children:
            turnout = participation([d.round.id], Selection(team_ids=frozenset(children)), d.viewer)
            page.extra["released_below"] = [
                (d.tree.teams[tid].name, d.url("comments", team_id=tid))
                for tid in children
                if (turn := turnout.get((d.round.id, d.team_scope(tid)))) is not None and turn.comments_released
            ]
        return page

    team_ids = None
    if scope.kind == ScopeKind.LEADERSHIP:
        team_ids = {scope.team}
    elif scope.kind in (ScopeKind.DEPARTMENT, ScopeKind.TEAM):
        team_ids = d.subtree(scope.team)
    export = params.get("format") == "csv"  # the export has every comment that matches, not one page
    found, total = comments(
        d.round.id,
        team_ids=team_ids,
        layer=scope.layer if scope.kind == ScopeKind.LAYER else "",
        search=search,
        offset=0 if export else (number - 1) * PER_PAGE,
        limit=MAX_EXPORT if export else PER_PAGE,
    )
    pages = max(1, -(-total // PER_PAGE))
    page.extra.update(total=total, number=number, pages=pages, respondents=released.respondents)
    if number > 1:
        page.extra["previous_url"] = d.url("comments", q=search, page=number - 1)
    if number < pages:
        page.extra["next_url"] = d.url("comments", q=search, page=number + 1)
    table = t.Table(name="comments", title="Comments", columns=["Question", "Comment"])
    page.extra["questions"] = sorted({c.question for c in found})
    for c in found:
        table.add([t.text(c.question), t.text(c.text)])
    page.tables.append(table)
    return page
