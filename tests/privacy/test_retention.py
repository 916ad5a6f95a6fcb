"""Retention: raw answers and comments of old rounds go on schedule; stored results stay, and
no recompute path wipes them afterwards."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from insights import tasks as insights_tasks
from insights.models import Snapshot
from insights.recompute import recompute_org, recompute_round
from insights.selectors import stale_rounds
from peakos.models import AuditEvent, Organization
from surveys import tasks as survey_tasks
from surveys.models import Answer, Response, Round
from surveys.services import retention
from tests.privacy.helpers import answered_round, serialized_results

pytestmark = pytest.mark.django_db


def _age(round_, *, months: int) -> Round:
    """Pretend the round closed ``months`` months ago."""
    Round.objects.filter(pk=round_.pk).update(closed_at=timezone.now() - timedelta(days=31 * months))
    round_.refresh_from_db()
    return round_


def _keep_for(org, months):
    Organization.objects.filter(pk=org.pk).update(retention_months=months)
    org.refresh_from_db()
    return org


@pytest.fixture
def old_round(tenant_a):
    round_ = answered_round(tenant_a, comment="The roadmap changes every week.")
    return _age(round_, months=7)


def test_old_answers_and_comments_go_and_every_stored_result_stays(tenant_a, old_round):
    org = _keep_for(tenant_a.org, 6)
    results = serialized_results(old_round)
    assert Answer.objects.filter(response__round=old_round, text__contains="roadmap").exists()

    report = retention.apply_retention(organization=org)

    assert report.responses == 18 and report.comments == 18 and len(report.rounds) == 1
    assert not Response.objects.filter(round=old_round).exists()
    assert not Answer.objects.filter(organization=org, response__round=old_round).exists()
    old_round.refresh_from_db()
    assert old_round.raw_answers_deleted_on == timezone.localdate()
    assert serialized_results(old_round) == results
    event = AuditEvent.objects.get(organization=org, action="round.retention")
    assert "18 responses" in event.summary and "roadmap" not in event.summary
    # Running again finds nothing to do.
    assert retention.apply_retention(organization=org).responses == 0


def test_no_recompute_path_wipes_a_round_whose_answers_are_gone(tenant_a, old_round):
    org = _keep_for(tenant_a.org, 6)
    retention.apply_retention(organization=org)
    old_round.refresh_from_db()
    results = serialized_results(old_round)

    assert recompute_round(round_=old_round) is None
    assert insights_tasks.recompute_round(org.pk, old_round.pk) is None
    insights_tasks.schedule_recompute(org.pk, old_round.pk)  # the debounced path ends in the same task
    recompute_org(organization=org)
    insights_tasks.recompute_org(org.pk)
    assert old_round.pk not in [pk for pk, _ in stale_rounds(timezone.now())]
    insights_tasks.sweep_stale_rounds()

    assert serialized_results(old_round) == results
    assert Snapshot.objects.filter(round=old_round, suppressed=False, score__isnull=False).exists()


def test_the_next_rounds_change_since_a_kept_round_survives_a_backfill(tenant_a, old_round):
    org = _keep_for(tenant_a.org, 6)
    newer = answered_round(tenant_a, survey=old_round.survey, likert="2")
    deltas = sorted(Snapshot.objects.filter(round=newer).values_list("scope_kind", "team_id", "dimension", "delta"))
    assert any(d is not None and d < 0 for *_, d in deltas), "round 2 scored lower than round 1"
    retention.apply_retention(organization=org)
    assert Response.objects.filter(round=newer).exists(), "a recent round keeps its answers"

    recompute_org(organization=org)

    after = sorted(Snapshot.objects.filter(round=newer).values_list("scope_kind", "team_id", "dimension", "delta"))
    assert after == deltas


def test_recent_rounds_and_organizations_without_a_period_keep_everything(tenant_a, tenant_b, old_round):
    other = answered_round(tenant_b)
    _age(other, months=30)
    org = _keep_for(tenant_a.org, 12)  # the round closed 7 months ago: not yet
    assert retention.apply_retention(organization=org).responses == 0
    assert str(retention.apply_retention(organization=tenant_b.org)).endswith("(answers are kept)")
    assert Response.objects.filter(round=old_round).count() == 18
    assert Response.objects.filter(round=other).count() == 18


def test_the_command_dry_run_counts_and_changes_nothing_then_deletes(tenant_a, tenant_b, old_round):
    _keep_for(tenant_a.org, 6)
    out = StringIO()
    call_command("apply_retention", "--org", tenant_a.org.slug, "--dry-run", stdout=out)
    assert "would delete 18 responses" in out.getvalue()
    assert Response.objects.filter(round=old_round).count() == 18

    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert f"{tenant_a.org.slug}: deleted 18 responses" in out.getvalue()
    assert tenant_b.org.slug not in out.getvalue(), "no period: not even looked at"
    assert not Response.objects.filter(round=old_round).exists()
    with pytest.raises(CommandError, match="No organization"):
        call_command("apply_retention", "--org", "nope")


def test_beat_runs_retention(tenant_a, old_round):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "surveys.tasks.apply_retention"]
    assert len(entries) == 1 and entries[0]["schedule"] <= 24 * 3600
    _keep_for(tenant_a.org, 6)
    answers = Answer.objects.filter(response__round=old_round).count()
    cutoff = retention.retention_cutoff(tenant_a.org)
    summary = survey_tasks.apply_retention.delay().get()
    assert summary == [
        f"{tenant_a.org.slug}: deleted 18 responses, {answers} answers (18 comments) of 1 round(s) closed before {cutoff}"
    ]
    assert not Answer.objects.filter(response__round=old_round).exists()


def test_owners_set_the_period_on_the_settings_page_and_admins_cannot(as_role, tenant_a):
    org = tenant_a.org
    data = {
        "name": org.name,
        "timezone": org.timezone,
        "anonymity_threshold": org.anonymity_threshold,
        "comment_threshold": org.comment_threshold,
        "default_language": org.default_language,
        "languages": list(org.languages),
    }
    url = reverse("org_settings", args=[org.slug])
    bad = as_role("owner").post(url, {**data, "retention_months": "0"})
    assert bad.status_code == 200 and "greater than or equal to 1" in bad.content.decode()
    assert as_role("owner").post(url, {**data, "retention_months": "12"}).status_code == 302
    org.refresh_from_db()
    assert org.retention_months == 12
    assert "retention_months: None → 12" in AuditEvent.objects.get(action="organization.settings").summary

    as_role("admin").post(url, {**data, "retention_months": "1"})
    org.refresh_from_db()
    assert org.retention_months == 12


def test_the_round_page_says_the_raw_answers_are_gone(as_role, tenant_a, old_round):
    _keep_for(tenant_a.org, 6)
    retention.apply_retention(organization=tenant_a.org)
    page = as_role("admin").get(reverse("round_detail", args=[tenant_a.org.slug, old_round.pk])).content.decode()
    assert "Raw answers and comments deleted on" in page and "no longer recomputed" in page
