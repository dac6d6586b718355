"""pydantic's own messages about a syllabus file, in the reader's language.

pydantic writes its messages in English ("Field required", "Input should be greater than or
equal to 0"). `problem_message(err)` says the same in the active language, from the error's
`type` and `ctx`, for the types a syllabus author can meet (the schemas hold strings with
lengths and patterns, integers and decimals with bounds, booleans, literals, dates and
datetimes, lists, mappings and nested models); the English is pydantic's own wording, so an
English reader reads what pydantic says. A type not in the table keeps pydantic's message.

Pure: one error of `ValidationError.errors()` in, one sentence out (translated with gettext in
the active language: parsing runs in the request of the person who uploads the file).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop, ngettext

from course.texts import ngettext_noop

# err["type"] -> the sentence, with ctx's values as named placeholders.
_SENTENCES: dict[str, str] = {
    "missing": gettext_noop("Field required"),
    "extra_forbidden": gettext_noop("Extra inputs are not permitted"),
    "int_parsing": gettext_noop(
        "Input should be a valid integer, unable to parse string as an integer"
    ),
    "int_from_float": gettext_noop(
        "Input should be a valid integer, got a number with a fractional part"
    ),
    "int_type": gettext_noop("Input should be a valid integer"),
    "float_parsing": gettext_noop(
        "Input should be a valid number, unable to parse string as a number"
    ),
    "float_type": gettext_noop("Input should be a valid number"),
    "decimal_parsing": gettext_noop("Input should be a valid decimal"),
    "decimal_type": gettext_noop(
        "Decimal input should be an integer, float, string or Decimal object"
    ),
    "finite_number": gettext_noop("Input should be a finite number"),
    "bool_parsing": gettext_noop("Input should be a valid boolean, unable to interpret input"),
    "bool_type": gettext_noop("Input should be a valid boolean"),
    "string_type": gettext_noop("Input should be a valid string"),
    "string_pattern_mismatch": gettext_noop("String should match pattern '%(pattern)s'"),
    "greater_than": gettext_noop("Input should be greater than %(gt)s"),
    "greater_than_equal": gettext_noop("Input should be greater than or equal to %(ge)s"),
    "less_than": gettext_noop("Input should be less than %(lt)s"),
    "less_than_equal": gettext_noop("Input should be less than or equal to %(le)s"),
    "date_type": gettext_noop("Input should be a valid date"),
    "datetime_type": gettext_noop("Input should be a valid datetime"),
    "date_from_datetime_inexact": gettext_noop(
        "Datetimes provided to dates should have zero time - e.g. be exact dates"
    ),
    "time_type": gettext_noop("Input should be a valid time"),
    "list_type": gettext_noop("Input should be a valid list"),
    "dict_type": gettext_noop("Input should be a valid dictionary"),
    "model_type": gettext_noop("Input should be a valid dictionary or instance of %(class_name)s"),
}

# Counted: err["type"] -> (singular, plural, the ctx key that counts).
_COUNTED: dict[str, tuple[tuple[str, str], str]] = {
    "string_too_short": (
        ngettext_noop(
            "String should have at least %(min_length)s character",
            "String should have at least %(min_length)s characters",
        ),
        "min_length",
    ),
    "string_too_long": (
        ngettext_noop(
            "String should have at most %(max_length)s character",
            "String should have at most %(max_length)s characters",
        ),
        "max_length",
    ),
    # pydantic names the kind of collection; a syllabus's only bounded collections are lists.
    "too_short": (
        ngettext_noop(
            "List should have at least %(min_length)s item after validation, not %(actual_length)s",
            "List should have at least %(min_length)s items after validation, not %(actual_length)s",
        ),
        "min_length",
    ),
    "too_long": (
        ngettext_noop(
            "List should have at most %(max_length)s item after validation, not %(actual_length)s",
            "List should have at most %(max_length)s items after validation, not %(actual_length)s",
        ),
        "max_length",
    ),
}

# A date or time written as text that is not one: pydantic's reason (from its date parser).
_CALENDAR_TYPES = (
    "date_parsing",
    "date_from_datetime_parsing",
    "datetime_parsing",
    "datetime_from_date_parsing",
)
_REASONS = frozenset(
    (
        gettext_noop("input is too short"),
        gettext_noop("input is too long"),
        gettext_noop("unexpected extra characters at the end of the input"),
        gettext_noop("invalid date separator, expected `-`"),
        gettext_noop("invalid time separator, expected `:`"),
        gettext_noop("invalid datetime separator, expected `T`, `t`, `_` or space"),
        gettext_noop("invalid character in year"),
        gettext_noop("invalid character in month"),
        gettext_noop("invalid character in day"),
        gettext_noop("invalid character in hour"),
        gettext_noop("invalid character in minute"),
        gettext_noop("invalid character in second"),
        gettext_noop("invalid character in second fraction"),
        gettext_noop("month value is outside expected range of 1-12"),
        gettext_noop("day value is outside expected range"),
        gettext_noop("hour value is outside expected range of 0-23"),
        gettext_noop("minute value is outside expected range of 0-59"),
        gettext_noop("second value is outside expected range of 0-59"),
        gettext_noop("second fraction value is more than 6 digits long"),
        gettext_noop("invalid timezone sign"),
        gettext_noop("invalid timezone hour"),
        gettext_noop("invalid timezone minute"),
        gettext_noop("timezone minute value is outside expected range of 0-59"),
        gettext_noop("timezone offset must be less than 24 hours"),
    )
)

_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'")


def problem_message(err: Mapping[str, Any]) -> str:
    """One pydantic error as the syllabus author reads it, in the active language."""
    kind = str(err.get("type", ""))
    ctx = dict(err.get("ctx") or {})
    msg = str(err.get("msg", ""))
    if kind in ("value_error", "assertion_error"):
        # Our own validators' sentences, translated when they were raised.
        return str(ctx.get("error", msg.removeprefix("Value error, ")))
    value = err.get("input")
    if kind in _CALENDAR_TYPES and isinstance(value, str):
        reason = str(ctx.get("error", ""))
        return gettext("%(value)s is not a date of the calendar (%(reason)s)") % {
            "value": repr(value),
            "reason": _reason(reason),
        }
    if kind in ("literal_error", "enum"):
        return gettext("Input should be %(expected)s") % {
            "expected": _one_of(str(ctx.get("expected", "")))
        }
    if kind == "time_parsing":
        return gettext("Input should be in a valid time format, %(reason)s") % {
            "reason": _reason(str(ctx.get("error", "")))
        }
    if kind in _COUNTED and not (kind.startswith("too_") and ctx.get("field_type") != "List"):
        (singular, plural), count = _COUNTED[kind]
        return ngettext(singular, plural, int(ctx.get(count, 0))) % ctx
    if kind in _SENTENCES:
        return gettext(_SENTENCES[kind]) % {k: str(v) for k, v in ctx.items()}
    return msg


def _reason(reason: str) -> str:
    return gettext(reason) if reason in _REASONS else reason


def _one_of(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" in the active language."""
    values = _QUOTED.findall(expected)
    if len(values) < 2:
        return expected
    return gettext("%(values)s or %(last)s") % {
        "values": ", ".join(values[:-1]),
        "last": values[-1],
    }
