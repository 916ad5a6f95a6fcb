"""The review form: save draft, background autosave (JSON), submit; errors mapped back onto the rows."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from peakos import permissions
from reviews import access, selectors, services
from reviews.forms import (
    SECTIONS,
    AskFormSet,
    MetricFormSet,
    PriorityFormSet,
    ReviewForm,
    RiskFormSet,
    initial_from,
    link_choices,
)
from reviews.models import BusinessReview, ReviewStatus
from reviews.views.review import review_or_404


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
        problems.append(gettext("Check the highlighted fields."))
    for section in SECTIONS:
        formset = forms[section]
        if not formset.is_valid():
            if formset.non_form_errors():
                problems.extend(formset.non_form_errors())
            else:
                problems.append(gettext("Check the highlighted fields."))
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
    review = review_or_404(review_id)
    membership = request.membership
    autosave = request.method == "POST" and request.POST.get("autosave") == "1"
    if not access.can_edit_review(membership, review):
        if autosave:
            return JsonResponse(
                {"ok": False, "errors": {"__all__": [permissions.denial(access.can_edit_review)]}}, status=403
            )
        raise PermissionDenied(permissions.denial(access.can_edit_review))
    if not review.is_editable:
        reason = (
            gettext("This cycle opens on %(date)s.") % {"date": date_format(review.cycle.opens_on, gettext("j M Y"))}
            if review.cycle.status == "scheduled"
            else gettext("This review is %(status)s and can no longer be edited.")
            % {"status": review.get_status_display().lower()}
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
            messages.error(
                request, gettext("Not saved: fix the fields marked below. Your previous draft is unchanged.")
            )
            status = 400
        else:
            if autosave:
                return JsonResponse({"ok": True, "saved_at": timezone.localtime().strftime("%H:%M:%S")})
            if request.POST.get("action") != "submit":
                messages.success(request, gettext("Draft saved."))
                return redirect("review_edit", org_slug=org_slug, review_id=review.pk)
            try:
                version = services.submit_review(membership=membership, review=review)
            except ValidationError as exc:
                saved = selectors.review_with_sections(review.pk)
                forms = _bound_forms(_as_post_data(initial_from(saved)), kwargs)
                section_errors = _attach(forms, exc)
                messages.error(
                    request, gettext("Saved as a draft, not submitted yet: complete the sections marked below.")
                )
                status = 400
            else:
                messages.success(
                    request, gettext("Submitted for approval (version %(version)s).") % {"version": version.number}
                )
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
        "late": review.is_late(timezone.localdate()),
        "can_create_action": access.can_create_action(membership, review.team_id),
    }
    return render(request, "reviews/review_form.html", context, status=status)
