"""Questions: the built-in bank copied into an organization, custom questions, versions,
and their wording in other languages.

A question is one row whatever the language it is read in: ``text`` (with ``help_text``
and ``options``) in ``language``, the other languages in ``translations`` (see
``surveys.models.Translatable``). Answers point at the row, so results never depend on
the language. Versioning treats every language alike: if an answered question's wording
changes in any language it already had (or a translation is removed), the old version is
retired and a new one asked from then on. Adding a language the question did not have
is saved in place: nobody answered that wording yet (they read the fallback).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from peakos.audit import record_audit
from peakos.i18n import shipped_languages
from peakos.models import Organization
from surveys.bank import BANK, BANK_KEYS
from surveys.bank_translations import bank_translations
from surveys.models import (
    Answer,
    BankQuestion,
    Dimension,
    Question,
    QuestionKind,
    Round,
    SurveyQuestion,
    new_sheet_version,
)

# Dimensions with a fixed kind; the other (likert) dimensions accept likert5 or single_choice.
FIXED_KIND = {
    Dimension.ENPS: QuestionKind.SCALE10,
    Dimension.PRIORITY_PICK: QuestionKind.PRIORITY_PICK,
    Dimension.RATE_TEAM: QuestionKind.RATE_TEAM,
    Dimension.COMMENT: QuestionKind.TEXT,
}
MAX_OPTIONS = 20


def ensure_bank() -> None:
    """Migration 0002 loads the bank; this puts back rows that a ``flush`` (or a
    transactional test) removed. Idempotent."""
    have = set(BankQuestion.objects.values_list("key", flat=True))
    BankQuestion.objects.bulk_create(
        [
            BankQuestion(
                key=key,
                dimension=dim,
                kind=kind,
                text=text,
                required=required,
                position=i,
                language="en",
                translations=bank_translations(key),
            )
            for i, (key, dim, kind, text, required) in enumerate(BANK)
            if key not in have
        ],
        ignore_conflicts=True,
    )


def ensure_questions(*, organization: Organization, keys: list[str]) -> list[Question]:
    """The organization's active questions for ``keys``, in that order.

    A bank key the organization has not used yet is copied from the bank (version 1).
    Unknown keys raise ``ValidationError``.
    """
    keys = list(dict.fromkeys(keys))
    existing = {q.key: q for q in Question.objects.filter(organization=organization, key__in=keys, active=True)}
    missing = [k for k in keys if k not in existing]
    if missing:
        bank = {b.key: b for b in BankQuestion.objects.filter(key__in=missing)}
        if any(k not in bank and k in BANK_KEYS for k in missing):
            ensure_bank()
            bank = {b.key: b for b in BankQuestion.objects.filter(key__in=missing)}
        unknown = [k for k in missing if k not in bank]
        if unknown:
            raise ValidationError({"questions": f"Unknown question(s): {', '.join(unknown)}."})
        # A superseded (inactive) copy may exist: continue its numbering.
        latest = {}
        for key, version in Question.objects.filter(organization=organization, key__in=missing).values_list(
            "key", "version"
        ):
            latest[key] = max(latest.get(key, 0), version)
        for key in missing:
            b = bank[key]
            existing[key] = Question.objects.create(
                organization=organization,
                key=key,
                version=latest.get(key, 0) + 1,
                dimension=b.dimension,
                kind=b.kind,
                text=b.text,
                required=b.required,
                options=b.options,
                from_bank=True,
                language=b.language,
                translations=b.translations,
            )
    return [existing[k] for k in keys]


def clean_translations(
    translations: dict | None, *, language: str, kind: str, options: list[str]
) -> tuple[dict[str, dict], dict[str, str]]:
    """Translations as stored (trimmed; languages without a wording left out) and the
    errors found, keyed ``text_<code>`` / ``options_<code>`` like the question form's fields."""
    shipped = shipped_languages()
    cleaned: dict[str, dict] = {}
    errors: dict[str, str] = {}
    for code, entry in (translations or {}).items():
        if code == language:
            continue  # the question's own language is its text
        if code not in shipped:
            errors[f"text_{code}"] = f"Unknown language: {code}."
            continue
        text = (entry.get("text") or "").strip()
        help_text = (entry.get("help_text") or "").strip()
        opts = [o.strip() for o in entry.get("options") or [] if o and o.strip()]
        if not text:
            if opts or help_text:
                errors[f"text_{code}"] = "Write the question in this language too, or leave its hint and options empty."
            continue
        if len(text) > 500:
            errors[f"text_{code}"] = "Keep the question under 500 characters."
        if len(help_text) > 300:
            errors[f"help_text_{code}"] = "Keep the hint under 300 characters."
        item: dict = {"text": text}
        if help_text:
            item["help_text"] = help_text
        if kind == QuestionKind.SINGLE_CHOICE:
            if len(opts) != len(options):
                errors[f"options_{code}"] = (
                    f"Give the same {len(options)} options as the original, in the same order, one a line."
                )
            item["options"] = opts
        cleaned[code] = item
    return cleaned, errors


def _validate_question(
    *, dimension: str, kind: str, text: str, options: list[str], translation_errors: dict | None = None
) -> None:
    errors = dict(translation_errors or {})
    if dimension not in Dimension.values:
        errors["dimension"] = "Choose a dimension."
    if kind not in QuestionKind.values:
        errors["kind"] = "Choose a kind of question."
    if not errors:
        fixed = FIXED_KIND.get(dimension)
        if fixed and kind != fixed:
            errors["kind"] = f"A {Dimension(dimension).label} question is of kind “{QuestionKind(fixed).label}”."
        elif not fixed and kind not in (QuestionKind.LIKERT5, QuestionKind.SINGLE_CHOICE, QuestionKind.TEXT):
            errors["kind"] = f"A {Dimension(dimension).label} question is agree/disagree, single choice or text."
    if not (text or "").strip():
        errors["text"] = "Write the question."
    elif len(text) > 500:
        errors["text"] = "Keep the question under 500 characters."
    if kind == QuestionKind.SINGLE_CHOICE and not 2 <= len(options) <= MAX_OPTIONS:
        errors["options"] = f"A single-choice question needs 2 to {MAX_OPTIONS} options, one a line."
    if errors:
        raise ValidationError(errors)


def _unique_key(organization: Organization, text: str) -> str:
    base = slugify(text)[:48].strip("-") or "question"
    base = f"org-{base}"
    taken = set(Question.objects.filter(organization=organization, key__startswith=base).values_list("key", flat=True))
    if base not in taken and not BankQuestion.objects.filter(key=base).exists():
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


@transaction.atomic
def create_question(
    *,
    organization: Organization,
    actor,
    dimension: str,
    kind: str,
    text: str,
    required: bool = True,
    help_text: str = "",
    options: list[str] | None = None,
    language: str | None = None,
    translations: dict | None = None,
) -> Question:
    """An organization's own question (its key starts with ``org-``), written in ``language``
    (default: the organization's default language), with optional ``translations``."""
    options = [o.strip() for o in (options or []) if o.strip()]
    text = (text or "").strip()
    language = language or organization.default_language
    if language not in shipped_languages():
        raise ValidationError({"text": f"Unknown language: {language}."})
    if kind != QuestionKind.SINGLE_CHOICE:
        options = []
    translations, translation_errors = clean_translations(translations, language=language, kind=kind, options=options)
    _validate_question(
        dimension=dimension, kind=kind, text=text, options=options, translation_errors=translation_errors
    )
    question = Question.objects.create(
        organization=organization,
        key=_unique_key(organization, text),
        version=1,
        dimension=dimension,
        kind=kind,
        text=text,
        help_text=help_text.strip(),
        required=required,
        options=options,
        language=language,
        translations=translations,
    )
    record_audit(organization=organization, actor=actor, action="question.create", obj=question, summary=text)
    return question


def _rewords_answered_wording(question: Question, *, text: str, options: list[str], translations: dict) -> bool:
    """Would earlier answers' wording change? The original text or options, or any language
    the question already had (changed or removed); a language added is not a rewording."""
    if text != question.text or options != list(question.options or []):
        return True
    for code, before in (question.translations or {}).items():
        after = translations.get(code)
        if after is None or after.get("text") != before.get("text"):
            return True
        if list(after.get("options") or []) != list(before.get("options") or []):
            return True
    return False


@transaction.atomic
def edit_question(
    *,
    question: Question,
    actor,
    text: str,
    required: bool,
    help_text: str = "",
    options: list[str] | None = None,
    translations: dict | None = None,
) -> Question:
    """Change a question. If it already has answers and its wording (or options) changes,
    in its own language or in a translation it had, the old version is retired and a new
    version with the same key replaces it in every survey, so earlier rounds keep the exact
    wording their answers refer to. ``translations=None`` leaves them as they are.
    """
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not question.active:
        raise ValidationError("This is an old version of the question; edit the current one.")
    options = [o.strip() for o in (options or []) if o.strip()]
    if question.kind != QuestionKind.SINGLE_CHOICE:
        options = []
    text = (text or "").strip()
    if translations is None:
        translations = question.translations or {}
    translations, translation_errors = clean_translations(
        translations, language=question.language, kind=question.kind, options=options
    )
    _validate_question(
        dimension=question.dimension,
        kind=question.kind,
        text=text,
        options=options,
        translation_errors=translation_errors,
    )
    wording_changed = _rewords_answered_wording(question, text=text, options=options, translations=translations)
    # Web processes cache each round's sheet under its version: the next page view or submit
    # of any round asking this question reads it afresh.
    Round.objects.filter(round_questions__question=question).update(sheet_version=new_sheet_version())
    if wording_changed and Answer.objects.filter(question=question).exists():
        question.active = False
        question.save(update_fields=["active"])
        new = Question.objects.create(
            organization=question.organization,
            key=question.key,
            version=question.version + 1,
            dimension=question.dimension,
            kind=question.kind,
            text=text,
            help_text=help_text.strip(),
            required=required,
            options=options,
            from_bank=question.from_bank,
            language=question.language,
            translations=translations,
        )
        # Future rounds ask the new wording; rounds already opened keep theirs (RoundQuestion).
        SurveyQuestion.objects.filter(question=question).update(question=new)
        record_audit(
            organization=question.organization,
            actor=actor,
            action="question.new_version",
            obj=new,
            summary=f"{question.key} v{question.version} → v{new.version}: {text}",
            data={"before": question.text, "after": text},
        )
        return new
    before = {"text": question.text, "required": question.required, "languages": sorted(question.languages_written())}
    question.text, question.required, question.help_text, question.options = text, required, help_text.strip(), options
    question.translations = translations
    question.save(update_fields=["text", "required", "help_text", "options", "translations"])
    record_audit(
        organization=question.organization,
        actor=actor,
        action="question.edit",
        obj=question,
        summary=f"{question.key}: {text}",
        data={
            "before": before,
            "after": {"text": text, "required": required, "languages": sorted(question.languages_written())},
        },
    )
    return question
