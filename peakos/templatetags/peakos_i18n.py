"""Template filters for pages in several languages: dates as employees read them.

``{{ value|long_datetime:organization.timezone }}`` → "Monday 3 March, 14:00" in English,
"Montag, 3. März, 14:00" in German, "3月3日(月) 14:00" in Japanese (the format is part of
each message catalogue; see ``peakos.i18n.format_datetime``).
"""

from __future__ import annotations

import zoneinfo

from django import template

from peakos import i18n
from peakos.i18n import format_datetime

register = template.Library()


def _local(value, tz: str):
    return value.astimezone(zoneinfo.ZoneInfo(tz)) if tz else value


@register.filter
def long_datetime(value, tz: str = ""):
    if not value:
        return ""
    return format_datetime(_local(value, tz))


@register.filter
def long_date(value, tz: str = ""):
    if not value:
        return ""
    return format_datetime(_local(value, tz), with_time=False)


@register.filter
def language_name(code: str) -> str:
    """ "de" → "Deutsch": a language by the name its readers know."""
    return i18n.language_name(code) if code in i18n.shipped_languages() else code


@register.filter
def language_names(codes) -> str:
    """["ja", "nl"] → "日本語, Nederlands"."""
    return ", ".join(language_name(code) for code in codes or [])


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
