"""Cross-team issues that wait for a decision become signals on the insights pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from insights import detectors, signal_sync
from insights.models import Signal
from rhythm import detectors as rhythm_detectors
from rhythm.models import Issue, IssueStatus

pytestmark = pytest.mark.django_db


def raise_to(tenant, team, days_ago, **extra):
    return Issue.objects.create(organization=tenant.org, team=tenant.team, raised_to=team, title=f"Wait {days_ago}",
                                raised_at=timezone.now() - timedelta(days=days_ago), **extra)  # fmt: skip


def test_the_rhythm_registers_its_detector():
    assert rhythm_detectors.detect_for_insights in detectors.ORGANIZATION_DETECTORS


def test_issues_waiting_four_weeks_are_a_high_signal_on_the_team_asked(tenant_a):
    raise_to(tenant_a, tenant_a.leadership, 29)
    raise_to(tenant_a, tenant_a.leadership, 15)
    raise_to(tenant_a, tenant_a.other_team, 16)
    raise_to(tenant_a, tenant_a.other_team, 40, status=IssueStatus.SOLVED, solved_at=timezone.now())
    raise_to(tenant_a, tenant_a.department, 5)  # too young
    found = {d.scope.team: d for d in rhythm_detectors.detect_for_insights(tenant_a.org)}
    assert set(found) == {tenant_a.leadership.pk, tenant_a.other_team.pk}
    lead = found[tenant_a.leadership.pk]
    assert lead.severity == "high" and lead.title == "Issues raised to Alpha Leadership wait 4 weeks for a decision"
    assert lead.figures["waiting"] == 2 and lead.figures["longest_wait_days"] == 29
    assert lead.scope.kind == "leadership"
    assert found[tenant_a.other_team.pk].severity == "medium"


def test_the_signal_is_stored_and_goes_away_once_decided(tenant_a):
    issue = raise_to(tenant_a, tenant_a.leadership, 20)
    signal_sync.run_organization_detectors(tenant_a.org)
    signal = Signal.objects.get(kind="slow_cross_team_answers")
    assert signal.get_kind_display() == "Cross-team issues waiting for a decision"
    Issue.objects.filter(pk=issue.pk).update(status=IssueStatus.SOLVED, solved_at=timezone.now())
    signal_sync.run_organization_detectors(tenant_a.org)
    assert not Signal.objects.filter(kind="slow_cross_team_answers").exists()
