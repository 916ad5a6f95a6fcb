"""Secret link tokens: a random raw token for the e-mail, and the only thing stored, its hash.

Used by member invitations, API tokens and survey links: a database dump holds no usable link.
"""

from __future__ import annotations

import hashlib
import secrets


def hash_token(raw: str) -> str:
    """Only this hash is stored: a database dump holds no usable link."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    raw = secrets.token_urlsafe(24)  # 192 bits
    return raw, hash_token(raw)
