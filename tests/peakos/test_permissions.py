"""Role rules from the permissions module."""

import pytest

from peakos import permissions
from peakos.models import Role


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "manage", "all_results", "privacy"),
    [
        (Role.OWNER, True, True, True),
        (Role.ADMIN, True, True, False),
        (Role.LEADER, False, True, False),
        (Role.MANAGER, False, False, False),
        (Role.MEMBER, False, False, False),
    ],
)
def test_role_matrix(tenant_a, role, manage, all_results, privacy):
    m = tenant_a.memberships[role]
    assert permissions.can_manage(m) is manage
    assert permissions.can_see_all_results(m) is all_results
    assert permissions.can_edit_privacy(m) is privacy


@pytest.mark.django_db
def test_manager_sees_the_subtree_of_the_team_they_lead(tenant_a):
    visible = permissions.visible_team_ids(tenant_a.memberships[Role.MANAGER])
    assert visible == {tenant_a.team.pk, tenant_a.subteam.pk}
    assert not permissions.can_see_team(tenant_a.memberships[Role.MANAGER], tenant_a.other_team.pk)


@pytest.mark.django_db
def test_member_sees_organization_level_only_and_leader_sees_all(tenant_a):
    assert permissions.visible_team_ids(tenant_a.memberships[Role.MEMBER]) == set()
    assert permissions.visible_team_ids(tenant_a.memberships[Role.LEADER]) is None


@pytest.mark.django_db
def test_admin_cannot_grant_owner(tenant_a):
    assert not permissions.can_grant(tenant_a.memberships[Role.ADMIN], Role.OWNER)
    assert permissions.can_grant(tenant_a.memberships[Role.OWNER], Role.OWNER)
    assert permissions.can_grant(tenant_a.memberships[Role.ADMIN], Role.LEADER)


# --- The mechanism: each app's access.py registers what a denial says; peakos raises it ---------


@pytest.mark.django_db
def test_a_denied_rule_says_the_message_its_app_registered(tenant_a):
    from django.core.exceptions import PermissionDenied

    from reviews import access
    from tests.reviews.factories import make_cycle, review_of

    review = review_of(make_cycle(tenant_a, teams=[tenant_a.other_team]), tenant_a.other_team)
    member = tenant_a.memberships[Role.MEMBER]
    with pytest.raises(PermissionDenied, match="You cannot read this review."):
        permissions.check(member, review, access.can_read_review)
    leader = tenant_a.memberships[Role.LEADER]
    assert permissions.check(leader, review, access.can_read_review) is review
    assert permissions.denial(permissions.can_manage) == "Your role does not allow this.", "unregistered: generic"


@pytest.mark.django_db
def test_a_lookup_with_access_never_finds_another_organizations_row(tenant_a, tenant_b):
    from django.http import Http404

    from peakos.models import Team
    from peakos.tenancy import org_scope
    from rhythm import access

    owner = tenant_a.memberships[Role.OWNER]
    with org_scope(tenant_a.org):
        assert permissions.get_for(owner, Team, tenant_a.team.pk, access.can_edit) == tenant_a.team
        with pytest.raises(Http404):
            permissions.get_for(owner, Team, tenant_b.team.pk, access.can_edit)
