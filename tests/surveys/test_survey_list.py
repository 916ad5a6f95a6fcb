"""/o/<org>/surveys/: the list of surveys and templates."""

import pytest

from tests.surveys.factories import make_survey, open_now


def test_admin_sees_surveys_with_latest_round_and_templates(as_role, tenant_a, survey):
    open_now(survey)
    page = as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/").content.decode()
    assert "Alignment pulse" in page and "Every two weeks" in page
    assert "– / 6" in page  # latest round: answered (not published yet) / invited
    assert "Alignment pulse, 8 questions" in page and "Use this template" in page


def test_an_empty_list_invites_to_start_from_a_template(as_role, tenant_a):
    page = as_role("owner").get(f"/o/{tenant_a.org.slug}/surveys/").content.decode()
    assert "No survey yet" in page


@pytest.mark.parametrize("role", ["leader", "manager", "member"])
def test_only_those_who_manage_see_surveys(as_role, tenant_a, role):
    assert as_role(role).get(f"/o/{tenant_a.org.slug}/surveys/").status_code == 403


def test_the_nav_shows_surveys_to_admins_only(as_role, tenant_a):
    assert "/surveys/" in as_role("admin").get(f"/o/{tenant_a.org.slug}/").content.decode()
    assert f"/o/{tenant_a.org.slug}/surveys/" not in as_role("member").get(f"/o/{tenant_a.org.slug}/").content.decode()


def test_another_organizations_surveys_are_not_listed(as_role, tenant_a, tenant_b):
    make_survey(tenant_b, name="Bravo secret pulse")
    page = as_role("admin").get(f"/o/{tenant_a.org.slug}/surveys/").content.decode()
    assert "Bravo secret pulse" not in page
    assert as_role("admin").get(f"/o/{tenant_b.org.slug}/surveys/").status_code == 404
