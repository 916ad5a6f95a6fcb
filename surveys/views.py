"""Views of the surveys app.

* ``answer``: the public answering page at ``/s/<token>/`` (no login). It resolves the
  invitation by the token's hash, unscoped (the token names the organization), then
  works inside that organization's scope, in the person's language (``?lang=`` switches
  to another language the organization offers; the form carries it on).
* Everything else lives under ``/o/<org_slug>/surveys/`` for those who manage the
  organization (``permissions.can_manage``).
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from insights import selectors as insights_selectors
from peakos import i18n, permissions
from peakos.models import Organization
from peakos.permissions import require
from peakos.tenancy import org_scope
from peakos.textcheck import BAD_CHARACTERS, strip_bad_characters
from peakos.views import add_errors
from surveys import selectors, sheet, throttle
from surveys.bank import TEMPLATES
from surveys.forms import QuestionEditForm, QuestionForm, QuestionTranslationsForm, SurveyForm
from surveys.models import Audience, Question, QuestionKind, Round, RoundStatus, Survey, SurveyTeam
from surveys.services import questions as question_services
from surveys.services import schedule, setup, submit
from surveys.services.setup import org_today

# --------------------------------------------------------------------------- public


def _private(view):
    """Survey pages leak nothing: no Referer to other sites (the URL holds the token),
    no caching, no indexing."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapper


def _page(request, template: str, context: dict, status: int = 200, content_type: str | None = None) -> HttpResponse:
    """Render an employee page in ``context["language"]`` (the page's, not the browser's)."""
    language = context.get("language") or translation.get_language()
    with translation.override(language):
        response = render(request, f"surveys/public/{template}", context, status=status, content_type=content_type)
    response["Content-Language"] = language
    return response


def _language_context(request, organization, wanted: str | None) -> dict:
    """The page's language and the switch to the organization's other languages.

    ``?lang=`` (the switch's links, carried on by the form as ``lang``) wins over
    ``wanted`` (the person's own language); anything the organization does not offer
    falls back to its default. The chosen language is never stored: it says nothing
    about an answer, and the draft in the browser does not depend on it.
    """
    asked = request.GET.get("lang") or request.POST.get("lang")
    offered = i18n.organization_languages(organization)
    language = asked if asked in offered else i18n.language_for(organization, wanted)
    return {
        "language": language,
        "language_name": i18n.language_name(language),
        "other_languages": [(code, i18n.language_name(code)) for code in offered if code != language],
        "fallback_language": offered[0],
    }


# No CSRF check, on purpose: the unguessable token in the URL is the only credential (no
# session, no cookie), so a forged cross-site POST would need the token anyway. And with
# ``Referrer-Policy: no-referrer`` browsers send ``Origin: null`` on the form's POST,
# which Django's origin check would reject.
@csrf_exempt
@_private
def answer(request, token: str):
    """Show the survey (GET/HEAD never use the link up) and take the one submission (POST)."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    invitation = submit.find_invitation(token)
    if invitation is None:
        # No invitation, so no person: these two answer in the browser's language. Only
        # unknown tokens are limited (and counted): a link that names an invitation is
        # never blocked, whatever this address did before (surveys/throttle.py).
        if throttle.is_throttled(request):
            return _page(request, "too_many.txt", {}, status=429, content_type="text/plain; charset=utf-8")
        throttle.record_bad_link(request)
        return _page(request, "not_found.txt", {}, status=404, content_type="text/plain; charset=utf-8")
    org = invitation.organization
    round = invitation.round
    base = {
        "organization": org,
        "round": round,
        "survey": round.survey,
        **_language_context(request, org, invitation.person_language),
    }
    # Validation messages of a submit are written in the page's language.
    with org_scope(org), translation.override(base["language"]):
        # A POST needs no look-up first: its claim of the guard row says whether the link
        # was used (one statement with the writes); a page view asks the guard.
        posting = request.method == "POST"
        if not posting and submit.has_answered(invitation):
            return _page(request, "already_answered.html", base)
        if not round.is_accepting:
            return _page(request, "closed.html", base, status=410)
        answer_sheet = selectors.answer_sheet(round, team_id=invitation.team_id, organization=org)
        errors: dict = {}
        if posting:
            try:
                try:
                    submit.submit_response(invitation=invitation, sheet=answer_sheet, data=request.POST)
                except submit.StaleSheetError:
                    # The cached sheet offered a priority or team deleted since: nothing was
                    # stored; compile the sheet afresh and try once more.
                    selectors.forget_sheet(round)
                    answer_sheet = selectors.answer_sheet(round, team_id=invitation.team_id, organization=org)
                    submit.submit_response(invitation=invitation, sheet=answer_sheet, data=request.POST)
            except submit.StaleSheetError:
                errors = {
                    "__all__": [
                        gettext("The form had answers to questions that are not in this survey. Please try again.")
                    ]
                }
            except submit.AlreadyAnsweredError:
                return _page(request, "already_answered.html", base)
            except submit.RoundClosedError:
                return _page(request, "closed.html", base, status=410)
            except ValidationError as exc:
                if submit.has_answered(invitation):  # a used link says so rather than list errors
                    return _page(request, "already_answered.html", base)
                errors = exc.message_dict
            else:
                return _page(request, "thanks.html", {**base, "draft_key": _draft_key(round)})
        context = {
            **base,
            **_sheet_context(answer_sheet, request.POST if errors else None, errors, base),
            "draft_key": _draft_key(round),
            "closes_at": round.closes_at,
            "anonymity_threshold": round.effective_anonymity_threshold,
            "comment_threshold": round.effective_comment_threshold,
            "preview": False,
            "privacy_url": reverse("survey_privacy", args=[token]),
        }
        return _page(request, "answer.html", context, status=200)


@_private
def privacy(request, token: str | None = None):
    """The employee privacy page (public, no login): what is protected, the one thing that
    is not, the thresholds, live releases, retention and erasure.

    ``/s/<token>/privacy/`` (linked from the survey page and the e-mails) shows the values of
    that round and organization, in the person's language; it reads the invitation only
    (never uses the link up). ``/privacy/`` and an unknown token show the defaults in the
    browser's language: the page never tells whether a link exists.
    """
    invitation = submit.find_invitation(token) if token else None
    context = {
        "anonymity_threshold": Organization._meta.get_field("anonymity_threshold").default,
        "comment_threshold": Organization._meta.get_field("comment_threshold").default,
        "release_minutes": max(1, settings.INSIGHTS_RELEASE_INTERVAL // 60),
        "retention_months": None,
        "survey_url": None,
    }
    if invitation is None:
        context["language"] = translation.get_language()
        return _page(request, "privacy.html", context)
    org, round = invitation.organization, invitation.round
    context.update(
        organization=org,
        anonymity_threshold=round.effective_anonymity_threshold,
        comment_threshold=round.effective_comment_threshold,
        retention_months=org.retention_months,
        survey_url=reverse("survey_answer", args=[token]),
        **_language_context(request, org, invitation.person_language),
    )
    return _page(request, "privacy.html", context)


def _draft_key(round: Round) -> str:
    # Not the token: the browser's draft storage names the round only.
    return f"peakos-survey-{round.organization_id}-{round.id}"


def _shown_again(data):
    """The submitted answers as the page shows them again: without characters no answer can
    hold (a NUL in a comment), so sending the page again just works."""
    if data is None or not any(BAD_CHARACTERS.search(v) for _, values in data.lists() for v in values):
        return data
    shown = data.copy()
    for key, values in shown.lists():
        shown.setlist(key, [strip_bad_characters(v) for v in values])
    return shown


def _sheet_context(answer_sheet, data, errors, languages: dict) -> dict:
    data = _shown_again(data)
    return {
        "items": sheet.bind(
            answer_sheet, data, errors, language=languages["language"], fallback=languages["fallback_language"]
        ),
        "form_errors": errors.get("__all__", []),
        "question_count": len(answer_sheet.items),
        "required_count": answer_sheet.required_count,
        "minutes": selectors.estimated_minutes([i.question for i in answer_sheet.items]),
    }


# --------------------------------------------------------------------------- admin: surveys


@require(permissions.can_manage)
def survey_list(request, org_slug):
    surveys = selectors.surveys_overview(request.organization)
    insights_selectors.with_answered(s.latest_round for s in surveys if s.latest_round)
    context = {
        "surveys": surveys,
        "templates": selectors.templates(),
    }
    return render(request, "surveys/survey_list.html", context)


def _survey_form(request, *, survey: Survey | None):
    org = request.organization
    catalog = selectors.question_catalog(org)
    initial = {"start_date": org_today(org)}
    template = request.GET.get("template")
    if survey is not None:
        initial = {
            "name": survey.name,
            "questions": [q.key for q in selectors.survey_questions(survey)],
            "audience": survey.audience,
            "audience_teams": [
                str(t) for t in SurveyTeam.objects.filter(survey=survey).values_list("team_id", flat=True)
            ],
            "cadence": survey.cadence,
            "open_days": survey.open_days,
            "reminder_days": ", ".join(str(d) for d in survey.reminder_days),
            "start_date": survey.start_date,
            "send_hour": survey.send_hour,
        }
    elif template in TEMPLATES:
        label, keys = TEMPLATES[template]
        initial.update({"name": label.split(",")[0], "questions": keys})
    return SurveyForm(request.POST or None, initial=initial, organization=org, catalog=catalog)


def _survey_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "question_keys": _ordered_keys(form, data["questions"]),
        "audience": data["audience"],
        "team_ids": data["audience_teams"] if data["audience"] == Audience.TEAMS else [],
        "cadence": data["cadence"],
        "open_days": data["open_days"],
        "reminder_days": data["reminder_days"],
        "start_date": data["start_date"],
        "send_hour": data["send_hour"],
    }


def _ordered_keys(form, picked: list[str]) -> list[str]:
    """Keep the order of a template when the picked set is exactly a template's; else the catalog order."""
    for _label, keys in TEMPLATES.values():
        if sorted(keys) == sorted(picked):
            return list(keys)
    order = [key for _group, choices in form.fields["questions"].choices for key, _ in choices]
    return sorted(picked, key=order.index)


@require(permissions.can_manage)
def survey_create(request, org_slug):
    form = _survey_form(request, survey=None)
    if request.method == "POST" and form.is_valid():
        try:
            survey = setup.create_survey(organization=request.organization, actor=request.user, **_survey_fields(form))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"“{survey.name}” is scheduled.")
            return redirect("survey_detail", org_slug=org_slug, survey_id=survey.id)
    return render(
        request,
        "surveys/survey_form.html",
        {"form": form, "survey": None, "templates": selectors.templates(), "has_rounds": False},
    )


@require(permissions.can_manage)
def survey_edit(request, org_slug, survey_id):
    survey = get_object_or_404(Survey, pk=survey_id)
    form = _survey_form(request, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            setup.update_survey(survey=survey, actor=request.user, **_survey_fields(form))
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Saved. Changes apply to rounds that open from now on.")
            return redirect("survey_detail", org_slug=org_slug, survey_id=survey.id)
    has_rounds = survey.rounds.exists()
    return render(
        request,
        "surveys/survey_form.html",
        {"form": form, "survey": survey, "templates": [], "has_rounds": has_rounds},
    )


@require(permissions.can_manage)
def survey_detail(request, org_slug, survey_id):
    survey = get_object_or_404(Survey, pk=survey_id)
    rounds = insights_selectors.with_answered(selectors.rounds_with_counts(Round.objects.filter(survey=survey)))
    questions = selectors.survey_questions(survey)
    context = {
        "survey": survey,
        "questions": questions,
        "missing_languages": selectors.missing_languages(questions, request.organization),
        "teams": list(SurveyTeam.objects.filter(survey=survey).select_related("team").order_by("team__name")),
        "rounds": rounds,
        "has_open_round": any(r.status == RoundStatus.OPEN for r in rounds),
        "audience_size": len(selectors.audience_people(survey)),
        "scheduler_running": selectors.scheduler_running(),
    }
    return render(request, "surveys/survey_detail.html", context)


@require(permissions.can_manage)
def survey_preview(request, org_slug, survey_id):
    """Exactly the employee's page (same template, same sheet), with a banner; saves nothing."""
    survey = get_object_or_404(Survey, pk=survey_id)
    team_id = selectors.preview_team_id(survey, request.membership)
    answer_sheet = selectors.survey_sheet(survey, team_id=team_id)
    org = request.organization
    languages = _language_context(request, org, None)
    errors: dict = {}
    checked = False
    if request.method == "POST":
        try:
            with translation.override(languages["language"]):
                submit.check_answers(sheet=answer_sheet, data=request.POST)
            checked = True
        except ValidationError as exc:
            errors = exc.message_dict
    context = {
        "organization": org,
        "survey": survey,
        "round": None,
        **languages,
        **_sheet_context(answer_sheet, request.POST if errors else None, errors, languages),
        "draft_key": f"peakos-survey-preview-{org.id}-{survey.id}",
        "closes_at": timezone.now() + timedelta(days=survey.open_days),
        "anonymity_threshold": org.anonymity_threshold,
        "comment_threshold": org.comment_threshold,
        "preview": True,
        "preview_checked": checked,
        "back_url": request.path.rsplit("preview/", 1)[0],
    }
    return _page(request, "answer.html", context)


@require_POST
@require(permissions.can_manage)
def survey_active(request, org_slug, survey_id):
    survey = get_object_or_404(Survey, pk=survey_id)
    active = request.POST.get("active") == "1"
    setup.set_survey_active(survey=survey, actor=request.user, active=active)
    messages.success(request, f"“{survey.name}” is {'resumed' if active else 'paused'}.")
    return redirect("survey_detail", org_slug=org_slug, survey_id=survey.id)


@require_POST
@require(permissions.can_manage)
def survey_open_now(request, org_slug, survey_id):
    survey = get_object_or_404(Survey, pk=survey_id)
    try:
        round = schedule.open_round(survey=survey, actor=request.user, force=True)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("survey_detail", org_slug=org_slug, survey_id=survey.id)
    messages.success(request, f"Round {round.number} is open: {round.invited_count} invitations are on their way.")
    return redirect("round_detail", org_slug=org_slug, round_id=round.id)


# --------------------------------------------------------------------------- admin: rounds


@require(permissions.can_manage)
def round_detail(request, org_slug, round_id):
    round = get_object_or_404(Round.objects.select_related("survey"), pk=round_id)
    context = {
        "round": round,
        "survey": round.survey,
        "participation": insights_selectors.round_participation(round),
        "questions": selectors.answer_sheet_questions(round),
    }
    return render(request, "surveys/round_detail.html", context)


@require_POST
@require(permissions.can_manage)
def round_close(request, org_slug, round_id):
    round = get_object_or_404(Round.objects.select_related("survey"), pk=round_id)
    if schedule.close_round(round=round, actor=request.user):
        messages.success(request, "The round is closed; its scores are being computed.")
    else:
        messages.error(request, "This round is not open.")
    return redirect("round_detail", org_slug=org_slug, round_id=round.id)


# --------------------------------------------------------------------------- admin: questions


@require(permissions.can_manage)
def question_list(request, org_slug):
    return render(request, "surveys/question_list.html", {"catalog": selectors.question_catalog(request.organization)})


def _both_valid(form, translations_form) -> bool:
    return all([form.is_valid(), translations_form.is_valid()])  # both run: every error shows at once


def _add_question_errors(form, translations_form, exc: ValidationError) -> None:
    """A service error on the field that caused it, in whichever of the two forms has it."""
    if not hasattr(exc, "error_dict"):
        add_errors(form, exc)
        return
    for field, errors in exc.message_dict.items():
        target = translations_form if field in translations_form.fields else form
        target.add_error(field if field in target.fields else None, errors)


@require(permissions.can_manage)
def question_create(request, org_slug):
    org = request.organization
    default = org.default_language
    form = QuestionForm(request.POST or None)
    form.fields["text"].label = f"Wording ({i18n.language_name(default)})"
    translations_form = QuestionTranslationsForm(
        request.POST or None,
        languages=[code for code in i18n.organization_languages(org) if code != default],
        with_options=True,
    )
    if request.method == "POST" and _both_valid(form, translations_form):
        try:
            question_services.create_question(
                organization=org,
                actor=request.user,
                language=default,
                translations=translations_form.translations(),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            _add_question_errors(form, translations_form, exc)
        else:
            messages.success(request, "Question added. Pick it in a survey to ask it.")
            return redirect("survey_questions", org_slug=org_slug)
    context = {"form": form, "translations_form": translations_form, "question": None}
    return render(request, "surveys/question_form.html", context)


@require(permissions.can_manage)
def question_edit(request, org_slug, question_id):
    question = get_object_or_404(Question, pk=question_id)
    form = QuestionEditForm(
        request.POST or None,
        initial={
            "text": question.text,
            "options": "\n".join(question.options or []),
            "help_text": question.help_text,
            "required": question.required,
        },
    )
    if question.kind != QuestionKind.SINGLE_CHOICE:
        del form.fields["options"]
    form.fields["text"].label = f"Wording ({i18n.language_name(question.language)})"
    translations_form = QuestionTranslationsForm(
        request.POST or None,
        languages=[c for c in i18n.organization_languages(request.organization) if c != question.language],
        with_options=question.kind == QuestionKind.SINGLE_CHOICE,
        translations=question.translations,
    )
    if request.method == "POST" and _both_valid(form, translations_form):
        try:
            new = question_services.edit_question(
                question=question,
                actor=request.user,
                text=form.cleaned_data["text"],
                required=form.cleaned_data["required"],
                help_text=form.cleaned_data["help_text"],
                options=form.cleaned_data.get("options"),
                # Languages the organization turned off are not in the form: keep their wording.
                translations={**(question.translations or {}), **translations_form.translations()},
            )
        except ValidationError as exc:
            _add_question_errors(form, translations_form, exc)
        else:
            if new.pk != question.pk:
                messages.success(
                    request, f"Saved as version {new.version}: earlier answers keep the wording they answered."
                )
            else:
                messages.success(request, "Question saved.")
            return redirect("survey_questions", org_slug=org_slug)
    context = {
        "form": form,
        "translations_form": translations_form,
        "question": question,
        "versions": selectors.question_versions(question),
    }
    return render(request, "surveys/question_form.html", context)


@require(permissions.can_manage)
def question_from_bank(request, org_slug):
    """Edit a bank question's wording for this organization: copy it first (POST key)."""
    if request.method != "POST":
        return redirect("survey_questions", org_slug=org_slug)
    try:
        (question,) = question_services.ensure_questions(
            organization=request.organization, keys=[request.POST.get("key", "")]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("survey_questions", org_slug=org_slug)
    return redirect("survey_question_edit", org_slug=org_slug, question_id=question.id)
