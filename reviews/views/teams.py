"""A team's reviews page (asks received, actions, scores beside the review) and the priority cascade."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from peakos import permissions
from peakos.models import Team, current_period, validate_period
from reviews import access, selectors, services
from reviews.cascade import cascade as build_cascade
from reviews.forms import AskAnswerForm
from reviews.models import Ask


def team_page(request, org_slug, team_id):
    team = get_object_or_404(Team.objects.select_related("lead", "parent"), pk=team_id)
    permissions.check(request.membership, team, access.can_see_team_reviews)
    page = selectors.team_page(request.membership, team)
    context = {
        "page": page,
        "team": team,
        "can_answer": access.can_answer_ask(request.membership, team),
        "can_create_action": access.can_create_action(request.membership, team.pk),
        "answer_form": AskAnswerForm(),
    }
    return render(request, "reviews/team_page.html", context)


@require_POST
def ask_answer(request, org_slug, ask_id):
    ask = get_object_or_404(Ask.objects.select_related("to_team__lead"), pk=ask_id)
    form = AskAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Accept or decline the ask."))
    else:
        try:
            services.answer_ask(membership=request.membership, ask=ask, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, gettext("Answer saved; the asking team sees it on their review."))
    return redirect("review_team", org_slug=org_slug, team_id=ask.to_team_id)


def cascade(request, org_slug):
    period = request.GET.get("period") or current_period()
    try:
        validate_period(period)
    except ValidationError:
        period = current_period()
    data = build_cascade(request.organization, period)
    return render(request, "reviews/cascade.html", {"c": data})
