"""Extension points through which the apps above add to pages that course/ owns.

course/ never imports the apps that stand on it; instead they register here from their
AppConfig.ready(): navigation links and items shown beside a session on the schedule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class NavLink:
    label: Any  # a lazy translation string
    url_name: str  # reversed with the course code as `code`
    action: str  # permissions.Action that must be granted
    order: int = 100


@dataclass(frozen=True)
class ScheduleItem:
    """Something an app shows beside a session: a quiz, scribes, a talk, published notes."""

    label: str
    url: str = ""
    css: str = ""


ScheduleAnnotator = Callable[[Any, Sequence[Any], Any], dict[int, list[ScheduleItem]]]

_nav: list[NavLink] = []
_annotators: dict[str, ScheduleAnnotator] = {}


def register_nav_link(link: NavLink) -> None:
    if link not in _nav:
        _nav.append(link)


def nav_links() -> list[NavLink]:
    return sorted(_nav, key=lambda link: link.order)


def resolve_nav(link: NavLink, code: str) -> str:
    return reverse(link.url_name, kwargs={"code": code})


def register_schedule_annotator(name: str, annotator: ScheduleAnnotator) -> None:
    """`annotator(course, sessions, user)` returns items per session pk, in a fixed number of queries."""
    _annotators[name] = annotator


def schedule_items(
    course: Any, sessions: Sequence[Any], user: Any
) -> dict[int, list[ScheduleItem]]:
    merged: dict[int, list[ScheduleItem]] = {}
    for annotator in _annotators.values():
        for pk, items in annotator(course, sessions, user).items():
            merged.setdefault(pk, []).extend(items)
    return merged
