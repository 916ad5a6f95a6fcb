"""Review cycles: the reviews home, opening, closing and printing a cycle."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from peakos.models import current_period
from peakos.permissions import require
from peakos.views import add_errors
from reviews import access, selectors, services
from reviews.forms import CycleForm
from reviews.models import ReviewCycle


def home(request, org_slug):
    home = selectors.reviews_home(request.membership, timezone.localdate())
    return render(
        request,
        "reviews/home.html",
        {"home": home, "can_open": access.can_open_review_cycle(request.membership)},
    )


@require(access.can_open_review_cycle)
def cycle_create(request, org_slug):
    teams = selectors.team_choices()
    today = timezone.localdate()
    initial = {"period": current_period(), "opens_on": today, "team_ids": [pk for pk, _ in teams]}
    form = CycleForm(request.POST or None, teams=teams, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.create_cycle(membership=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if cycle.status == "open":
                messages.success(
                    request,
                    gettext("%(cycle)s is open; the team leads are being e-mailed their links.") % {"cycle": cycle},
                )
            else:
                messages.success(
                    request,
                    gettext("%(cycle)s will open on %(date)s.")
                    % {"cycle": cycle, "date": date_format(cycle.opens_on, gettext("j M Y"))},
                )
            return redirect("review_cycle", org_slug=org_slug, cycle_id=cycle.pk)
    context = {"form": form, "leads_without_login": selectors.leads_without_login()}
    return render(request, "reviews/cycle_form.html", context, status=400 if form.errors else 200)


def cycle_detail(request, org_slug, cycle_id):
    cycle = get_object_or_404(ReviewCycle, pk=cycle_id)
    overview = selectors.cycle_overview(request.membership, cycle, timezone.localdate())
    return render(
        request,
        "reviews/cycle_detail.html",
        {"o": overview, "cycle": cycle, "can_manage": access.can_open_review_cycle(request.membership)},
    )


@require_POST
@require(access.can_open_review_cycle)
def cycle_open(request, org_slug, cycle_id):
    cycle = get_object_or_404(ReviewCycle, pk=cycle_id)
    if services.open_cycle_now(membership=request.membership, cycle=cycle):
        messages.success(
            request, gettext("%(cycle)s is open; the team leads are being e-mailed their links.") % {"cycle": cycle}
        )
    else:
        messages.info(request, gettext("%(cycle)s was already open.") % {"cycle": cycle})
    return redirect("review_cycle", org_slug=org_slug, cycle_id=cycle.pk)


@require_POST
@require(access.can_open_review_cycle)
def cycle_close(request, org_slug, cycle_id):
    cycle = get_object_or_404(ReviewCycle, pk=cycle_id)
    try:
        services.close_cycle(membership=request.membership, cycle=cycle)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("%(cycle)s is closed. Late teams can still submit.") % {"cycle": cycle})
    return redirect("review_cycle", org_slug=org_slug, cycle_id=cycle.pk)


def cycle_print(request, org_slug, cycle_id):
    cycle = get_object_or_404(ReviewCycle, pk=cycle_id)
    reviews = selectors.cycle_for_print(request.membership, cycle)
    return render(
        request, "reviews/cycle_print.html", {"cycle": cycle, "reviews": reviews, "today": timezone.localdate()}
    )
