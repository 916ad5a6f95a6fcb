"""Rhythm detectors for the insights engine: cross-team issues that wait too long for a decision.

"Issues raised to Engineering wait 4 weeks for a decision" is the team-of-teams path breaking
down: a team asked another (or the leadership team) to decide and nobody did. Registered as an
organization detector (``insights.detectors.organization_detector``) from RhythmConfig.ready();
the engine runs it at the end of every recompute and stores the findings with ``round = None``.
These are counts and ages of issues, not survey answers: no anonymity threshold applies.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from insights.detectors import Detected
from insights.vocabulary import ScopeKey
from peakos.tenancy import org_scope
from rhythm.models import Issue, IssueStatus

WAIT_MEDIUM_DAYS = 14
WAIT_HIGH_DAYS = 28


def detect_for_insights(organization) -> list:
    """One signal per team that has cross-team issues open for two weeks or more."""
    now = timezone.now()
    waiting: dict[int, list] = defaultdict(list)
    with org_scope(organization):
        rows = (
            Issue.objects.filter(status=IssueStatus.OPEN, raised_to__isnull=False, raised_to__archived=False)
            .values_list("raised_to_id", "raised_to__name", "raised_to__kind", "team__name", "raised_at")
            .order_by("raised_at")
        )
        for team_id, name, kind, from_name, raised_at in rows:
            waiting[team_id].append((name, kind, from_name, (now - raised_at).days))
    found = []
    for team_id, issues in waiting.items():
        old = [i for i in issues if i[3] >= WAIT_MEDIUM_DAYS]
        if not old:
            continue
        name, kind = old[0][0], old[0][1]
        longest = max(i[3] for i in old)
        weeks = longest // 7
        found.append(
            Detected(
                kind="slow_cross_team_answers",
                key=f"slow_cross_team_answers:team:{team_id}",
                scope=ScopeKey(kind=kind, team=team_id),
                severity="high" if longest >= WAIT_HIGH_DAYS else "medium",
                title=f"Issues raised to {name} wait {weeks} week{'s' if weeks != 1 else ''} for a decision",
                figures={
                    "waiting": len(old),
                    "longest_wait_days": longest,
                    "raised_by": sorted({i[2] for i in old}),
                    "threshold_days": WAIT_MEDIUM_DAYS,
                },
            )
        )
    return found
