"""Languages: which ones Peak OS ships, how a tag from a CSV or an HRIS is read, which
language a person, a user or a survey page gets, and the middleware for logged-in users.

Codes are Django's (``pt-br``: lowercase, a dash), which are valid BCP 47 tags; files and
the API show them in BCP 47's usual casing (``pt-BR``). Adding a language is three steps,
described in the README: an entry in ``settings.LANGUAGES``, a message catalogue under
``locale/``, and the question bank's wording in ``surveys/bank_translations.py``.

The language of a person is the organization's business, not the browser's: a survey
page and its e-mails use the person's language (blank: the organization's default),
never ``Accept-Language``, and a language the organization switched off falls back to
its default. The page's language switch only changes the page being looked at.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import get_language_info, pgettext

# Languages whose month and weekday names Django's catalogues capitalise although the
# language writes them in lower case mid-sentence ("aperto fino a lunedì 3 marzo").
LOWERCASE_DATE_NAMES = frozenset({"it", "pt-br"})


def shipped_languages() -> list[str]:
    """The codes of every language Peak OS has catalogues for, in settings order."""
    return [code for code, _ in settings.LANGUAGES]


def bcp47(code: str) -> str:
    """Django's ``pt-br`` in BCP 47's usual casing, ``pt-BR`` (files, the API)."""
    if not code:
        return ""
    head, _, region = code.partition("-")
    return f"{head}-{region.upper()}" if region and len(region) == 2 else code


def normalize_language(tag: str, *, among: Iterable[str] | None = None) -> str | None:
    """The shipped (or ``among``) code that a BCP 47 tag or a locale name means, else None.

    Case and ``_`` do not matter (``pt_BR``, ``PT-br``); a region or script Peak OS does
    not ship falls back to the language (``de-AT`` → ``de``, ``en-GB`` → ``en``), and a
    bare language to its only shipped variant (``pt`` → ``pt-br``).
    """
    codes = list(among if among is not None else shipped_languages())
    tag = (tag or "").strip().replace("_", "-").lower()
    if not tag:
        return None
    if tag in codes:
        return tag
    primary = tag.split("-", 1)[0]
    if primary in codes:
        return primary
    variants = [c for c in codes if c.split("-", 1)[0] == primary]
    return variants[0] if len(variants) == 1 else None


def language_name(code: str) -> str:
    """A language's name in that language ("Deutsch", "日本語"): how people find their own."""
    if code == "pt-br":
        return "Português (Brasil)"
    name = get_language_info(code)["name_local"]
    return name[:1].upper() + name[1:]  # a label in a list: "Français", "Español", "Italiano"


def language_choices(codes: Iterable[str]) -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in codes]


def organization_languages(organization) -> list[str]:
    """The organization's enabled languages, default first, in settings order (never empty)."""
    shipped = shipped_languages()
    enabled = [c for c in shipped if c in (organization.languages or [])]
    default = organization.default_language if organization.default_language in shipped else settings.LANGUAGE_CODE
    return [default, *[c for c in enabled if c != default]]


def language_for(organization, wanted: str | None) -> str:
    """The language to use for someone of ``organization`` who wants ``wanted`` (a person's
    stored language, a page's ``?lang=``): it if the organization offers it, else the default."""
    offered = organization_languages(organization)
    return wanted if wanted in offered else offered[0]


def format_datetime(value: datetime, *, with_time: bool = True) -> str:
    """A date (and time) for employees, in the active language: "Monday 3 March, 14:00",
    "Montag, 3. März, 14:00", "3月3日(月) 14:00". The format is part of each catalogue."""
    if with_time:
        fmt = pgettext("date format: weekday, day, month and time; see Django's date filter", "l j F, H:i")
    else:
        fmt = pgettext("date format: weekday, day and month; see Django's date filter", "l j F")
    text = date_format(value, fmt)
    if translation.get_language() in LOWERCASE_DATE_NAMES:
        text = text.lower()
    return text


class UserLanguageMiddleware:
    """A logged-in user's chosen language (``User.language``) wins over the browser's.

    Runs after ``LocaleMiddleware`` (which reads the cookie and ``Accept-Language``) and
    after authentication. Survey pages set their own language in the view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        wanted = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if wanted and wanted in shipped_languages():
            translation.activate(wanted)
            request.LANGUAGE_CODE = wanted
        return self.get_response(request)
