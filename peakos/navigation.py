"""The organization navigation bar, filled by each app in its AppConfig.ready().

Apps register entries instead of editing a shared template, so the nav grows
with the apps and each entry carries the permission check that shows it.
Entries with ``order`` below ``ADMIN_ORDER`` are the everyday pages in the bar;
configuration pages (``order >= ADMIN_ORDER``) go into the "Admin" menu so the
bar stays on one line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise  # a lazy translation: rendered in the request's language
    url_name: str
    order: int
    visible: Callable  # (membership) -> bool


ADMIN_ORDER = 60

_entries: dict[str, NavEntry] = {}


def register(label: str | Promise, url_name: str, *, order: int = 50, visible: Callable = lambda m: True) -> None:
    _entries[url_name] = NavEntry(label, url_name, order, visible)


def items_for(request) -> list[dict]:
    org, membership = getattr(request, "organization", None), getattr(request, "membership", None)
    if org is None or membership is None:
        return []
    out = []
    for entry in sorted(_entries.values(), key=lambda e: (e.order, str(e.label))):
        if not entry.visible(membership):
            continue
        url = reverse(entry.url_name, kwargs={"org_slug": org.slug})
        out.append(
            {
                "label": entry.label,
                "url": url,
                "active": request.path.startswith(url),
                "admin": entry.order >= ADMIN_ORDER,
            }
        )
    return out
