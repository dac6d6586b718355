"""Extension points through which the apps above add to pages that course/ owns.

course/ never imports the apps that stand on it; instead they register here from their
AppConfig.ready(): navigation links, items shown beside a session on the schedule, notices
shown at the top of the course home ("quiz open now"), and the pages a link from outside (an
LMS's Deep Linking) may open, such as one quiz.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
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


@dataclass(frozen=True)
class HomeNotice:
    """Something that needs the user's attention now, shown at the top of the course home.

    `label` says what ("Quiz open now: …"), `detail` adds when or how much ("14 minutes left"),
    `action` is the text of the link to `url` (the label when empty). Strings, already
    translated: a provider runs in the request's language.
    """

    label: str
    url: str = ""
    css: str = ""
    detail: str = ""
    action: str = ""


@dataclass(frozen=True)
class LinkTarget:
    """A page of a course that a link from outside may open: `key` names it in a form
    (unique in the course), `label` says it (translated), `path` is its address."""

    key: str
    label: str
    path: str


ScheduleAnnotator = Callable[[Any, Sequence[Any], Any], dict[int, list[ScheduleItem]]]
HomeNoticeProvider = Callable[[Any, Any, datetime], list[HomeNotice]]
LinkTargetProvider = Callable[[Any], list[LinkTarget]]

_nav: list[NavLink] = []
_annotators: dict[str, ScheduleAnnotator] = {}
_home_notices: dict[str, HomeNoticeProvider] = {}
_link_targets: dict[str, LinkTargetProvider] = {}


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


def register_home_notices(name: str, provider: HomeNoticeProvider) -> None:
    """`provider(course, user, now)` returns the user's notices in a fixed number of queries
    (whatever the class size); it checks the user's rights itself and returns [] if none."""
    _home_notices[name] = provider


def home_notices(course: Any, user: Any, now: datetime) -> list[HomeNotice]:
    """Every registered provider's notices, in the order the providers were registered."""
    out: list[HomeNotice] = []
    for provider in _home_notices.values():
        out.extend(provider(course, user, now))
    return out


def register_link_targets(name: str, provider: LinkTargetProvider) -> None:
    """`provider(course)` returns the course's pages of the app that a link may open (each
    quiz...), in a fixed number of queries."""
    _link_targets[name] = provider


def link_targets(course: Any) -> list[LinkTarget]:
    """Every registered provider's targets, in the order the providers were registered."""
    out: list[LinkTarget] = []
    for provider in _link_targets.values():
        out.extend(provider(course))
    return out
