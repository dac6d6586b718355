"""The syllabus file's hooks: from their AppConfig.ready(), the apps register their policy
sections, their sections with content of their own, what a file asks of them beyond their
own section (checks), what a load may change of theirs (watchers) and what follows a load."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from course.models import Course

from .schema import Syllabus


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


@dataclass(frozen=True)
class PolicySection:
    """An app's policy section (`quizzes:`, `grading:`): validated with the file, stored on the
    course as JSON, read back with `course.selectors.course_policy`."""

    schema: type[BaseModel]
    required: bool = False  # the file must state it
    default: Mapping[str, Any] | None = None  # what a course without a file gets (else {})


# An app's check of the whole file: `check(syllabus, sections, where)` returns its problems,
# each framed by `where(*key_path, message=...)` ("line 22: sessions[2].kind: <message>", in the
# reader's language; the message is the app's own, translated). `sections` holds the valid
# sections by name (policies included); a check whose section is absent returns [].
Check = Callable[[Syllabus, Mapping[str, BaseModel], Callable[..., str]], list[str]]


SECTIONS: dict[str, SyllabusSection] = {}
POLICIES: dict[str, PolicySection] = {}
POLICY_NAMES: dict[type[BaseModel], str] = {}
CHECKS: dict[str, Check] = {}
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


def register_policy(
    name: str,
    schema: type[BaseModel],
    *,
    required: bool = False,
    default: Mapping[str, Any] | None = None,
) -> None:
    """`name:` in the file is validated with `schema` and stored on the course."""
    POLICIES[name] = PolicySection(schema, required=required, default=default)
    POLICY_NAMES[schema] = name


def register_check(name: str, check: Check) -> None:
    """`check` runs on every valid file, after the sections are validated."""
    CHECKS[name] = check
