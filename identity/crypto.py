"""Encryption of the identity provider's client secret at rest (Fernet, from ``cryptography``).

The key never lives in the database: a dump without ``IDENTITY_SECRET_KEY`` (or, when it is
empty, ``SECRET_KEY``, from which a key is derived) cannot use the secret. Several keys,
comma-separated, rotate: the first encrypts, every one decrypts.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet_key(material: str) -> bytes:
    """A Fernet key as given, or one derived from any other string (SHA-256 of it, labelled)."""
    raw = material.strip().encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(b"peakos.identity.secret:" + raw).digest())


def _cipher() -> MultiFernet:
    keys = [k for k in settings.IDENTITY_SECRET_KEY.split(",") if k.strip()] or [settings.SECRET_KEY]
    return MultiFernet([Fernet(_fernet_key(k)) for k in keys])


def encrypt(value: str) -> str:
    return _cipher().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    """The clear text, or "" when ``token`` is empty or no configured key opens it (a lost key)."""
    if not token:
        return ""
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
