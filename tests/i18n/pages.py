"""What a person reads on a rendered page, and the English left on a translated one."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.i18n.catalogues import rendered_patterns

READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
SEPARATORS = re.compile(r"\s+[·|]\s+")
# Sentence by sentence, so one English sentence left in a translated paragraph shows.
SENTENCES = re.compile(r"(?<=[.!?;:])\s+|(?<=[。！？])")


def pieces(text: str) -> list[str]:
    """``text`` cut at separators (" · ") and sentence ends, whitespace collapsed."""
    out = []
    for part in SEPARATORS.split(text):
        for sentence in SENTENCES.split(part):
            sentence = " ".join(sentence.split())
            if sentence:
                out.append(sentence)
    return out


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.segments: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._add(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._add(data)

    def _add(self, text):
        self.segments.extend(pieces(text))


def segments(html: str) -> list[str]:
    """The text a person reads (text nodes and title/aria-label/alt/placeholder), piece by piece."""
    parser = _Text()
    parser.feed(html)
    return parser.segments


def _words_left(segment: str, data: list[str]) -> str:
    for value in sorted(data, key=len, reverse=True):
        segment = segment.replace(value, " ")
    return segment if len(re.findall(r"[^\W\d_]", segment)) >= 2 else ""


def english_left(english: str, translated: str, language: str, *, data: list[str]) -> list[str]:
    """Pieces of the English page that appear unchanged on the ``language`` page.

    ``data`` are names that stay as they are in every language (organization, survey,
    teams, priorities, language names…). A piece identical in both is fine only when a
    translator wrote it so: it fully matches one of the language's translations.
    """
    mine = set(segments(translated))
    left = []
    for segment in segments(english):
        if segment not in mine or not _words_left(segment, data):
            continue
        if any(p.fullmatch(segment) for p in rendered_patterns(language)):
            continue
        left.append(segment)
    return sorted(set(left))
