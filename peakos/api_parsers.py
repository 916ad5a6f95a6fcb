"""The API's JSON parser (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).

Its own module because DRF imports its parser classes while ``rest_framework.views``
loads, before ``peakos.api_base`` (which imports that module) could define one.
"""

from __future__ import annotations

import json

from rest_framework import exceptions, parsers

from peakos.textcheck import bad_character

MAX_JSON_DEPTH = 32


class StrictJSONParser(parsers.JSONParser):
    """DRF's JSON parser, plus what would otherwise be a 500 further on.

    A body nested deeper than ``MAX_JSON_DEPTH`` (Python's parser would raise
    ``RecursionError`` around 1,000 levels) and strings that no database column can store
    (NUL, lone surrogates — ``\\u0000`` and ``\\ud800`` are valid JSON escapes) are a 400
    naming the place (``people.3.name``), checked on the whole body before a view sees it.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(f"JSON parse error - the body nests deeper than {MAX_JSON_DEPTH} levels.")
        problems = _json_problems(data)
        if problems:
            raise exceptions.ValidationError(problems)
        return data


def _json_problems(data) -> dict[str, list[str]]:
    """Where parsed JSON is too deep or holds text that cannot be stored (iterative: no recursion)."""
    problems: dict[str, list[str]] = {}
    stack = [(data, "", 0)]
    while stack and len(problems) < 50:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            if problem := bad_character(value):
                problems.setdefault(path or "non_field_errors", []).append(f"This text {problem}.")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_JSON_DEPTH:
            problems.setdefault(path or "non_field_errors", []).append(
                f"Nested deeper than {MAX_JSON_DEPTH} levels; send a flatter body."
            )
            continue
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (problem := bad_character(key)):
                problems.setdefault(path or "non_field_errors", []).append(
                    f"The field name {json.dumps(key)} {problem}."
                )
                continue
            stack.append((item, name, depth + 1))
    return problems
