"""Characters no text field can store: NUL and lone surrogates.

PostgreSQL refuses a NUL (U+0000) in any text value, and a lone surrogate (U+D800–U+DFFF
outside a pair) cannot be encoded as UTF-8 at all, so either one turns a save into a
database or encoding error (a 500) instead of a message. Django's form fields already
refuse NUL; text that does not pass through a form field — JSON bodies, CSV cells, the
survey sheet — is checked here, at validation, before anything is written.
"""

from __future__ import annotations

import re

BAD_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def bad_character(value: str) -> str | None:
    """What is wrong with ``value`` for a person to read, or None when it can be stored."""
    found = BAD_CHARACTERS.search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "contains a NUL character (U+0000), which cannot be stored; remove it"
    return f"contains a lone surrogate (U+{ord(char):04X}), which is not valid Unicode text; send it as UTF-8 text"


def strip_bad_characters(value: str) -> str:
    return BAD_CHARACTERS.sub("", value)
