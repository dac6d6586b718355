"""Sentences kept as data and translated when they are shown, in the reader's language.

A note computed by a worker ("2 days late: 5 % penalty", "handed in, not graded yet") and
stored for later is a `Text`: its English msgid (marked with `gettext_noop` so that
makemessages extracts it) and its parameters. `str(text)` translates it in the active
language, so the stored gradebook reads in French to a French reader and in English to an
English one. `to_json` / `from_json` store it; a plain string (the instructor's own words) stays
as written. A list parameter is shown one item a line (the staff digest's rows); `as_text`
keeps a lazy label (a model choice's `gettext_lazy("Lecture")`) as a Text.

Numbers shown as percentages go through `format_percent`, the one place that knows the
language's percent typography ("66.91%", "66,91 %").
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Union

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext, pgettext

NBSP = "\u00a0"


class Percent:
    """A parameter shown as a percentage: `format_percent(value, places)`, at most 2 decimals."""

    __slots__ = ("places", "value")

    def __init__(self, value: Decimal | int | str, places: int | None = -2) -> None:
        self.value = Decimal(value)
        self.places = places

    def __str__(self) -> str:
        return format_percent(self.value, self.places)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Percent) and (self.value, self.places) == (
            other.value,
            other.places,
        )

    def __hash__(self) -> int:
        return hash((self.value, self.places))

    def __repr__(self) -> str:
        return f"Percent({self.value!r})"


Param = Union[str, int, Decimal, dt.date, Percent, "Text", list["Param"]]


def format_percent(value: Decimal | int | float | str | None, places: int | None = None) -> str:
    """`value` in percent with the active language's decimal mark and percent sign spacing.

    `places` as floatformat's: 2 shows two decimals, -2 at most two (5 -> "5%", 5.5 -> "5.5%"),
    None the digits the value has (Decimal("12.30") -> "12.30%").
    """
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    if places is None:
        shown = formats.number_format(number, use_l10n=True)
    elif places < 0:
        number = number.quantize(Decimal(1).scaleb(places), rounding=ROUND_HALF_UP).normalize()
        if number == number.to_integral():
            number = number.quantize(Decimal(1))
        shown = formats.number_format(number, use_l10n=True)
    else:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        shown = formats.number_format(number, decimal_pos=places, use_l10n=True)
    # Translators: a percentage; French puts a no-break space before the sign.
    return pgettext("percent", "%(number)s%%") % {"number": shown}


def format_date(value: dt.date) -> str:
    """A date in words in the active language ("Mar. 15, 2021", "15 mars 2021")."""
    return formats.date_format(value, "DATE_FORMAT", use_l10n=True)


def ngettext_noop(singular: str, plural: str) -> tuple[str, str]:
    """Mark a counted sentence for makemessages (a plural entry) without translating it."""
    return singular, plural


class Text:
    """A sentence translated when shown: a msgid, its parameters and, if counted, its plural."""

    __slots__ = ("count", "msgid", "params", "plural")

    def __init__(
        self, msgid: str, /, *, plural: str = "", count: str = "", **params: Param
    ) -> None:
        if plural and count not in params:
            raise ValueError("a counted Text names its count among its parameters")
        self.msgid = msgid
        self.plural = plural
        self.count = count
        self.params = params

    def __str__(self) -> str:
        shown = {k: _shown(v) for k, v in self.params.items()}
        if self.plural:
            number = self.params[self.count]
            text = ngettext(self.msgid, self.plural, int(number))  # type: ignore[arg-type]
        else:
            text = gettext(self.msgid)
        return text % shown if shown else text

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Text):
            return self.to_json() == other.to_json()
        if isinstance(other, str):  # as read in the active language
            return str(self) == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(repr(self.to_json()))

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, {self.params!r})"

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __bool__(self) -> bool:
        return bool(self.msgid)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"msgid": self.msgid}
        if self.plural:
            out["plural"] = self.plural
            out["count"] = self.count
        if self.params:
            out["params"] = {k: _encode(v) for k, v in self.params.items()}
        return out


def to_json(value: str | Text) -> str | dict[str, Any]:
    return value.to_json() if isinstance(value, Text) else str(value)


def as_text(value: str | Promise) -> str | Text:
    """A lazy translation (`gettext_lazy`, not pgettext) as a Text of its msgid, to translate
    when shown; a plain string as written."""
    if isinstance(value, Promise):
        with translation.override(None):  # no catalogue: the msgid itself
            return Text(str(value))
    return value


def from_json(value: Any) -> str | Text:
    """A stored text back: a plain string as written, a stored Text to translate when shown."""
    if not isinstance(value, dict):
        return "" if value is None else str(value)
    params = {k: _decode(v) for k, v in (value.get("params") or {}).items()}
    return Text(
        value["msgid"], plural=value.get("plural", ""), count=value.get("count", ""), **params
    )


def _shown(value: Param) -> Any:
    if isinstance(value, Text | Percent):
        return str(value)
    if isinstance(value, list):
        return "\n".join(str(_shown(v)) for v in value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return format_date(value)
    if isinstance(value, Decimal):
        return formats.number_format(value.normalize(), use_l10n=True)
    return value


def _encode(value: Param) -> Any:
    if isinstance(value, Text):
        return {"text": value.to_json()}
    if isinstance(value, list):
        return {"lines": [_encode(v) for v in value]}
    if isinstance(value, Promise):  # a lazy string: as read in the active language now
        return str(value)
    if isinstance(value, Percent):
        return {"percent": str(value.value), "places": value.places}
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    return value


def _decode(value: Any) -> Param:
    if isinstance(value, dict):
        if "text" in value:
            text = from_json(value["text"])
            return text if isinstance(text, Text) else Text(text)
        if "percent" in value:
            return Percent(value["percent"], value.get("places"))
        if "date" in value:
            return dt.date.fromisoformat(value["date"])
        if "decimal" in value:
            return Decimal(value["decimal"])
        if "lines" in value:
            return [_decode(v) for v in value["lines"]]
    return value
