"""Pages of leadership development under /o/<org_slug>/leadership/, and the public 360 answering page.

Views parse input, call one service or selector and render; a service's ValidationError is
shown on the form that sent it (status 400) and changes nothing.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from leadership import access, bank, effectiveness, report360, services
from leadership.models import Feedback, Relationship
from peakos import i18n, permissions
from peakos.models import Person
from peakos.tenancy import org_scope

# --------------------------------------------------------------------------- organization pages


def home(request, org_slug):
    membership = request.membership
    feedbacks = (
        Feedback.objects.filter(access.visible_feedback_filter(membership))
        .select_related("leader", "leader__team")
        .order_by("-created_at")
    )
    own = list(access.linked_people(membership))
    return render(
        request,
        "leadership/home.html",
        {
            "feedbacks": feedbacks,
            "can_start_any": permissions.can_manage(membership),
            "own_people": own,
        },
    )


def _dimension_label(dim: str) -> str:
    return {"alignment": _("Alignment"), "leadership": _("Leadership effectiveness")}.get(dim, dim)


def managers(request, org_slug):
    """Manager effectiveness of a closed round: what each visible manager's direct reports said,
    with the organization beside it and the change since the survey's previous closed round.
    Every figure comes from ``effectiveness.round_managers`` (audited); hidden ones say why."""
    visible = access.visible_manager_ids(request.membership)
    rounds = effectiveness.closed_rounds(request.organization)
    wanted = _int(request.GET.get("round"))
    round_ = next((r for r in rounds if r.pk == wanted), rounds[0] if rounds else None)
    rows = []
    threshold = request.organization.anonymity_threshold
    if round_ is not None and visible != set():
        result = effectiveness.round_managers(round_)
        previous_round = effectiveness.previous_of(round_)
        previous = effectiveness.round_managers(previous_round) if previous_round else None
        threshold = result.threshold
        ids = [m for m in result.managers if visible is None or m in visible]
        people = {p.pk: p for p in Person.objects.filter(pk__in=ids).select_related("team")}
        wording = {
            q.key: q.wording(translation.get_language() or "en", request.organization.default_language).text
            for q in round_.questions.all()
        }
        for m in sorted(ids, key=lambda pk: people[pk].name if pk in people else ""):
            if m not in people:
                continue
            fig = result.managers[m]
            before = previous.managers.get(m) if previous else None

            def line(label, current, org_score, earlier):
                return {
                    "label": label,
                    "shown": current.shown,
                    "score": current.score,
                    "respondents": current.respondents,
                    "organization": org_score,
                    "change": effectiveness.change(current, earlier),
                    "hidden": effectiveness.hidden_text(current.reason, result.threshold),
                }

            dims = [
                line(
                    _dimension_label(dim),
                    f,
                    result.organization.get(dim),
                    before.dimensions.get(dim) if before else None,
                )
                for dim, f in fig.dimensions.items()
            ]
            items = [
                line(
                    wording.get(key, key),
                    f,
                    result.organization_items.get(key),
                    before.items.get(key) if before else None,
                )
                for key, f in fig.items.items()
            ]
            rows.append(
                {
                    "person": people[m],
                    "respondents": fig.respondents.respondents,
                    "hidden": effectiveness.hidden_text(fig.respondents.reason, result.threshold),
                    "dimensions": dims,
                    "items": items,
                }
            )
    return render(
        request,
        "leadership/managers.html",
        {"rounds": rounds, "round": round_, "rows": rows, "threshold": threshold, "sees_none": visible == set()},
    )


def _leader_choices(membership) -> list[Person]:
    if permissions.can_manage(membership):
        return list(Person.objects.filter(active=True).select_related("team").order_by("name"))
    return list(access.linked_people(membership).filter(active=True).select_related("team"))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def feedback_new(request, org_slug):
    membership = request.membership
    choices = _leader_choices(membership)
    if not choices:
        raise PermissionDenied(_("Your login is not linked to a person: ask an admin to start your 360."))
    leader_id = _int(request.POST.get("leader") or request.GET.get("leader"))
    leader = next((p for p in choices if p.pk == leader_id), None)
    if leader_id is not None and leader is None:
        raise PermissionDenied(_("You start a 360 for yourself only."))
    if leader is None and len(choices) == 1:
        leader = choices[0]
    errors: list[str] = []
    status = 200
    if request.method == "POST" and leader is not None:
        raters = []
        for value in request.POST.getlist("rater"):
            pid, _sep, rel = value.partition(":")
            if _int(pid) is not None:
                raters.append((int(pid), rel))
        for rel in (Relationship.PEER, Relationship.REPORT, Relationship.MANAGER):
            raters += [(pid, rel) for pid in map(_int, request.POST.getlist(f"add_{rel}")) if pid]
        try:
            feedback = services.start_feedback(
                organization=request.organization,
                actor=request.user,
                leader=leader,
                raters=raters,
                open_days=_int(request.POST.get("open_days")) or services.DEFAULT_OPEN_DAYS,
                show_self=bool(request.POST.get("show_self")),
                show_manager=bool(request.POST.get("show_manager")),
            )
        except ValidationError as exc:
            errors = exc.messages
            status = 400
        else:
            messages.success(request, _("The 360 started: the raters are being e-mailed their links."))
            return redirect("feedback_detail", org_slug=org_slug, feedback_id=feedback.pk)
    suggested = services.suggested_raters(leader) if leader else {}
    suggested_ids = {p.pk for people in suggested.values() for p in people}
    others = [p for p in Person.objects.filter(active=True).order_by("name") if p.pk not in suggested_ids]
    return render(
        request,
        "leadership/feedback_new.html",
        {
            "choices": choices,
            "leader": leader,
            "suggested": [(rel, Relationship(rel).label, people) for rel, people in suggested.items()],
            "others": others,
            "errors": errors,
            "open_days": services.DEFAULT_OPEN_DAYS,
            "threshold": request.organization.anonymity_threshold,
        },
        status=status,
    )


def _feedback(request, feedback_id: int) -> Feedback:
    feedback = get_object_or_404(Feedback.objects.select_related("leader", "leader__manager"), pk=feedback_id)
    if not access.can_read_feedback(request.membership, feedback):
        raise PermissionDenied(_("A 360 report is for the leader, their manager and admins."))
    return feedback


def feedback_detail(request, org_slug, feedback_id: int):
    feedback = _feedback(request, feedback_id)
    report = report360.build_report(feedback)
    raters = feedback.raters.select_related("person").order_by("relationship", "person__name")
    return render(
        request,
        "leadership/feedback_detail.html",
        {
            "feedback": feedback,
            "report": report,
            "raters": raters,
            "can_close": feedback.is_accepting and access.can_start_for(request.membership, feedback.leader),
        },
    )


@require_POST
def feedback_close(request, org_slug, feedback_id: int):
    feedback = _feedback(request, feedback_id)
    if not access.can_start_for(request.membership, feedback.leader):
        raise PermissionDenied(_("Only the leader or an admin closes a 360."))
    services.close_feedback(feedback=feedback, actor=request.user)
    messages.success(request, _("The 360 is closed: its links no longer take answers."))
    return redirect("feedback_detail", org_slug=org_slug, feedback_id=feedback.pk)


# --------------------------------------------------------------------------- the public answering page


def _private(view):
    """Like the pulse pages: no Referer (the URL holds the token), no caching, no indexing."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


# No CSRF check, as on the pulse page: the unguessable token in the URL is the only credential.
@csrf_exempt
@_private
def answer(request, token: str):
    """Show the 360 form (GET never uses the link up) and take the one submission (POST)."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    rater = services.find_rater(token)
    if rater is None:
        return render(request, "leadership/public/not_found.html", {}, status=404)
    org, feedback = rater.organization, rater.feedback
    language = i18n.language_for(org, rater.person.language)
    name = feedback.leader.name
    context = {
        "organization": org,
        "feedback": feedback,
        "leader": feedback.leader,
        "rater": rater,
        "is_self": rater.relationship == Relationship.SELF,
        "individual": feedback.shown_individually(rater.relationship),
        "threshold": feedback.anonymity_threshold,
        "comment_threshold": max(feedback.comment_threshold, feedback.anonymity_threshold),
        "relationship_label": Relationship(rater.relationship).label,
    }
    with org_scope(org), translation.override(language):
        if services.has_answered(rater):
            return render(request, "leadership/public/already_answered.html", context)
        if not feedback.is_accepting:
            return render(request, "leadership/public/closed.html", context, status=410)
        errors: dict = {}
        if request.method == "POST":
            try:
                services.submit_feedback(rater=rater, data=request.POST)
            except services.AlreadyAnsweredError:
                return render(request, "leadership/public/already_answered.html", context)
            except services.FeedbackClosedError:
                return render(request, "leadership/public/closed.html", context, status=410)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                return render(request, "leadership/public/thanks.html", context)
        posted = request.POST if errors else {}
        context["items"] = [
            {
                "key": item.key,
                "text": str(item.text) % {"name": name},
                "errors": errors.get(item.key, []),
                "choices": [
                    {"value": v, "label": label, "checked": str(v) == posted.get(item.key)}
                    for v, label in bank.LIKERT_LABELS
                ],
            }
            for item in bank.ITEMS
        ]
        context["comments"] = [
            {"key": key, "text": str(label) % {"name": name}, "value": posted.get(key, ""), "errors": errors.get(key)}
            for key, label in bank.COMMENTS
        ]
        context["has_errors"] = bool(errors)
        return render(request, "leadership/public/answer.html", context, status=400 if errors else 200)
