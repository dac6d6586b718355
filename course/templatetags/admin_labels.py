"""Accessible names for the admin's fields that Django renders without a <label> (the cells of
a tabular inline, the editable columns of a change list): the field's label, as aria-label."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def labelled(bound_field: BoundField) -> SafeString:
    """The field's widget with its label as its accessible name."""
    return bound_field.as_widget(attrs={"aria-label": str(bound_field.label)})
