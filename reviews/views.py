"""Pages of the reviews app under /o/<org_slug>/reviews/. Thin: parse, call a service or selector, render.

Objects are looked up through the scoped managers (another organization's id is
a 404); role rules come from peakos/permissions.py (a rule that fails is a 403).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peakos import permissions
from peakos.models import Team, current_period
from peakos.permissions import require
from peakos.views import add_errors
from reviews import selectors, services
from reviews.forms import (
    SECTIONS,
    ActionForm,
    ActionUpdateForm,
    AskAnswerForm,
    AskFormSet,
    CycleForm,
    DecisionForm,
    MetricFormSet,
    PriorityFormSet,
    ReviewForm,
    RiskFormSet,
    initial_from,
    link_choices,
)
from reviews.models import TARGET_DIMENSIONS, Action, Ask, BusinessReview, ReviewCycle, ReviewStatus


def _today(request):
    return timezone.localdate()


def _review_or_404(review_id: int) -> BusinessReview:
    return get_object_or_404(BusinessReview.objects.select_related("team__lead", "cycle"), pk=review_id)


def _readable(request, review: BusinessReview) -> BusinessReview:
    if not permissions.can_read_review(request.membership, review):
        raise PermissionDenied("You cannot read this review.")
    return review


# --- Home and cycles -----------------------------------------------------------------------------


def home(request, org_slug):
    home = selectors.reviews_home(request.membership, _today(request))
    return render(
        request,
        "reviews/home.html",
        {"home": home, "can_open": permissions.can_open_review_cycle(request.membership)},
    )


@require(permissions.can_open_review_cycle)
def cycle_create(request, org_slug):
    teams = selectors.team_choices()
    today = _today(request)
    initial = {"period": current_period(), "opens_on": today, "team_ids": [pk for pk, _ in teams]}
    form = CycleForm(request.POST or None, teams=teams, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.create_cycle(membership=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            if cycle.status == "open":
                messages.success(request, f"{cycle} is open; the team leads are being e-mailed their links.")
            else:
                messages.success(request, f"{cycle} will open on {cycle.opens_on:%d %b %Y}.")
            return redirect("review_cycle", org_slug=org_slug, cycle_id=cycle.pk)
    return render(request, "reviews/cycle_form.html", {"form": form}, status=400 if form.errors else 200)


def cycle_detail(request, org_slug, cycle_id):
    cycle = get_object_or_404(ReviewCycle, pk=cycle_id)
    overview = selectors.cycle_overview(request.membership, cycle, _today(request))
    return render(
        request,
        "reviews/cycle_detail.html",
        {"o": overview, "cycle": cycle, "can_manage": permissions.can_open_review_cycle(request.membership)},
    )


@require_POST
@require(permissions.can_open_review_cycle)
def cycle_open(request, org_slug, cycle_id):
    cycle = get_object_or_404(ReviewCycle, pk=cycle_id)
    if services.open_cycle_now(membership=request.membership, cycle=cycle):
        messages.success(request, f"{cycle} is open; the team leads are being e-mailed their links.")
    else:
        messages.info(request, f"{cycle} was already open.")
    return redirect("review_cycle", org_slug=org_slug, cycle_id=cycle.pk)


@require_POST
@require(permissions.can_open_review_cycle)
def cycle_close(request, org_slug, cycle_id):
    cycle = get_object_or_404(ReviewCycle, pk=cycle_id)
    try:
        services.close_cycle(membership=request.membership, cycle=cycle)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{cycle} is closed. Late teams can still submit.")
    return redirect("review_cycle", org_slug=org_slug, cycle_id=cycle.pk)


def cycle_print(request, org_slug, cycle_id):
    cycle = get_object_or_404(ReviewCycle, pk=cycle_id)
    reviews = selectors.cycle_for_print(request.membership, cycle)
    return render(request, "reviews/cycle_print.html", {"cycle": cycle, "reviews": reviews, "today": _today(request)})


# --- A review ------------------------------------------------------------------------------------


def review_detail(request, org_slug, review_id):
    review = _readable(request, _review_or_404(review_id))
    return _render_detail(request, review, DecisionForm())


def _render_detail(request, review: BusinessReview, decision_form: DecisionForm, status: int = 200):
    review = selectors.review_with_sections(review.pk)
    membership = request.membership
    versions = list(review.versions.all())
    context = {
        "review": review,
        "versions": versions,
        "last_version": versions[-1] if versions else None,
        "late": review.is_late(_today(request)),
        "can_edit": permissions.can_edit_review(membership, review) and review.is_editable,
        "can_decide": permissions.can_approve_review(membership) and review.status == ReviewStatus.SUBMITTED,
        "can_create_action": permissions.can_create_action(membership, review.team_id),
        "decision_form": decision_form,
        "open_actions": selectors.open_actions_for_team(review.team_id),
        "rollup": selectors.annual_rollup(review),
        "packet": review.packet,
    }
    return render(request, "reviews/review_detail.html", context, status=status)


@require_POST
def review_decide(request, org_slug, review_id):
    review = _readable(request, _review_or_404(review_id))
    if not permissions.can_approve_review(request.membership):
        raise PermissionDenied("Only leaders approve or return reviews.")
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            review = services.decide_review(membership=request.membership, review=review, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            verb = "approved" if review.status == ReviewStatus.APPROVED else "returned to the team"
            messages.success(request, f"The {review.team.name} review was {verb}.")
            return redirect("review_detail", org_slug=org_slug, review_id=review.pk)
    return _render_detail(request, review, form, status=400)


def review_print(request, org_slug, review_id):
    review = _readable(request, _review_or_404(review_id))
    review = selectors.review_with_sections(review.pk)
    return render(
        request,
        "reviews/review_print.html",
        {"review": review, "rollup": selectors.annual_rollup(review), "today": _today(request)},
    )


def review_diff(request, org_slug, review_id):
    review = _readable(request, _review_or_404(review_id))
    review = selectors.review_with_sections(review.pk)

    def number(name):
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() else None

    pair = selectors.version_pair(review, number("a"), number("b"))
    return render(
        request, "reviews/review_diff.html", {"review": review, "pair": pair, "versions": list(review.versions.all())}
    )


# --- Editing -------------------------------------------------------------------------------------


def _form_kwargs(review: BusinessReview) -> dict:
    return {
        "priorities": {"link_choices": link_choices(selectors.parent_priority_choices(review))},
        "risks": {"people": selectors.people_choices()},
        "asks": {"teams": selectors.team_choices(exclude_id=review.team_id)},
        "metrics": {},
    }


FORMSETS = {"metrics": MetricFormSet, "priorities": PriorityFormSet, "risks": RiskFormSet, "asks": AskFormSet}


def _bound_forms(data, kwargs: dict) -> dict:
    forms = {"review": ReviewForm(data)}
    for section, formset_class in FORMSETS.items():
        forms[section] = formset_class(data, prefix=section, form_kwargs=kwargs[section])
    return forms


def _as_post_data(initial: dict) -> dict:
    """A saved review as the POST data of its form, so errors can be attached to its rows."""
    data = {k: ("" if v is None else v) for k, v in initial["review"].items()}
    for section in SECTIONS:
        rows = initial[section]
        data.update({f"{section}-TOTAL_FORMS": len(rows) + 1, f"{section}-INITIAL_FORMS": len(rows)})
        for i, row in enumerate(rows):
            data.update({f"{section}-{i}-{k}": ("" if v is None else v) for k, v in row.items()})
    return data


def _collect(forms: dict) -> tuple[dict, list[str]]:
    """The service input from the bound forms: blank and deleted rows dropped, each row with its form index."""
    problems = []
    data: dict = {}
    review_form = forms["review"]
    if review_form.is_valid():
        data.update(review_form.cleaned_data)
    else:
        problems.append("Check the highlighted fields.")
    for section in SECTIONS:
        formset = forms[section]
        if not formset.is_valid():
            if formset.non_form_errors():
                problems.extend(formset.non_form_errors())
            else:
                problems.append("Check the highlighted fields.")
            continue
        rows = []
        for i, form in enumerate(formset.forms):
            cd = form.cleaned_data
            if not cd or cd.get("DELETE") or not any((cd.get(k) or "").strip() for k in form.key_fields):
                continue
            rows.append({"row": i, **{k: v for k, v in cd.items() if k != "DELETE"}})
        data[section] = rows
    return data, problems


def _attach(forms: dict, exc: ValidationError) -> dict[str, list[str]]:
    """Put a service's errors on the forms; return section-level errors (e.g. "add at least one metric")."""
    section_errors: dict[str, list[str]] = {}
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    review_form = forms["review"]
    for key, msgs in errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] in SECTIONS and parts[1].isdigit():
            formset = forms[parts[0]]
            index = int(parts[1])
            if index < len(formset.forms) and parts[2] in formset.forms[index].fields:
                formset.forms[index].add_error(parts[2], msgs)
            else:
                section_errors.setdefault(parts[0], []).extend(msgs)
        elif key in SECTIONS:
            section_errors.setdefault(key, []).extend(msgs)
        elif key in review_form.fields:
            review_form.add_error(key, msgs)
        else:
            review_form.add_error(None, msgs)
    return section_errors


def _json_errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def review_edit(request, org_slug, review_id):
    review = _review_or_404(review_id)
    membership = request.membership
    autosave = request.method == "POST" and request.POST.get("autosave") == "1"
    if not permissions.can_edit_review(membership, review):
        if autosave:
            return JsonResponse(
                {"ok": False, "errors": {"__all__": ["Only the team's lead edits its review."]}}, status=403
            )
        raise PermissionDenied("Only the team's lead edits its review.")
    if not review.is_editable:
        reason = (
            f"This cycle opens on {review.cycle.opens_on:%d %b %Y}."
            if review.cycle.status == "scheduled"
            else f"This review is {review.get_status_display().lower()} and can no longer be edited."
        )
        if autosave:
            return JsonResponse({"ok": False, "errors": {"__all__": [reason]}}, status=409)
        messages.info(request, reason)
        return redirect("review_detail", org_slug=org_slug, review_id=review.pk)

    kwargs = _form_kwargs(review)
    section_errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        forms = _bound_forms(request.POST, kwargs)
        data, problems = _collect(forms)
        try:
            if problems:
                raise ValidationError(problems)
            services.save_draft(membership=membership, review=review, data=data)
        except ValidationError as exc:
            if autosave:
                return JsonResponse({"ok": False, "errors": _json_errors(exc)}, status=400)
            section_errors = _attach(forms, exc)
            messages.error(request, "Not saved: fix the fields marked below. Your previous draft is unchanged.")
            status = 400
        else:
            if autosave:
                return JsonResponse({"ok": True, "saved_at": timezone.localtime().strftime("%H:%M:%S")})
            if request.POST.get("action") != "submit":
                messages.success(request, "Draft saved.")
                return redirect("review_edit", org_slug=org_slug, review_id=review.pk)
            try:
                version = services.submit_review(membership=membership, review=review)
            except ValidationError as exc:
                saved = selectors.review_with_sections(review.pk)
                forms = _bound_forms(_as_post_data(initial_from(saved)), kwargs)
                section_errors = _attach(forms, exc)
                messages.error(request, "Saved as a draft, not submitted yet: complete the sections marked below.")
                status = 400
            else:
                messages.success(request, f"Submitted for approval (version {version.number}).")
                return redirect("review_detail", org_slug=org_slug, review_id=review.pk)
    else:
        initial = initial_from(selectors.review_with_sections(review.pk))
        forms = {"review": ReviewForm(initial=initial["review"])}
        for section, formset_class in FORMSETS.items():
            forms[section] = formset_class(initial=initial[section], prefix=section, form_kwargs=kwargs[section])

    review = selectors.review_with_sections(review.pk)
    versions = list(review.versions.all())
    context = {
        "review": review,
        "forms": forms,
        "section_errors": section_errors,
        "show_links": review.priority_level != "company",
        "packet": review.packet,
        "open_actions": selectors.open_actions_for_team(review.team_id),
        "rollup": selectors.annual_rollup(review),
        "returned": versions[-1] if versions and review.status == ReviewStatus.RETURNED else None,
        "late": review.is_late(_today(request)),
    }
    return render(request, "reviews/review_form.html", context, status=status)


# --- Teams, asks ---------------------------------------------------------------------------------


def team_page(request, org_slug, team_id):
    team = get_object_or_404(Team.objects.select_related("lead", "parent"), pk=team_id)
    if not permissions.can_see_team_reviews(request.membership, team):
        raise PermissionDenied("You cannot see this team's reviews.")
    page = selectors.team_page(request.membership, team)
    context = {
        "page": page,
        "team": team,
        "can_answer": permissions.can_answer_ask(request.membership, team),
        "can_create_action": permissions.can_create_action(request.membership, team.pk),
        "answer_form": AskAnswerForm(),
    }
    return render(request, "reviews/team_page.html", context)


@require_POST
def ask_answer(request, org_slug, ask_id):
    ask = get_object_or_404(Ask.objects.select_related("to_team__lead"), pk=ask_id)
    form = AskAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Accept or decline the ask.")
    else:
        try:
            services.answer_ask(membership=request.membership, ask=ask, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Answer saved; the asking team sees it on their review.")
    return redirect("review_team", org_slug=org_slug, team_id=ask.to_team_id)


# --- The cascade ---------------------------------------------------------------------------------


def cascade(request, org_slug):
    period = request.GET.get("period") or current_period()
    try:
        from peakos.models import validate_period

        validate_period(period)
    except ValidationError:
        period = current_period()
    data = selectors.cascade(request.organization, period)
    return render(request, "reviews/cascade.html", {"c": data})


# --- Actions -------------------------------------------------------------------------------------


def action_list(request, org_slug):
    actions = selectors.actions_with_figures(request.membership)
    return render(
        request,
        "reviews/action_list.html",
        {
            "actions": actions,
            "can_create": permissions.can_create_actions(request.membership),
            "today": _today(request),
        },
    )


def _team_scope_choices(membership) -> tuple[list[tuple[int, str]], bool]:
    teams = selectors.team_choices()
    visible = permissions.visible_team_ids(membership)
    if visible is not None:
        teams = [(pk, name) for pk, name in teams if pk in visible]
    return teams, permissions.can_create_action(membership, None)


@require(permissions.can_create_actions)
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
            messages.success(request, "Action created. It shows on the team page and in the team's next review.")
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
    if not permissions.can_see_action(membership, action):
        raise PermissionDenied("You cannot see this action.")
    can_edit = permissions.can_edit_action(membership, action)
    form = ActionUpdateForm(
        request.POST or None,
        people=selectors.people_choices(),
        initial={"status": action.status, "owner_id": action.owner_id, "due_on": action.due_on},
    )
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("You cannot change this action.")
        if form.is_valid():
            try:
                services.update_action(membership=membership, action=action, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, "Action updated.")
                return redirect("review_action", org_slug=org_slug, action_id=action.pk)
    from reviews import evidence

    show_figures = action.scope_team_id is None or permissions.can_see_team(membership, action.scope_team_id)
    figures = evidence.before_after([action]).get(action.pk) if show_figures else None
    return render(
        request,
        "reviews/action_detail.html",
        {"action": action, "form": form, "can_edit": can_edit, "figures": figures, "show_figures": show_figures},
        status=400 if form.errors else 200,
    )
