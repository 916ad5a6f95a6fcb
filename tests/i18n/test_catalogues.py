"""The message catalogues: every shipped language is complete for the employee surfaces,
nothing is fuzzy, everything compiles, and the compiled files are the sources'."""

import gettext
import re
import shutil
import subprocess

import pytest
from django.conf import settings

from surveys.bank import BANK_KEYS
from surveys.bank_translations import BANK_V1_TRANSLATIONS
from tests.i18n.catalogues import (
    LOCALE,
    ROOT,
    catalogue,
    is_employee_entry,
    po_path,
    translated_languages,
    translations_of,
)

LANGUAGES = translated_languages()
DOMAINS = ("django", "djangojs")


def test_eight_languages_ship_and_each_has_both_catalogues():
    assert [code for code, _ in settings.LANGUAGES] == ["en", "de", "fr", "es", "pt-br", "nl", "it", "ja"]
    for language in LANGUAGES:
        for domain in DOMAINS:
            assert po_path(language, domain).exists(), f"{language}: no {domain}.po"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_employee_message_is_translated_and_none_is_fuzzy(language):
    untranslated, fuzzy, employee = [], [], 0
    for domain in DOMAINS:
        for entry in catalogue(language, domain):
            if entry.obsolete:
                continue
            if entry.fuzzy:
                fuzzy.append(entry.msgid)
            if is_employee_entry(entry):
                employee += 1
                if not all(t.strip() for t in translations_of(entry)):
                    untranslated.append(entry.msgid)
    assert employee > 100  # the survey page, its e-mails and survey.js, not an empty file
    assert not untranslated, f"{language}: untranslated employee messages: {untranslated}"
    assert not fuzzy, f"{language}: fuzzy entries: {fuzzy}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalogue_has_the_plural_forms_of_its_language(language):
    for domain in DOMAINS:
        po = catalogue(language, domain)
        nplurals = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
        for entry in po:
            if entry.msgid_plural:
                assert len(entry.msgstr_plural) == nplurals, f"{language}: {entry.msgid}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    for domain in DOMAINS:
        for entry in catalogue(language, domain):
            wanted = sorted(re.findall(r"%\(\w+\)s", entry.msgid))
            for text in filter(None, translations_of(entry)):  # untranslated: English is shown
                assert sorted(re.findall(r"%\(\w+\)s", text)) == wanted, f"{language}: {entry.msgid} → {text}"


def test_german_is_complete_for_the_leader_and_admin_screens_too():
    """German covers everything (README: the leader UI is in en and de); the other languages
    fall back to English outside the employee surfaces."""
    for domain in DOMAINS:
        untranslated = [e.msgid for e in catalogue("de", domain) if not e.obsolete and not e.translated()]
        assert not untranslated, f"de: untranslated {domain} messages: {untranslated}"


def test_every_catalogue_compiles_without_errors(tmp_path):
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt (Debian package gettext) is needed to compile the catalogues"
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/*.po")):
        result = subprocess.run(
            [msgfmt, "--check", "--statistics", "-o", str(tmp_path / "out.mo"), str(po)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, f"{po}: {result.stderr}"
        assert "fuzzy" not in result.stderr, f"{po}: {result.stderr}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogues_are_the_sources(language):
    """What Django loads (.mo, built by `make messages`) says what the .po says."""
    for domain in DOMAINS:
        mo = po_path(language, domain).with_suffix(".mo")
        with mo.open("rb") as fh:
            compiled = gettext.GNUTranslations(fh)
        for entry in catalogue(language, domain):
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
            if not entry.translated():
                assert key not in compiled._catalog  # msgfmt leaves it out: English shows
                continue
            if entry.msgid_plural:
                for n, text in entry.msgstr_plural.items():
                    assert compiled._catalog[(key, int(n))] == text, f"{mo} is stale: run make messages"
            else:
                assert compiled._catalog[key] == entry.msgstr, f"{mo} is stale: run make messages"


def test_the_catalogues_know_every_message_of_survey_js():
    """survey.js's gettext/ngettext calls are all in the djangojs catalogue (else run `make messages-extract`)."""
    source = (ROOT / "static/js/survey.js").read_text()
    called = set(re.findall(r"\b(?:gettext|ngettext)\(\s*\"([^\"]+)\"", source))
    assert len(called) >= 6
    for language in LANGUAGES:
        known = {e.msgid for e in catalogue(language, "djangojs")}
        assert called <= known, f"{language}: {sorted(called - known)} missing"


def test_every_bank_question_ships_in_every_language():
    for key in BANK_KEYS:
        texts = BANK_V1_TRANSLATIONS[key]
        assert sorted(texts) == sorted(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key
