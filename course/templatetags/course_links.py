"""``{{ url|web_link }}``: the link when it is http(s), else "" — so a row stored before links
were checked never puts a ``javascript:`` address in an ``href``."""

from __future__ import annotations

from django import template

from course.links import web_link_or_empty

register = template.Library()


@register.filter
def web_link(value: object) -> str:
    return web_link_or_empty(value)
