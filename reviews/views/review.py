"""A review: its page, the leader's decision, the print view and the version comparison."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from peakos import permissions
from peakos.views import add_errors
from reviews import access, selectors, services
from reviews.forms import DecisionForm
from reviews.models import BusinessReview, ReviewStatus
from rhythm.selectors import weeks_behind_metrics


def review_or_404(review_id: int) -> BusinessReview:
    return get_object_or_404(BusinessReview.objects.select_related("team__lead", "cycle"), pk=review_id)


def readable(request, review: BusinessReview) -> BusinessReview:
    return permissions.check(request.membership, review, access.can_read_review)


def review_detail(request, org_slug, review_id):
    review = readable(request, review_or_404(review_id))
    return _render_detail(request, review, DecisionForm())


def _render_detail(request, review: BusinessReview, decision_form: DecisionForm, status: int = 200):
    review = selectors.review_with_sections(review.pk)
    membership = request.membership
    # The weekly scorecard behind each metric (rhythm measurables linked to it), oldest week first.
    metrics = list(review.metrics.all())
    weeks = weeks_behind_metrics([m.pk for m in metrics], period=review.cycle.period)
    for m in metrics:
        m.weeks = weeks.get(m.pk, [])
    versions = list(review.versions.all())
    context = {
        "review": review,
        "versions": versions,
        "last_version": versions[-1] if versions else None,
        "late": review.is_late(timezone.localdate()),
        "can_edit": access.can_edit_review(membership, review) and review.is_editable,
        "can_decide": access.can_approve_review(membership) and review.status == ReviewStatus.SUBMITTED,
        "can_create_action": access.can_create_action(membership, review.team_id),
        "decision_form": decision_form,
        "open_actions": selectors.open_actions_for_team(review.team_id),
        "rollup": selectors.annual_rollup(review),
        "packet": review.packet,
    }
    return render(request, "reviews/review_detail.html", context, status=status)


@require_POST
def review_decide(request, org_slug, review_id):
    review = readable(request, review_or_404(review_id))
    if not access.can_approve_review(request.membership):
        raise PermissionDenied(permissions.denial(access.can_approve_review))
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            review = services.decide_review(membership=request.membership, review=review, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if review.status == ReviewStatus.APPROVED:
                done = gettext("The %(team)s review was approved.")
            else:
                done = gettext("The %(team)s review was returned to the team.")
            messages.success(request, done % {"team": review.team.name})
            return redirect("review_detail", org_slug=org_slug, review_id=review.pk)
    return _render_detail(request, review, form, status=400)


def review_print(request, org_slug, review_id):
    review = readable(request, review_or_404(review_id))
    review = selectors.review_with_sections(review.pk)
    return render(
        request,
        "reviews/review_print.html",
        {"review": review, "rollup": selectors.annual_rollup(review), "today": timezone.localdate()},
    )


def review_diff(request, org_slug, review_id):
    review = readable(request, review_or_404(review_id))
    review = selectors.review_with_sections(review.pk)

    def number(name):
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() else None

    pair = selectors.version_pair(review, number("a"), number("b"))
    return render(
        request, "reviews/review_diff.html", {"review": review, "pair": pair, "versions": list(review.versions.all())}
    )
