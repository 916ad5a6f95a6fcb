"""The nasty inputs every input path is fuzzed with, and the check that nothing changed.

Each test file in this folder sends these to one way text comes in (the CSV command, the
CSV upload, the API bulk upsert, the survey page, the main forms) and asserts a clear
message — its status and its specific text — and an unchanged database: the row count of
every model.
"""

from __future__ import annotations

import codecs

import pytest
from django.apps import apps

from peakos.tenancy import scopes_disabled
from tests.api.conftest import api, make_token, token_client  # noqa: F401 - fixtures for the API files
from tests.surveys.conftest import _fresh_rate_limit, invitation, link, open_round, priorities, survey  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".example"  # 255+ characters, syntactically valid
OVER_CSV_FIELD_LIMIT = "x" * 131_073  # Python's default csv.field_size_limit is 131,072
DEEP_JSON = "[" * 100_000 + "]" * 100_000
FIFTY_MB = 50 * 1024 * 1024
LONE_SURROGATE = "\ud800"


def utf16(text: str) -> bytes:
    """What Excel's "Unicode Text" and some HRIS exports write: UTF-16 with a byte-order mark."""
    return codecs.BOM_UTF16_LE + text.encode("utf-16-le")


def row_counts() -> dict[str, int]:
    """How many rows every model has: the "database unchanged" check of these tests."""
    with scopes_disabled():
        return {
            model._meta.label: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.managed and not model._meta.proxy
        }


@pytest.fixture
def unchanged(db):
    """``with unchanged():`` asserts that no model gained or lost a row inside the block."""
    from contextlib import contextmanager

    @contextmanager
    def _check():
        before = row_counts()
        yield
        after = row_counts()
        changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
        assert not changed, f"the database changed: {changed}"

    return _check
