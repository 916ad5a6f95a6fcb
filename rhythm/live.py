"""The live meeting page's version: an ETag over everything its live part is rendered from.

Every attendee's page asks for the live part every two seconds. The fingerprint is taken over the
template context (the meeting, agenda, scorecard, to-dos, issues, decisions, attendees and ratings,
the viewer's own rights and rating, the forms' choices), not over the HTML: the HTML carries a
freshly masked CSRF token each time, so it is never the same twice. When the fingerprint matches
the page's ``If-None-Match`` the view answers 304 without rendering; any change by anyone, through
any path (the meeting, the team page, /admin/), changes a value in the context and so the ETag.

Relative times ("raised 3 days ago") are not in it: they refresh with the next change.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator, Mapping

from django import forms
from django.db import models

# Context keys that change on every request without changing what the page shows.
UNVERSIONED = frozenset({"server_now"})


def fingerprint(context: Mapping, *, viewer: tuple = ()) -> str:
    """A weak ETag (``W/"…"``) for a live part rendered from ``context`` for ``viewer``."""
    digest = hashlib.blake2b(digest_size=16)
    for token in _tokens({k: v for k, v in context.items() if k not in UNVERSIONED}):
        digest.update(token.encode())
        digest.update(b"\x1f")
    for token in _tokens(viewer):
        digest.update(token.encode())
    return f'W/"{digest.hexdigest()}"'


def _tokens(value, depth: int = 0) -> Iterator[str]:  # noqa: C901 (one branch per value type of the ETag's token stream)
    """The value as a flat stream of strings, the same for equal data (dicts in key order)."""
    if depth > 8:  # related objects of related objects: far past anything the page shows
        yield "…"
        return
    if isinstance(value, models.Model):
        yield f"<{value._meta.label}:{value.pk}"
        for f in value._meta.concrete_fields:
            yield repr(getattr(value, f.attname))
        for name, extra in sorted(vars(value).items()):
            # Annotations and attributes set by the selectors (e.g. a meeting's rating_mean).
            if not name.startswith("_") and name not in _field_names(value):
                yield name
                yield from _tokens(extra, depth + 1)
        for name, related in sorted(value._state.fields_cache.items()):  # select_related rows
            yield name
            yield from _tokens(related, depth + 1)
        yield ">"
    elif isinstance(value, forms.BaseForm):
        yield f"<form:{type(value).__name__}:{value.is_bound}"
        for name, field in value.fields.items():
            yield name
            yield from _tokens(list(getattr(field, "choices", ())), depth + 1)
        if value.is_bound:
            yield from _tokens(dict(value.data.lists()) if hasattr(value.data, "lists") else value.data, depth + 1)
            yield from _tokens(value.errors.get_json_data(), depth + 1)
        yield ">"
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield f"<{type(value).__name__}"
        for f in dataclasses.fields(value):
            yield f.name
            yield from _tokens(getattr(value, f.name), depth + 1)
        yield ">"
    elif isinstance(value, Mapping):
        yield "{"
        for key in sorted(value, key=str):
            yield str(key)
            yield from _tokens(value[key], depth + 1)
        yield "}"
    elif isinstance(value, list | tuple | set | frozenset | range):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        yield "["
        for item in items:
            yield from _tokens(item, depth + 1)
        yield "]"
    else:
        yield repr(value)


def _field_names(obj: models.Model) -> set[str]:
    return {f.attname for f in obj._meta.concrete_fields}
