"""The syllabus file's hooks: apps register their own top-level section, what a load may
change of theirs (watchers), and what follows a load, from their AppConfig.ready()."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from course.models import Course


class SyllabusSection(Protocol):
    """An app's own top-level section of the syllabus file (e.g. quiz questions)."""

    schema: type[BaseModel]

    def apply(self, course: Course, data: BaseModel) -> None: ...

    def dump(self, course: Course) -> Any: ...


@dataclass(frozen=True)
class Watched:
    """One thing a load may change, as the instructor reads it.

    `work` says what students' work hangs on it ("12 attempts"); empty when nothing does.
    """

    label: str
    state: str
    work: str = ""


# An app's watcher: the items of a course it owns, by a key stable across loads.
Watcher = Callable[[Course], Mapping[str, Watched]]


SECTIONS: dict[str, SyllabusSection] = {}
AFTER_LOAD: dict[str, Callable[[Course], object]] = {}
WATCHERS: dict[str, Watcher] = {}


def register_section(name: str, section: SyllabusSection) -> None:
    """Called from an app's AppConfig.ready(); the section is validated and applied with the rest."""
    SECTIONS[name] = section


def register_after_load(name: str, hook: Callable[[Course], object]) -> None:
    """`hook(course)` runs in the loading transaction once the file is applied (e.g. to give
    every lecture its scribe slots)."""
    AFTER_LOAD[name] = hook


def register_watcher(name: str, watcher: Watcher) -> None:
    """`watcher(course)` lists an app's items that a load may change (quizzes, deadlines)."""
    WATCHERS[name] = watcher
