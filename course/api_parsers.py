"""JSON bodies of every API: refused with a 400 naming the problem when the database or the
code behind could not take them, before any view sees them.

PostgreSQL refuses a NUL character in text and in ``jsonb``, UTF-8 has no lone surrogate
(``"\\ud800"``), and ``json`` raises ``RecursionError`` (not a ``ValueError``, so DRF would
answer 500) on an array nested 50,000 deep. ``StrictJSONParser`` is DRF's ``JSONParser`` with
those three refused; it is the API's JSON parser (``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).

API
---
``json_problem(data, *, max_depth=MAX_DEPTH) -> str | None``
    Pure rule over parsed JSON: where and what is wrong (``value[0]: a NUL character ...``),
    or None. Iterative, so it never recurses on hostile input.
``StrictJSONParser``
    Raises DRF's ``ParseError`` (400, ``{"detail": ...}``) with that message.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Far deeper than any body of the API (an answer is a list of choice ids), far below the
# interpreter's recursion limit.
MAX_DEPTH = 32
_BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")


def _where(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or _("the body")


def _text_problem(text: str) -> str | None:
    found = _BAD_CHARACTER.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("a NUL character (\\u0000) is not accepted")
    return _("a lone surrogate (%(code)s) is not valid Unicode text") % {
        "code": f"\\u{ord(found.group()):04x}"
    }


def json_problem(data: Any, *, max_depth: int = MAX_DEPTH) -> str | None:
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, str):
            problem = _text_problem(value)
            if problem:
                return f"{_where(path)}: {problem}"
            continue
        if not isinstance(value, dict | list):
            continue
        if len(path) >= max_depth:
            return _("%(where)s: nested more than %(max)d levels deep") % {
                "where": _where(path),
                "max": max_depth,
            }
        if isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))
            continue
        for key, item in value.items():
            problem = _text_problem(key)
            if problem:
                return _("%(where)s: a key: %(problem)s") % {
                    "where": _where(path),
                    "problem": problem,
                }
            stack.append((item, (*path, key)))
    return None


class StrictJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(
                _("JSON parse error - nested more than %(max)d levels deep") % {"max": MAX_DEPTH}
            ) from exc
        problem = json_problem(data)
        if problem is not None:
            raise ParseError(_("JSON parse error - %(problem)s") % {"problem": problem})
        return data
