"""Action plans: the list, creating one from a signal or a score, and following it up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from peakos import permissions
from peakos.permissions import require
from peakos.views import add_errors
from reviews import access, evidence, selectors, services
from reviews.forms import ActionForm, ActionUpdateForm
from reviews.models import TARGET_DIMENSIONS, Action


def action_list(request, org_slug):
    actions = selectors.actions_with_figures(request.membership)
    return render(
        request,
        "reviews/action_list.html",
        {
            "actions": actions,
            "can_create": access.can_create_actions(request.membership),
            "today": timezone.localdate(),
        },
    )


def _team_scope_choices(membership) -> tuple[list[tuple[int, str]], bool]:
    teams = selectors.team_choices()
    visible = permissions.visible_team_ids(membership)
    if visible is not None:
        teams = [(pk, name) for pk, name in teams if pk in visible]
    return teams, access.can_create_action(membership, None)


@require(access.can_create_actions)
def action_create(request, org_slug):
    teams, allow_org = _team_scope_choices(request.membership)
    initial = {
        "dimension": request.GET.get("dimension") if request.GET.get("dimension") in dict(TARGET_DIMENSIONS) else "",
        "scope_team_id": request.GET.get("team", ""),
        "source": request.GET.get("source", "")[:64],
        "source_label": request.GET.get("label", "")[:300],
        "review_id": request.GET.get("review", ""),
    }
    form = ActionForm(
        request.POST or None, initial=initial, teams=teams, people=selectors.people_choices(), allow_org=allow_org
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.create_action(membership=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, gettext("Action created. It shows on the team page and in the team's next review.")
            )
            return redirect("review_action", org_slug=org_slug, action_id=action.pk)
    return render(
        request, "reviews/action_form.html", {"form": form, "source_label": initial["source_label"]},
        status=400 if form.errors else 200,
    )  # fmt: skip


def action_detail(request, org_slug, action_id):
    action = get_object_or_404(
        Action.objects.select_related("owner", "scope_team__lead", "created_by", "review__cycle"), pk=action_id
    )
    membership = request.membership
    permissions.check(membership, action, access.can_see_action)
    can_edit = access.can_edit_action(membership, action)
    form = ActionUpdateForm(
        request.POST or None,
        people=selectors.people_choices(),
        initial={"status": action.status, "owner_id": action.owner_id, "due_on": action.due_on},
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(permissions.denial(access.can_edit_action))
        if form.is_valid():
            try:
                services.update_action(membership=membership, action=action, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, gettext("Action updated."))
                return redirect("review_action", org_slug=org_slug, action_id=action.pk)
    show_figures = action.scope_team_id is None or permissions.can_see_team(membership, action.scope_team_id)
    figures = evidence.before_after([action]).get(action.pk) if show_figures else None
    return render(
        request,
        "reviews/action_detail.html",
        {"action": action, "form": form, "can_edit": can_edit, "figures": figures, "show_figures": show_figures},
        status=400 if form.errors else 200,
    )
