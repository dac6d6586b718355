"""Pure rules of an LTI launch: the course role an LMS role gives, where a launch lands."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

# Coursekit's role values (course.models.Enrolment.Role), kept as plain strings: no ORM here.
INSTRUCTOR, TA, STUDENT, AUDITOR = "instructor", "ta", "student", "auditor"

LIS = "http://purl.imsglobal.org/vocab/lis/v2/membership"
ROLE_INSTRUCTOR = f"{LIS}#Instructor"
ROLE_TA = f"{LIS}/Instructor#TeachingAssistant"
ROLE_LEARNER = f"{LIS}#Learner"

# Short names are allowed by the LTI 1.3 specification for context roles (deprecated, but sent
# by older platforms); #TeachingAssistant at the top level is what some Moodle versions send.
_TA_ROLES = {ROLE_TA, f"{LIS}#TeachingAssistant", "TeachingAssistant"}
_INSTRUCTOR_ROLES = {ROLE_INSTRUCTOR, "Instructor"}
_LEARNER_ROLES = {ROLE_LEARNER, f"{LIS}/Learner#Learner", "Learner"}


class LaunchRefused(Exception):  # a refusal the person reads, not a bug
    """A launch that is not accepted: `check` names what failed, `reason` says it to the person."""

    def __init__(self, check: str, reason: str, status: int = 400) -> None:
        super().__init__(f"{check}: {reason}")
        self.check = check
        self.reason = reason
        self.status = status


def course_role(lms_roles: Iterable[str]) -> str | None:
    """The Coursekit role for the LMS context roles of a launch, None if they give none.

    A teaching assistant is an instructor sub-role in LIS, sent together with Instructor: the
    sub-role decides.
    """
    roles = set(lms_roles)
    if roles & _TA_ROLES:
        return TA
    if roles & _INSTRUCTOR_ROLES:
        return INSTRUCTOR
    if roles & _LEARNER_ROLES:
        return STUDENT
    return None


def role_to_apply(*, lms_role: str, current_role: str | None, current_dropped: bool) -> str | None:
    """The role to write on the enrolment, or None when it is already right.

    Auditing is a Coursekit decision: an auditor the LMS lists as a learner stays an auditor.
    """
    if lms_role == STUDENT and current_role == AUDITOR and not current_dropped:
        return None
    if lms_role == current_role and not current_dropped:
        return None
    return lms_role


_COURSE_PATH = re.compile(r"^/c/(?P<code>[^/]+)/")


def course_code_in_path(path: str) -> str | None:
    """The course code of a Coursekit course page (`/c/IFT6085/schedule/` -> IFT6085)."""
    match = _COURSE_PATH.match(path)
    return match.group("code") if match else None


def landing_path(*, target_path: str, course_code: str, course_home_path: str) -> str:
    """Where the launch lands: the page the link points to when it is in the launched course,
    otherwise the course home."""
    if course_code_in_path(target_path) == course_code:
        return target_path
    return course_home_path


ADDED, ROLE_CHANGED, DROPPED = "added", "role_changed", "dropped"


def roster_plan(
    *, current: dict[int, tuple[str, bool]], lms: dict[int, str]
) -> list[tuple[int, str, str]]:
    """What a roster sync changes: (user id, added | role_changed | dropped, role).

    `current` is the course's enrolments (user id -> (role, dropped)), `lms` the LMS's active
    members with the course role their LMS roles give. The rules of the CSV import: people
    added are enrolled, role changes applied, people gone are dropped (never deleted). Auditors
    and instructors are Coursekit's to decide: a sync never drops them.
    """
    changes: list[tuple[int, str, str]] = []
    for user_id, lms_role in sorted(lms.items()):
        role, dropped = current.get(user_id, (None, False))
        apply = role_to_apply(lms_role=lms_role, current_role=role, current_dropped=dropped)
        if apply is None:
            continue
        changes.append((user_id, ADDED if role is None or dropped else ROLE_CHANGED, apply))
    for user_id, (role, dropped) in sorted(current.items()):
        if user_id not in lms and not dropped and role in (STUDENT, TA):
            changes.append((user_id, DROPPED, role))
    return changes


@dataclass(frozen=True)
class LmsGrade:
    """A released score for the LMS gradebook: `key` is `final` or a grade component's key."""

    user_id: int
    key: str
    label: str
    score: Decimal
    maximum: Decimal


def grade_needs_post(*, last_posted: Decimal | None, last_error: str, score: Decimal) -> bool:
    """Idempotent passback: a score goes to the LMS unless that very score was posted already."""
    return last_posted is None or bool(last_error) or last_posted != score


def web_origin(url: str) -> str | None:
    """`https://host[:port]` of an address, or None for anything but an http(s) address."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None
