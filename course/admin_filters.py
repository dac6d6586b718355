"""The admin's filter of a field by its values names the empty value: a link with no text is
no link to a screen reader (WCAG 2.4.4), and "" is what a blank topic or kind would show."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.admin.filters import AllValuesFieldListFilter, FieldListFilter
from django.db import models
from django.utils.translation import gettext_lazy as _


class NamedAllValuesFieldListFilter(AllValuesFieldListFilter):
    """Django's filter by the values a field holds, with "(blank)" for the empty string."""

    def choices(self, changelist: Any) -> Iterator[Any]:
        for choice in super().choices(changelist):
            if choice.get("display") == "":
                choice["display"] = _("(blank)")
            yield choice


def _by_values(field: models.Field[Any, Any]) -> bool:
    """The fields that Django would filter with AllValuesFieldListFilter (its last resort)."""
    return not (
        field.remote_field
        or field.choices
        or isinstance(field, models.BooleanField | models.DateField)
    )


FieldListFilter.register(_by_values, NamedAllValuesFieldListFilter, take_priority=True)
