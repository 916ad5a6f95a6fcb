"""A measurable linked to a review metric: the review page shows the weeks behind the quarterly figure."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Metric
from rhythm import services
from rhythm.models import MeasurableEntry, week_start
from tests.reviews.factories import fill, make_cycle, review_of

pytestmark = pytest.mark.django_db


def test_the_review_shows_the_scorecard_weeks_behind_a_metric(client, tenant_a):
    review = review_of(make_cycle(tenant_a), tenant_a.team)
    fill(review)
    metric = Metric.objects.filter(review=review).first()
    measurable = services.create_measurable(
        membership=tenant_a.memberships["manager"], team=tenant_a.team, name="Weekly activations", goal="10",
        metric_id=metric.pk,
    )  # fmt: skip
    this_week = week_start(timezone.localdate())
    for weeks_ago, value in ((2, 12), (1, 7)):
        MeasurableEntry.objects.create(organization=tenant_a.org, measurable=measurable,
                                       week=this_week - timedelta(weeks=weeks_ago), value=Decimal(value))  # fmt: skip
    client.force_login(tenant_a.users["leader"])
    body = client.get(reverse("review_detail", args=[tenant_a.org.slug, review.pk])).content.decode()
    assert "Weeks behind it (Weekly activations)" in body
    assert body.count('class="badge badge-good">') >= 1 and ": 7</span>" in body


def test_a_metric_of_another_teams_review_cannot_be_linked(tenant_a):
    review = review_of(make_cycle(tenant_a, teams=[tenant_a.other_team]), tenant_a.other_team)
    fill(review)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.create_measurable(membership=tenant_a.memberships["manager"], team=tenant_a.team, name="X", goal="1",
                                   metric_id=Metric.objects.filter(review=review).first().pk)  # fmt: skip
    assert "metric_id" in exc.value.message_dict


def test_a_past_quarters_review_shows_that_quarters_weeks(client, tenant_a):
    from datetime import date

    review = review_of(make_cycle(tenant_a, period="2026-Q3"), tenant_a.team)
    fill(review)
    metric = Metric.objects.filter(review=review).first()
    measurable = services.create_measurable(
        membership=tenant_a.memberships["manager"], team=tenant_a.team, name="Weekly activations", goal="10",
        metric_id=metric.pk,
    )  # fmt: skip
    for week, value in ((date(2026, 6, 22), 1), (date(2026, 9, 21), 13), (date(2026, 10, 5), 2)):
        MeasurableEntry.objects.create(organization=tenant_a.org, measurable=measurable, week=week,
                                       value=Decimal(value))  # fmt: skip
    client.force_login(tenant_a.users["leader"])
    body = client.get(reverse("review_detail", args=[tenant_a.org.slug, review.pk])).content.decode()
    assert ": 13</span>" in body  # the week of 21 Sep, in Q3
    assert ": 1</span>" not in body and ": 2</span>" not in body  # June's (Q2) and October's (Q4) are not
