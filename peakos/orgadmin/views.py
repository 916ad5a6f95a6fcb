"""Screens for the team tree, dependencies, priorities and the audit log.

Every view is for owners and admins (``@require(permissions.can_manage)`` → 403);
other organizations' ids 404 because every lookup goes through the request's
tenant scope. People, import and export are in ``people_views``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from peakos import permissions
from peakos.models import Priority, Team, TeamDependency, current_period
from peakos.orgadmin import graph, selectors
from peakos.orgadmin.forms import AuditFilterForm, DependencyForm, PriorityForm, TeamCreateForm, TeamEditForm
from peakos.people import services
from peakos.permissions import require
from peakos.views import add_errors

manage = require(permissions.can_manage)


def _team_url(org_slug):
    return lambda team: reverse("manage_team", args=[org_slug, team.pk])


# --------------------------------------------------------------------------- teams


@manage
def teams(request, org_slug):
    """The team tree with head counts, and a form to add a team."""
    org = request.organization
    form = TeamCreateForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(organization=org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Team {team.name} added.")
            return redirect("manage_teams", org_slug=org_slug)
    show_archived = request.GET.get("archived") == "1"
    rows = selectors.team_rows(org, include_archived=show_archived)
    context = {
        "rows": rows,
        "form": form,
        "show_archived": show_archived,
        "total_people": sum(r.headcount for r in rows),
    }
    return render(request, "peakos/manage/teams.html", context)


@manage
def team_detail(request, org_slug, team_id):
    """Rename, move, re-kind, set the lead; see and edit the team's dependencies."""
    org = request.organization
    team = get_object_or_404(Team.objects.select_related("parent", "lead"), pk=team_id)
    form = TeamEditForm(request.POST or None, organization=org, team=team, targets=selectors.move_targets(org, team))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_team(organization=org, actor=request.user, team=team, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Team saved.")
            return redirect("manage_team", org_slug=org_slug, team_id=team.pk)
    return render(request, "peakos/manage/team_detail.html", _team_context(request, team, form=form))


def _team_context(request, team, *, form=None, dependency_form=None):
    org = request.organization
    edges = selectors.team_dependencies(team)
    return {
        "team": team,
        "form": form or TeamEditForm(organization=org, team=team, targets=selectors.move_targets(org, team)),
        "dependency_form": dependency_form or DependencyForm(organization=org, team=team),
        "edges": edges,
        "graph": graph.neighbourhood(
            team, edges.depended_on_by, edges.depends_on, url_for=_team_url(request.organization.slug)
        ),
        "headcount": team.people.filter(active=True).count(),
        "children": team.children.order_by("name"),
    }


@require_POST
@manage
def team_archive(request, org_slug, team_id):
    team = get_object_or_404(Team, pk=team_id)
    archive = request.POST.get("archived", "1") == "1"
    try:
        services.set_team_archived(organization=request.organization, actor=request.user, team=team, archived=archive)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{team.name} {'archived' if archive else 'restored'}.")
    return redirect("manage_team", org_slug=org_slug, team_id=team.pk)


# --------------------------------------------------------------------------- dependencies


@require_POST
@manage
def team_dependency_add(request, org_slug, team_id):
    team = get_object_or_404(Team.objects.select_related("parent", "lead"), pk=team_id)
    form = DependencyForm(request.POST, organization=request.organization, team=team)
    if form.is_valid():
        try:
            services.add_dependency(
                organization=request.organization, actor=request.user, from_team=team, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{team.name} now depends on {form.cleaned_data['to_team'].name}.")
            return redirect("manage_team", org_slug=org_slug, team_id=team.pk)
    context = _team_context(request, team, dependency_form=form)
    return render(request, "peakos/manage/team_detail.html", context, status=400)


@require_POST
@manage
def dependency_remove(request, org_slug, dependency_id):
    dependency = get_object_or_404(TeamDependency.objects.select_related("from_team", "to_team"), pk=dependency_id)
    services.remove_dependency(organization=request.organization, actor=request.user, dependency=dependency)
    messages.success(request, f"{dependency.from_team.name} no longer depends on {dependency.to_team.name}.")
    back = request.POST.get("back")
    if back == "team":
        return redirect("manage_team", org_slug=org_slug, team_id=dependency.from_team_id)
    return redirect("manage_dependencies", org_slug=org_slug)


@manage
def dependencies(request, org_slug):
    """Every dependency of the organization: a list and a graph."""
    edges = selectors.all_dependencies(request.organization)
    context = {"dependencies": edges, "graph": graph.organization_circle(edges, url_for=_team_url(org_slug))}
    return render(request, "peakos/manage/dependencies.html", context)


# --------------------------------------------------------------------------- priorities


@manage
def priorities(request, org_slug):
    """The cascade for one period; a form to add a company, department or team priority."""
    org = request.organization
    period = request.GET.get("period") or current_period()
    form = PriorityForm(request.POST or None, organization=org, initial={"period": period, "level": "company"})
    if request.method == "POST" and form.is_valid():
        try:
            priority = services.save_priority(organization=org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Priority “{priority.title}” added.")
            return redirect(f"{reverse('manage_priorities', args=[org_slug])}?period={priority.period}")
    roots, orphans = selectors.priority_cascade(org, period)
    periods = sorted({period, current_period(), *selectors.priority_periods(org)}, reverse=True)
    context = {"form": form, "period": period, "periods": periods, "roots": roots, "orphans": orphans}
    return render(request, "peakos/manage/priorities.html", context)


@manage
def priority_detail(request, org_slug, priority_id):
    priority = get_object_or_404(Priority.objects.select_related("team", "parent"), pk=priority_id)
    form = PriorityForm(request.POST or None, priority=priority, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            priority = services.save_priority(
                organization=request.organization, actor=request.user, priority=priority, **form.cleaned_data
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Priority saved.")
            return redirect(f"{reverse('manage_priorities', args=[org_slug])}?period={priority.period}")
    children = priority.children.select_related("team").order_by("rank", "title")
    return render(
        request, "peakos/manage/priority_detail.html", {"priority": priority, "form": form, "children": children}
    )


@require_POST
@manage
def priority_delete(request, org_slug, priority_id):
    priority = get_object_or_404(Priority, pk=priority_id)
    try:
        services.delete_priority(organization=request.organization, actor=request.user, priority=priority)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("manage_priority", org_slug=org_slug, priority_id=priority.pk)
    messages.success(request, f"Priority “{priority.title}” deleted.")
    return redirect(f"{reverse('manage_priorities', args=[org_slug])}?period={priority.period}")


# --------------------------------------------------------------------------- audit log


@manage
def audit_log(request, org_slug):
    """Who did what and when, newest first; filter by action, actor and dates."""
    org = request.organization
    form = AuditFilterForm(
        request.GET or None, actions=selectors.audit_actions(org), actors=selectors.audit_actors(org)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    page = selectors.audit_page(
        org,
        action=filters.get("action") or "",
        actor_id=filters.get("actor"),
        since=filters.get("since"),
        until=filters.get("until"),
        page=request.GET.get("page", 1),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "peakos/manage/audit.html", {"form": form, "page": page, "query": query.urlencode()})
