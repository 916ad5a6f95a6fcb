"""Every submitted version is kept and two versions can be compared."""

import pytest
from django.urls import reverse

from peakos.models import Role
from reviews import services
from reviews.versions import diff_rows, diff_snapshots, diff_text
from tests.reviews.factories import complete_data, make_cycle, review_of


def test_text_diff_marks_added_and_removed_lines():
    assert diff_text("a\nb", "a\nc") == [(" ", "a"), ("-", "b"), ("+", "c")]


def test_rows_are_matched_by_key_and_changed_fields_listed():
    before = [{"name": "NPS", "target": "40", "actual": "30"}, {"name": "Churn", "target": "3", "actual": "4"}]
    after = [{"name": "nps", "target": "40", "actual": "35"}, {"name": "ARR", "target": "10", "actual": "9"}]
    rows = diff_rows(before, after, ("name",), ("target", "actual"))
    assert [(r.kind, r.label) for r in rows] == [("changed", "nps"), ("added", "ARR"), ("removed", "Churn")]
    assert rows[0].changes == [("actual", "30", "35")]


def test_identical_snapshots_have_no_changes():
    snap = {"health": 3, "wins": "x", "metrics": [{"name": "A", "target": "1"}]}
    assert not diff_snapshots(snap, dict(snap)).changed


@pytest.fixture
def two_versions(tenant_a):
    review = review_of(make_cycle(tenant_a), tenant_a.team)
    lead, leader = tenant_a.memberships[Role.MANAGER], tenant_a.memberships[Role.LEADER]
    services.save_draft(membership=lead, review=review, data=complete_data())
    services.submit_review(membership=lead, review=review)
    services.decide_review(membership=leader, review=review, decision="returned", comment="Numbers look off.")
    data = complete_data(wins="Shipped the importer.\nSigned two design partners.", health=2)
    data["metrics"][0]["actual"] = "52"
    services.save_draft(membership=lead, review=review, data=data)
    services.submit_review(membership=lead, review=review)
    return review


@pytest.mark.django_db
def test_diff_page_shows_what_changed_between_versions(as_role, two_versions):
    url = reverse("review_diff", args=[two_versions.organization.slug, two_versions.pk])
    body = as_role("leader").get(url).content.decode()
    assert "+ Signed two design partners." in body
    assert "<del>48</del> → <ins>52</ins>" in body
    assert "<del>4</del> → <ins>2</ins>" in body  # health
    assert "Numbers look off." in body  # why v1 came back


@pytest.mark.django_db
def test_the_snapshot_does_not_change_when_the_draft_changes_later(two_versions, tenant_a):
    v1 = two_versions.versions.get(number=1)
    assert v1.snapshot["metrics"][0]["actual"] == "48"
    assert v1.snapshot["wins"] == "Shipped the importer."


@pytest.mark.django_db
def test_diff_page_with_one_version_explains_itself(as_role, tenant_a):
    review = review_of(make_cycle(tenant_a), tenant_a.team)
    url = reverse("review_diff", args=[tenant_a.org.slug, review.pk])
    assert "Only one version so far" in as_role("leader").get(url).content.decode()


@pytest.mark.django_db
def test_diff_page_follows_the_read_rules(as_role, two_versions, tenant_a, tenant_b):
    url = reverse("review_diff", args=[tenant_a.org.slug, two_versions.pk])
    assert as_role("member").get(url).status_code == 403
    other = review_of(make_cycle(tenant_b), tenant_b.team)
    assert as_role("owner").get(reverse("review_diff", args=[tenant_a.org.slug, other.pk])).status_code == 404
