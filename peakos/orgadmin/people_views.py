"""Screens for people: the searchable list with bulk actions, add/edit, CSV import
(upload → preview → confirm) and CSV export. Owners and admins only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from peakos import erasure, memberships, permissions
from peakos.audit import record_audit
from peakos.models import PeopleImport, Person
from peakos.orgadmin import importer, selectors
from peakos.orgadmin.forms import (
    INVITE_ACTION,
    BulkPeopleForm,
    ConfirmTypedForm,
    ImportForm,
    PeopleFilterForm,
    PersonForm,
    PersonLoginForm,
)
from peakos.orgadmin.peoplecsv import REQUIRED_COLUMNS, export_people_csv
from peakos.orgadmin.views import manage
from peakos.people import services
from peakos.permissions import require
from peakos.views import add_errors

PREVIEW_LINES = 200
MAX_ERRORS_SHOWN = 300


@manage
def people(request, org_slug):
    """Search and filter people; select some and apply a bulk action."""
    org = request.organization
    filters = PeopleFilterForm(request.GET or None, organization=org)
    values = filters.cleaned_data if filters.is_valid() else {}
    page = selectors.people_page(
        org,
        query=(values.get("q") or "").strip(),
        team_id=values["team"].pk if values.get("team") else None,
        layer=values.get("layer") or "",
        status=values.get("status") or "active",
        page=request.GET.get("page", 1),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "bulk_form": BulkPeopleForm(organization=org, auto_id="bulk_%s"),
        "next": request.get_full_path(),
    }
    return render(request, "peakos/manage/people.html", context)


@require_POST
@manage
def people_bulk(request, org_slug):
    org = request.organization
    form = BulkPeopleForm(request.POST, organization=org)
    back = _safe_next(request, reverse("manage_people", args=[org_slug]))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    data = form.cleaned_data
    if data["action"] == INVITE_ACTION:
        return _invite_selected(request, data, back)
    try:
        changed = services.bulk_update_people(
            organization=org,
            actor=request.user,
            person_ids=data["people"],
            action=data["action"],
            team=data.get("team"),
            layer=data.get("layer") or None,
            manager=data.get("manager_email"),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{services.BULK_ACTIONS[data['action']]}: {changed} people updated.")
    return redirect(back)


def _invite_selected(request, data: dict, back: str):
    try:
        result = memberships.invite_people(
            membership=request.membership, person_ids=data["people"], role=data.get("role") or "manager"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    if result.invited:
        messages.success(request, f"Invitation sent to {len(result.invited)}: {', '.join(result.invited)}.")
    if result.skipped:
        messages.warning(request, "Not invited: " + "; ".join(result.skipped) + ".")
    return redirect(back)


def _safe_next(request, default: str) -> str:
    """Only return to a page of this organization."""
    target = request.POST.get("next") or ""
    prefix = reverse("org_home", args=[request.organization.slug])
    return target if target.startswith(prefix) and "//" not in target and "\\" not in target else default


@manage
def person_new(request, org_slug):
    org = request.organization
    form = PersonForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.create_person(
                organization=org,
                actor=request.user,
                email=data["email"],
                name=data["name"],
                team=data["team"],
                manager=data["manager_email"],
                layer=data["layer"],
                attributes=data["attributes"],
                language=data["language"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{person.name} added.")
            return redirect("manage_people", org_slug=org_slug)
    return render(request, "peakos/manage/person_form.html", {"form": form, "person": None})


@manage
def person_detail(request, org_slug, person_id):
    org = request.organization
    person = get_object_or_404(Person.objects.select_related("team", "manager", "user"), pk=person_id)
    form = PersonForm(request.POST or None, organization=org, person=person)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_person(
                organization=org,
                actor=request.user,
                person=person,
                email=data["email"],
                name=data["name"],
                team=data["team"],
                manager=data["manager_email"],
                layer=data["layer"],
                active=data["active"],
                attributes=data["attributes"],
                language=data["language"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Person saved.")
            return redirect("manage_person", org_slug=org_slug, person_id=person.pk)
    reports = person.reports.filter(active=True).order_by("name")[:50]
    context = {
        "form": form,
        "person": person,
        "reports": reports,
        "can_erase": permissions.is_owner(request.membership),
        "login_form": PersonLoginForm(organization=org, initial={"user": person.user_id}),
    }
    return render(request, "peakos/manage/person_form.html", context)


@require(permissions.is_owner)
def person_erase(request, org_slug, person_id):
    """Erase a person for good (owners only), confirmed by typing their e-mail address."""
    person = get_object_or_404(Person.objects.select_related("team", "user"), pk=person_id)
    form = ConfirmTypedForm(request.POST or None, expected=person.email)
    if request.method == "POST" and form.is_valid():
        themselves = person.user_id == request.user.pk
        try:
            report = erasure.erase_person(membership=request.membership, actor=request.user, person=person)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                f"Erased: {report.pseudonym}. Their invitations, login and audit details are gone; "
                "results are unchanged.",
            )
            if themselves:  # their access to this organization is gone
                return redirect("home")
            return redirect("manage_people", org_slug=org_slug)
    invitations = person.survey_invitations.count()
    return render(
        request, "peakos/manage/person_erase.html", {"form": form, "person": person, "invitations": invitations}
    )


@require_POST
@manage
def person_login(request, org_slug, person_id):
    """Link the person to a member's login, or unlink it (audit-logged)."""
    person = get_object_or_404(Person.objects.select_related("user"), pk=person_id)
    form = PersonLoginForm(request.POST, organization=request.organization)
    if not form.is_valid():
        messages.error(request, "Choose a member of this organization.")
    else:
        user = form.cleaned_data["user"]
        try:
            memberships.set_person_login(membership=request.membership, person=person, user=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"{person.name} is linked to {user.email}." if user else f"{person.name} has no login now."
            )
    return redirect("manage_person", org_slug=org_slug, person_id=person.pk)


# --------------------------------------------------------------------------- CSV import and export


@manage
def people_import(request, org_slug):
    """Upload a CSV: errors are listed by row and column; a clean file goes to its preview."""
    org = request.organization
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        filename, upload = form.cleaned_data["file"]
        text = upload.text
        deactivate = form.cleaned_data["deactivate_missing"]
        plan = importer.preview_import(org, text, deactivate_missing=deactivate)
        if plan.errors:
            errors = sorted(plan.errors)
        else:
            stored = importer.store_preview(
                organization=org,
                actor=request.user,
                text=text,
                filename=filename,
                deactivate_missing=deactivate,
                plan=plan,
            )
            if upload.note:
                messages.warning(request, upload.note)
            return redirect("manage_import_preview", org_slug=org_slug, import_id=stored.pk)
    context = {
        "form": form,
        "errors": errors[:MAX_ERRORS_SHOWN],
        "more_errors": max(0, len(errors) - MAX_ERRORS_SHOWN),
        "columns": REQUIRED_COLUMNS,
        "recent": PeopleImport.objects.select_related("uploaded_by").defer("content")[:10],
    }
    refused = errors or (request.method == "POST" and form.errors)
    return render(request, "peakos/manage/import.html", context, status=400 if refused else 200)


@manage
def people_import_preview(request, org_slug, import_id):
    """GET: what the import would create, update and deactivate. POST: confirm and apply it."""
    upload = get_object_or_404(PeopleImport, pk=import_id)
    if request.method == "POST" and upload.status == PeopleImport.Status.PREVIEW:
        try:
            plan = importer.confirm_import(people_import=upload, actor=request.user)
        except importer.PlanChangedError as exc:
            messages.warning(request, " ".join(exc.messages))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages[:20]))
        else:
            messages.success(request, f"Import done: {plan.summary_line()}.")
            return redirect("manage_people", org_slug=org_slug)
    applied = upload.status == PeopleImport.Status.APPLIED
    plan = (
        None
        if applied
        else importer.preview_import(request.organization, upload.content, deactivate_missing=upload.deactivate_missing)
    )
    context = {
        "upload": upload,
        "applied": applied,
        "plan": plan,
        "summary": plan.summary() if plan else upload.summary,
        "lines": _preview_lines(plan) if plan else {},
        "errors": sorted(plan.errors)[:MAX_ERRORS_SHOWN] if plan else [],
    }
    return render(request, "peakos/manage/import_preview.html", context)


def _preview_lines(plan: importer.Plan) -> dict:
    return {
        "teams_created": plan.teams_to_create[:PREVIEW_LINES],
        "teams_moved": plan.teams_to_move[:PREVIEW_LINES],
        "created": plan.people_to_create[:PREVIEW_LINES],
        "updated": plan.people_to_update[:PREVIEW_LINES],
        "deactivated": plan.people_to_deactivate[:PREVIEW_LINES],
        "limit": PREVIEW_LINES,
    }


@require_GET
@manage
def people_export(request, org_slug):
    """Download active people and the team tree in the import format."""
    org = request.organization
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{org.slug}-people-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8; the import skips it
    count = export_people_csv(org, response)
    record_audit(organization=org, actor=request.user, action="people.export", summary=f"{count} people exported")
    return response
