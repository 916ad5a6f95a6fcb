"""The message catalogues, read for tests: which entries belong to the employee surfaces,
and what a rendered translation may look like (to tell a deliberate "same as English",
French "8 questions", from an untranslated leftover)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(settings.BASE_DIR)
LOCALE = ROOT / "locale"

# What employees read: the survey page and its sibling pages, the e-mails, survey.js, the
# page chrome (base.html, the language chooser), the answer sheet's labels and messages,
# the date formats. Every entry referenced from one of these must be translated in every
# shipped language. (The leader/admin UI has its own, later rule: en and de at least.)
EMPLOYEE_SOURCES = (
    "templates/surveys/public/",
    "templates/surveys/email/",
    "templates/base.html",
    "templates/peakos/_language_chooser.html",
    "static/js/survey.js",
    "surveys/sheet.py",
    "surveys/services/mail.py",
    "peakos/i18n.py",
)


def translated_languages() -> list[str]:
    """Every shipped language but English, the source language of every msgid."""
    return [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def po_path(language: str, domain: str) -> Path:
    return LOCALE / to_locale(language) / "LC_MESSAGES" / f"{domain}.po"


@cache
def catalogue(language: str, domain: str = "django") -> polib.POFile:
    return polib.pofile(str(po_path(language, domain)))


def is_employee_entry(entry: polib.POEntry) -> bool:
    return any(path.startswith(EMPLOYEE_SOURCES) for path, _line in entry.occurrences)


def translations_of(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


PLACEHOLDER = re.compile(r"%\(\w+\)s")
TAG = re.compile(r"<[^>]+>")


@cache
def rendered_patterns(language: str) -> list[re.Pattern]:
    """Each translated sentence (cut at HTML tags like the rendered text) as a regex with its
    placeholders open: a rendered piece that fully matches one was written by a translator."""
    from tests.i18n.pages import pieces

    patterns = []
    for domain in ("django", "djangojs"):
        for entry in catalogue(language, domain):
            for text in translations_of(entry):
                for piece in (p for chunk in TAG.split(text) for p in pieces(chunk)):
                    parts = PLACEHOLDER.split(piece)
                    if len(re.findall(r"[^\W\d_]", "".join(parts))) >= 2:  # not a bare placeholder
                        patterns.append(re.compile(".+?".join(re.escape(p) for p in parts)))
    return patterns
