"""Views of the core: home, organization home and settings, profile, members and invitations.

Views under /o/<org_slug>/ run inside the tenant scope set by TenantMiddleware:
``request.organization`` and ``request.membership`` are always set there.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog

from accounts.selectors import first_run_checklist
from peakos import erasure, export, i18n, memberships, permissions
from peakos.forms import AcceptInvitationForm, InviteForm, OrganizationSettingsForm, ProfileForm, RoleForm
from peakos.models import MemberInvitation, Membership, Person, Priority, Role, Team, TeamDependency, current_period
from peakos.orgadmin.forms import ConfirmTypedForm
from peakos.permissions import require
from peakos.selectors import memberships_of


def add_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form that submitted it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def home(request):
    """Send the user to their organization, or let them choose one."""
    memberships = memberships_of(request.user)
    last = request.session.get("last_org")
    for m in memberships:
        if m.organization.slug == last:
            return redirect("org_home", org_slug=last)
    if len(memberships) == 1:
        return redirect("org_home", org_slug=memberships[0].organization.slug)
    return render(request, "peakos/home.html", {"memberships": memberships})


def org_home(request, org_slug):
    org = request.organization
    counts = Team.objects.aggregate(
        teams=Count("id", filter=Q(archived=False)),
        departments=Count("id", filter=Q(archived=False, kind="department")),
    )
    context = {
        "counts": counts,
        "people_count": Person.objects.filter(active=True).count(),
        "dependency_count": TeamDependency.objects.count(),
        "company_priorities": Priority.objects.filter(level="company", period=current_period()).order_by("rank"),
        "period": current_period(),
        "can_manage": permissions.can_manage(request.membership),
        "org": org,
    }
    if request.membership.role == Role.OWNER:
        checklist = first_run_checklist(org)
        if not all(item.done for item in checklist):
            context["checklist"] = checklist
            context["checklist_done"] = sum(item.done for item in checklist)
    return render(request, "peakos/org_home.html", context)


@require(permissions.can_manage)
def org_settings(request, org_slug):
    membership = request.membership
    can_edit_privacy = permissions.can_edit_privacy(membership)
    form = OrganizationSettingsForm(
        request.POST or None, instance=request.organization, can_edit_privacy=can_edit_privacy
    )
    if request.method == "POST" and form.is_valid():
        try:
            memberships.update_organization_settings(membership=membership, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Settings saved.")
            return redirect("org_settings", org_slug=org_slug)
    return render(request, "peakos/org_settings.html", {"form": form, "can_edit_privacy": can_edit_privacy})


@require(permissions.is_owner)
def org_export(request, org_slug):
    """Download all of the organization's data as a ZIP (owners; audited). POST: a link
    prefetcher or scanner never triggers an export."""
    if request.method != "POST":
        return render(request, "peakos/org_export.html")
    archive = export.export_organization(membership=request.membership, actor=request.user)
    filename = f"{org_slug}-export-{timezone.localdate():%Y-%m-%d}.zip"
    return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")


@require(permissions.is_owner)
def org_delete(request, org_slug):
    """Delete the organization and all of its data (owners), confirmed by typing the slug."""
    form = ConfirmTypedForm(request.POST or None, expected=org_slug)
    if request.method == "POST" and form.is_valid():
        try:
            erasure.delete_organization(
                membership=request.membership, actor=request.user, confirm=form.cleaned_data["confirm"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            request.session.pop("last_org", None)
            messages.success(request, f"The organization “{org_slug}” and all of its data were deleted.")
            return redirect("home")
    return render(request, "peakos/org_delete.html", {"form": form})


@require(permissions.can_manage)
def members(request, org_slug):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            memberships.invite_member(membership=request.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("members", org_slug=org_slug)
    context = {
        "form": form,
        "members": Membership.objects.select_related("user").order_by("user__email"),
        "pending": MemberInvitation.objects.filter(accepted_at__isnull=True).order_by("-created_at")[:50],
        "roles": Membership._meta.get_field("role").choices,
    }
    return render(request, "peakos/members.html", context)


@require_POST
@require(permissions.can_manage)
def member_role(request, org_slug, membership_id):
    target = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid role.")
        return redirect("members", org_slug=org_slug)
    try:
        memberships.change_role(membership=request.membership, target=target, role=form.cleaned_data["role"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("members", org_slug=org_slug)
    messages.success(request, f"{target.user.email} is now {target.get_role_display().lower()}.")
    if target.user_id == request.user.pk:
        # One's own privileges changed: a new session key (a key copied before is worth nothing),
        # and this session stays valid while the user's other sessions end (memberships.end_sessions).
        request.user.refresh_from_db(fields=["session_epoch"])
        update_session_auth_hash(request, request.user)
        if not permissions.can_manage(target):
            return redirect("org_home", org_slug=org_slug)
    return redirect("members", org_slug=org_slug)


@require_POST
@require(permissions.can_manage)
def member_remove(request, org_slug, membership_id):
    target = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id)
    try:
        memberships.remove_member(membership=request.membership, target=target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{target.user.email} was removed.")
    return redirect("members", org_slug=org_slug)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("profile")
    return render(request, "peakos/profile.html", {"form": form, "memberships": memberships_of(request.user)})


@require_POST
@login_required
def account_language(request):
    """The account menu's language chooser: stored on the user (every device) and in the
    language cookie (so the login page keeps it after logging out)."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = reverse("home")
    try:
        language = memberships.set_user_language(user=request.user, language=request.POST.get("language", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(target)
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


# No personal data in a catalogue, and it changes only with a deploy: browsers may keep it an hour.
@cache_control(public=True, max_age=3600)
def javascript_catalog(request, lang: str):
    """The messages of static/js/ (domain ``djangojs``) in ``lang``, for pages whose language
    is not the browser's (a survey page is in the person's language). Loaded with a
    ``<script src>``: nothing inline, so a strict Content-Security-Policy holds."""
    if lang not in i18n.shipped_languages():
        raise Http404
    with translation.override(lang):
        return JavaScriptCatalog.as_view(domain="djangojs", packages=["peakos"])(request)


def accept_invitation(request, token):
    """Join an organization from an invitation link (single use, expires)."""
    invitation = memberships.find_invitation(token)
    if invitation is None or not invitation.is_usable:
        return render(request, "peakos/invitation_invalid.html", status=410 if invitation else 404)
    user = request.user if request.user.is_authenticated else None
    form = None if user else AcceptInvitationForm(request.POST or None, email=invitation.email)
    error = None
    if request.method == "POST" and (user or form.is_valid()):
        try:
            if user:
                _, membership = memberships.accept_invitation(invitation=invitation, user=user)
            else:
                user, membership = memberships.accept_invitation(
                    invitation=invitation, name=form.cleaned_data["name"], password=form.cleaned_data["password1"]
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(getattr(exc, "messages", [str(exc)]))
        else:
            messages.success(request, f"Welcome to {invitation.organization.name}.")
            return redirect("org_home", org_slug=invitation.organization.slug)
    return render(request, "peakos/accept_invitation.html", {"invitation": invitation, "form": form, "error": error})
