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
