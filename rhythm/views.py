"""Pages of the weekly rhythm: the teams, a team's rhythm, the live meeting, rhythm health.

Views parse input, call one service or selector and render; a service's ValidationError is shown on
the form that sent it (status 400) and changes nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_POST

from peakos.models import Team
from peakos.views import add_errors
from rhythm import access, live, selectors, services
from rhythm.forms import (
    TODO_ROWS,
    EntryForm,
    IssueEditForm,
    IssueForm,
    MeasurableForm,
    RateForm,
    SeriesForm,
    SolveForm,
    TodoForm,
)
from rhythm.models import DEFAULT_AGENDA, Issue, Measurable, Meeting, Todo, week_start

# How often the live meeting page asks for changes (milliseconds).
LIVE_POLL_MS = 2000


def _team(request, team_id: int, *, edit: bool = False) -> Team:
    return access.get_for(request.membership, Team, team_id, access.can_edit if edit else access.can_see)


def _meeting(request, meeting_id: int, *, edit: bool = False) -> Meeting:
    meetings = Meeting.objects.select_related("team", "series")
    return access.get_for(request.membership, meetings, meeting_id, access.can_edit if edit else access.can_see)


def _submit(form, service, **kwargs):
    """Run ``service`` with the form's data (``service_data()`` where the form shapes it): its
    result, or None when the form is invalid or the service's ValidationError is now on the form."""
    if not form.is_valid():
        return None
    data = form.service_data() if hasattr(form, "service_data") else form.cleaned_data
    try:
        return service(**kwargs, **data)
    except ValidationError as exc:
        add_errors(form, exc)
        return None


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def home(request, org_slug):
    visible = access.visible_team_ids(request.membership)
    return render(
        request,
        "rhythm/home.html",
        {
            "rows": selectors.teams_with_series(visible),
            "sees_all": visible is None,
            "can_see_health": access.can_see_health(request.membership),
        },
    )


def health(request, org_slug):
    if not access.can_see_health(request.membership):
        raise PermissionDenied("Rhythm health is for leaders.")
    return render(request, "rhythm/health.html", selectors.rhythm_health(request.organization))


# --- The team page and its forms -----------------------------------------------------------------


def _team_forms(team: Team, **bound) -> dict:
    people, teams = selectors.people_choices(), [(pk, n) for pk, n in selectors.team_choices() if pk != team.pk]
    measurable = bound.get("measurable_form") or MeasurableForm()
    measurable.set_people(people)
    measurable.set_metrics(_metric_choices(team))
    issue = bound.get("issue_form") or IssueForm()
    issue.set_teams(teams)
    todo = bound.get("todo_form") or TodoForm()
    todo.set_people(people)
    solve = bound.get("solve_form") or SolveForm()
    solve.set_people(people)
    return {
        "measurable_form": measurable, "issue_form": issue, "todo_form": todo, "solve_form": solve,
        "solve_issue_id": bound.get("solve_issue_id"), "entry_form": bound.get("entry_form") or EntryForm(),
        "this_week": week_start(timezone.localdate()), "people": people, "todo_slots": range(1, TODO_ROWS + 1),
        "today": timezone.localdate(),
    }  # fmt: skip


def _metric_choices(team: Team) -> list[tuple[int, str]]:
    from reviews.models import Metric

    rows = Metric.objects.filter(review__team=team).select_related("review__cycle").order_by("-review__cycle__period")
    return [(m.pk, f"{m.review.cycle}: {m.name}") for m in rows]


def _render_team(request, team: Team, status: int = 200, **bound):
    context = {
        "team": team,
        "can_edit": access.can_edit_team(request.membership, team.pk),
        "can_change": access.can_change(request.membership, team),
        **selectors.team_page(team),
        **_team_forms(team, **bound),
    }
    return render(request, "rhythm/team.html", context, status=status)


def team_page(request, org_slug, team_id):
    return _render_team(request, _team(request, team_id))


def series_edit(request, org_slug, team_id):
    team = _team(request, team_id, edit=True)
    series = selectors.series_of(team)
    initial = {"name": f"{team.name} weekly", "cadence": "weekly", "weekday": 0, "start_time": "09:00",
               "agenda": SeriesForm.agenda_text(DEFAULT_AGENDA)}  # fmt: skip
    if series is not None:
        initial = {"name": series.name, "cadence": series.cadence, "weekday": series.weekday,
                   "start_time": series.start_time, "agenda": SeriesForm.agenda_text(series.agenda)}  # fmt: skip
    form = SeriesForm(request.POST or None, initial=initial)
    if request.method == "POST" and _submit(form, services.save_series, membership=request.membership, team=team):
        messages.success(request, "Meeting saved.")
        return redirect("rhythm_team", org_slug=org_slug, team_id=team.pk)
    return render(
        request, "rhythm/series_form.html", {"team": team, "form": form, "series": series},
        status=400 if form.errors else 200,
    )  # fmt: skip


@require_POST
def measurable_create(request, org_slug, team_id):
    team = _team(request, team_id, edit=True)
    form = MeasurableForm(request.POST)
    form.set_people(selectors.people_choices())
    form.set_metrics(_metric_choices(team))
    if _submit(form, services.create_measurable, membership=request.membership, team=team):
        messages.success(request, "Measurable added to the scorecard.")
        return redirect("rhythm_team", org_slug=org_slug, team_id=team.pk)
    return _render_team(request, team, status=400, measurable_form=form)


def measurable_edit(request, org_slug, measurable_id):
    measurables = Measurable.objects.select_related("team")
    measurable = access.get_for(request.membership, measurables, measurable_id, access.can_change)
    form = MeasurableForm(request.POST or None, initial=MeasurableForm.initial_for(measurable))
    form.set_people(selectors.people_choices())
    form.set_metrics(_metric_choices(measurable.team))
    if request.method == "POST" and _submit(
        form, services.update_measurable, membership=request.membership, measurable=measurable
    ):
        return _back(request, org_slug, measurable.team_id, "Measurable saved.")
    context = {"measurable": measurable, "team": measurable.team, "form": form, "meeting_id": _meeting_param(request)}
    return render(request, "rhythm/measurable_form.html", context, status=400 if form.errors else 200)


@require_POST
def measurable_archive(request, org_slug, measurable_id):
    """``archived=1`` takes it off the scorecard (its entries stay), ``archived=0`` brings it back."""
    measurable = access.get_for(request.membership, Measurable, measurable_id, access.can_change)
    archived = request.POST.get("archived") != "0"
    services.set_measurable_archived(membership=request.membership, measurable=measurable, archived=archived)
    message = f"“{measurable.name}” archived: off the scorecard, its weeks kept." if archived else (
        f"“{measurable.name}” is back on the scorecard.")  # fmt: skip
    return _back(request, org_slug, measurable.team_id, message)


def _meeting_param(request) -> int | None:
    """The live meeting a form was opened from (``?meeting=``), to go back to it after saving."""
    return _int(request.POST.get("meeting_id") or request.GET.get("meeting"))


@require_POST
def entry_save(request, org_slug, measurable_id):
    measurable = access.get_for(request.membership, Measurable.objects.select_related("team"), measurable_id,
                                access.can_edit)  # fmt: skip
    team = measurable.team
    form = EntryForm(request.POST)
    if _submit(form, services.record_entry, membership=request.membership, measurable=measurable):
        return _back(request, org_slug, team.pk, "Scorecard updated.")
    return _render_team(request, team, status=400, entry_form=form)


@require_POST
def issue_create(request, org_slug, team_id):
    team = _team(request, team_id, edit=True)
    form = IssueForm(request.POST)
    form.set_teams(selectors.team_choices())
    issue = _submit(form, services.raise_issue, membership=request.membership, team=team)
    if issue is not None:
        where = f" to {issue.raised_to.name}" if issue.raised_to else ""
        return _back(request, org_slug, team.pk, f"Issue raised{where}.")
    return _render_team(request, team, status=400, issue_form=form)


def _back(request, org_slug, team_id: int, message: str):
    """Back to the live meeting the form came from, else to the team page."""
    messages.success(request, message)
    meeting_id = _int(request.POST.get("meeting_id"))
    if meeting_id and Meeting.objects.filter(pk=meeting_id, team_id=team_id).exists():
        return redirect("rhythm_meeting", org_slug=org_slug, meeting_id=meeting_id)
    return redirect("rhythm_team", org_slug=org_slug, team_id=team_id)


@require_POST
def issue_solve(request, org_slug, issue_id):
    issues = Issue.objects.select_related("team", "raised_to")
    issue = access.get_for(request.membership, issues, issue_id, access.can_see_issue)
    form = SolveForm(request.POST)
    form.set_people(selectors.people_choices())
    if _submit(form, services.solve_issue, membership=request.membership, issue=issue):
        return _back(request, org_slug, issue.owner_team_id, "Issue solved: decision recorded.")
    meeting = _live_for(request, issue.owner_team_id)
    if meeting is not None:
        return _render_meeting(request, meeting, status=400, solve_form=form, solve_issue_id=issue.pk)
    return _render_team(request, _team(request, issue.owner_team_id), status=400, solve_form=form,
                        solve_issue_id=issue.pk)  # fmt: skip


def _issue_team_id(request, issue: Issue) -> int:
    """Where to go back to after changing an issue: the team working on it, else (a member of the
    team that raised it elsewhere) the raising team."""
    if access.can_see_team(request.membership, issue.owner_team_id):
        return issue.owner_team_id
    return issue.team_id


def issue_edit(request, org_slug, issue_id):
    issue = access.get_for(request.membership, Issue.objects.select_related("team"), issue_id, access.can_change_issue)
    initial = {"title": issue.title, "details": issue.details, "priority": issue.priority}
    form = IssueEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and _submit(form, services.update_issue, membership=request.membership, issue=issue):
        return _back(request, org_slug, _issue_team_id(request, issue), "Issue saved.")
    context = {"issue": issue, "team": issue.team, "form": form, "meeting_id": _meeting_param(request)}
    return render(request, "rhythm/issue_form.html", context, status=400 if form.errors else 200)


@require_POST
def issue_archive(request, org_slug, issue_id):
    """``archived=1`` parks it off the meeting's list (it still counts as waiting), ``archived=0`` brings it back."""
    issue = access.get_for(request.membership, Issue, issue_id, access.can_change_issue)
    archived = request.POST.get("archived") != "0"
    services.set_issue_archived(membership=request.membership, issue=issue, archived=archived)
    message = "Issue parked: off the list, still counted as waiting for a decision." if archived else (
        "Issue back on the list.")  # fmt: skip
    return _back(request, org_slug, _issue_team_id(request, issue), message)


def _live_for(request, team_id: int) -> Meeting | None:
    meeting_id = _int(request.POST.get("meeting_id"))
    if not meeting_id:
        return None
    return Meeting.objects.select_related("team", "series").filter(pk=meeting_id, team_id=team_id).first()


@require_POST
def issue_drop(request, org_slug, issue_id):
    issue = access.get_for(request.membership, Issue, issue_id, access.can_see_issue)
    try:
        services.drop_issue(membership=request.membership, issue=issue)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request, org_slug, issue.owner_team_id, "Issue taken off the list.")


@require_POST
def todo_create(request, org_slug, team_id):
    team = _team(request, team_id, edit=True)
    form = TodoForm(request.POST)
    form.set_people(selectors.people_choices())
    if _submit(form, services.create_todo, membership=request.membership, team=team):
        return _back(request, org_slug, team.pk, "To-do added.")
    meeting = _live_for(request, team.pk)
    if meeting is not None:
        return _render_meeting(request, meeting, status=400, todo_form=form)
    return _render_team(request, team, status=400, todo_form=form)


@require_POST
def todo_done(request, org_slug, todo_id):
    todo = access.get_for(request.membership, Todo, todo_id, access.can_edit)
    services.set_todo_done(membership=request.membership, todo=todo, done=request.POST.get("done") == "1")
    return _back(request, org_slug, todo.team_id, "To-do updated.")


# --- The live meeting ----------------------------------------------------------------------------


@require_POST
def meeting_start(request, org_slug, team_id):
    team = _team(request, team_id, edit=True)
    try:
        meeting = services.start_meeting(membership=request.membership, team=team)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("rhythm_team", org_slug=org_slug, team_id=team.pk)
    return redirect("rhythm_meeting", org_slug=org_slug, meeting_id=meeting.pk)


def _live_context(request, meeting: Meeting, **bound) -> dict:
    state = selectors.meeting_state(meeting)
    forms = _team_forms(meeting.team, **bound)
    me = services.person_of(request.membership)
    mine = next((a for a in state["attendees"] if me is not None and a.person_id == me.pk), None)
    return {
        **state, **forms, "team": meeting.team, "me": me, "my_rating": mine.rating if mine else None,
        "can_edit": access.can_edit_team(request.membership, meeting.team_id) and meeting.is_live,
        "can_change": access.can_change(request.membership, meeting.team) and meeting.is_live,
        "server_now": timezone.now(), "rate_form": bound.get("rate_form") or RateForm(),
        "rating_choices": range(1, 11), "meeting_todos": [t for t in state["todos"] if t.meeting_id == meeting.pk],
        "live_config": {"url": reverse("rhythm_meeting_live", kwargs={"org_slug": meeting.organization.slug,
                        "meeting_id": meeting.pk}), "live": meeting.is_live, "interval": LIVE_POLL_MS},
    }  # fmt: skip


def _render_meeting(request, meeting: Meeting, status: int = 200, **bound):
    context = _live_context(request, meeting, **bound)
    if not bound:  # the page's script polls with this version: nothing to fetch until it changes
        context["live_config"]["etag"] = _live_etag(request, context)
    return render(request, "rhythm/meeting.html", context, status=status)


def meeting_page(request, org_slug, meeting_id):
    meeting = _meeting(request, meeting_id)
    services.join_meeting(membership=request.membership, meeting=meeting)
    return _render_meeting(request, meeting)


def _live_etag(request, context: dict) -> str:
    """The live part's version for this viewer (their rights and rating are in the context; the
    language and login decide the rest of what they are shown)."""
    viewer = (request.user.pk, getattr(request, "LANGUAGE_CODE", ""), request.membership.role)
    return live.fingerprint(context, viewer=viewer)


def meeting_live(request, org_slug, meeting_id):
    """The live part of the meeting page, for the page's script to swap in every few seconds.

    Conditional: with the ETag of what the page shows in ``If-None-Match``, a 304 with no body
    when nothing changed (rhythm/live.py), so most polls render nothing and send a few bytes.
    """
    meeting = _meeting(request, meeting_id)
    context = _live_context(request, meeting)
    etag = _live_etag(request, context)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is None:
        html = render_to_string("rhythm/_live.html", context, request=request)
        response = JsonResponse({"html": html, "live": meeting.is_live, "section": meeting.section_index})
    else:
        response = not_modified
    response["ETag"] = etag
    # Revalidate every time (a 304 is cheap); the answer is this viewer's, never a shared cache's.
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ("Cookie",))
    return response


@require_POST
def meeting_section(request, org_slug, meeting_id):
    meeting = _meeting(request, meeting_id, edit=True)
    section, from_section = _int(request.POST.get("section")), _int(request.POST.get("from"))
    try:
        services.go_to_section(
            membership=request.membership, meeting=meeting, section=-1 if section is None else section,
            from_section=from_section,
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("rhythm_meeting", org_slug=org_slug, meeting_id=meeting.pk)


@require_POST
def meeting_rate(request, org_slug, meeting_id):
    meeting = _meeting(request, meeting_id, edit=True)
    form = RateForm(request.POST)
    if _submit(form, services.rate_meeting, membership=request.membership, meeting=meeting):
        messages.success(request, "Thank you: your rating is in.")
        return redirect("rhythm_meeting", org_slug=org_slug, meeting_id=meeting.pk)
    return _render_meeting(request, meeting, status=400, rate_form=form)


@require_POST
def meeting_conclude(request, org_slug, meeting_id):
    meeting = _meeting(request, meeting_id, edit=True)
    try:
        services.conclude_meeting(membership=request.membership, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Meeting concluded: the recap is on its way to the attendees.")
    return redirect("rhythm_meeting", org_slug=org_slug, meeting_id=meeting.pk)
