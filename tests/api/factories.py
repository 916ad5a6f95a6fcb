"""Objects the API tests (and tests/isolation.py) need in a tenant, created once and reused."""

from peakos.api_auth import create_api_token
from peakos.models import ApiToken, Priority, Role, TeamDependency


def api_token_for(tenant) -> ApiToken:
    token = ApiToken.objects.filter(organization=tenant.org).first()
    if token is None:
        token, _ = create_api_token(organization=tenant.org, membership=None, name="Isolation", role=Role.LEADER)
    return token


def dependency_for(tenant) -> TeamDependency:
    return TeamDependency.objects.get_or_create(
        organization=tenant.org, from_team=tenant.team, to_team=tenant.other_team
    )[0]


def priority_for(tenant) -> Priority:
    return Priority.objects.get_or_create(
        organization=tenant.org, title=f"{tenant.org.name} priority", level="company", period="2026-Q4"
    )[0]


def snapshot_for(tenant):
    from insights.models import Snapshot
    from tests.surveys.factories import round_for

    return Snapshot.objects.get_or_create(
        organization=tenant.org,
        round=round_for(tenant),
        scope_kind="team",
        team=tenant.team,
        dimension="alignment",
        defaults={"suppressed": False, "respondents": 7, "mean": 3.9, "score": 72.5, "favorable_share": 0.7},
    )[0]


def coordination_cell_for(tenant):
    from insights.models import CoordinationCell
    from tests.surveys.factories import round_for

    return CoordinationCell.objects.get_or_create(
        organization=tenant.org,
        round=round_for(tenant),
        rater_team=tenant.team,
        rated_team=tenant.other_team,
        defaults={"suppressed": False, "respondents": 6, "mean": 2.5, "score": 37.5},
    )[0]


def signal_for(tenant):
    from insights.models import Signal
    from tests.surveys.factories import round_for

    return Signal.objects.get_or_create(
        organization=tenant.org,
        round=round_for(tenant),
        key=f"drop:team:{tenant.team.pk}:alignment",
        defaults={
            "kind": "drop",
            "scope_kind": "team",
            "team": tenant.team,
            "dimension": "alignment",
            "severity": "high",
            # The team's name in the title: the isolation harness looks for it in other organizations' answers.
            "title": f"Alignment fell 14 points in {tenant.team.name}",
            "figures": {"delta": -14.0},
        },
    )[0]
