"""``{{ value|percent:2 }}``: a percentage in the reader's language ("66.91%", "66,91 %").

A builtin of the templates (config/settings.py), so every page writes percentages one way;
the places are floatformat's (2: two decimals, -2: at most two, none: as the value has).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import pgettext

from course.texts import format_percent

register = template.Library()


@register.filter
def percent(value: object, places: object = None) -> str:
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format_percent(number, None if places in (None, "") else int(str(places)))


@register.simple_tag
def colon() -> str:
    """The colon after a label, in the reader's typography ("Due:", "Échéance :")."""
    # Translators: the colon between a label and its value; French puts a no-break space before.
    return pgettext("label", ":")
