"""One permission policy for the whole site: `can(user, action, course)`.

Views, DRF permission classes, templates (`{% if perms_course.view_all_grades %}`) and admin
hooks all ask this function, so a role's rights are read in one place.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from .models import Course, Enrolment

Role = Enrolment.Role


class Action(StrEnum):
    VIEW_SCHEDULE = "view_schedule"
    VIEW_COURSE = "view_course"  # home, announcements, resources, readings
    TAKE_QUIZ = "take_quiz"
    SUBMIT_WORK = "submit_work"  # scribe notes, pairs, presentations, project milestones
    VIEW_OWN_GRADES = "view_own_grades"
    VIEW_ALL_GRADES = "view_all_grades"
    VIEW_STUDENT_WORK = "view_student_work"
    GRADE = "grade"
    MANAGE_COURSE = "manage_course"


# What only a registered student (or an admitted auditor, for practice quizzes) does: a
# superuser gets these only through an enrolment, so staff never see student-only links.
STUDENT_ONLY = frozenset({Action.TAKE_QUIZ, Action.SUBMIT_WORK, Action.VIEW_OWN_GRADES})

_RIGHTS: dict[str, set[Action]] = {
    # The instructor runs the course; taking quizzes, handing in work and having grades are
    # the students' (so the navigation shows each role only what it may use).
    Role.INSTRUCTOR: set(Action) - STUDENT_ONLY,
    Role.TA: {
        Action.VIEW_SCHEDULE,
        Action.VIEW_COURSE,
        Action.VIEW_ALL_GRADES,
        Action.VIEW_STUDENT_WORK,
        Action.GRADE,
    },
    Role.STUDENT: {
        Action.VIEW_SCHEDULE,
        Action.VIEW_COURSE,
        Action.TAKE_QUIZ,
        Action.SUBMIT_WORK,
        Action.VIEW_OWN_GRADES,
    },
    Role.AUDITOR: {Action.VIEW_SCHEDULE, Action.VIEW_COURSE},
}

_CACHE_ATTR = "_coursekit_enrolments"


def enrolment_of(user: Any, course: Course) -> Enrolment | None:
    """The user's enrolment in the course, cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return None
    cache: dict[int, Enrolment | None] = getattr(user, _CACHE_ATTR, None) or {}
    if course.pk not in cache:
        cache[course.pk] = (
            Enrolment.objects.filter(course=course, user=user)
            .exclude(status=Enrolment.Status.DROPPED)
            .order_by("pk")  # not Meta.ordering: it joins course and user on every request
            .first()
        )
        setattr(user, _CACHE_ATTR, cache)
    return cache[course.pk]


def remember_enrolment(user: Any, course: Course, enrolment: Enrolment | None) -> None:
    """Seed enrolment_of's per-request cache with a row a view loaded in its own query
    (the user's non-dropped enrolment in the course, or None)."""
    cache: dict[int, Enrolment | None] = getattr(user, _CACHE_ATTR, None) or {}
    cache[course.pk] = enrolment
    setattr(user, _CACHE_ATTR, cache)


def role_of(user: Any, course: Course) -> str | None:
    enrolment = enrolment_of(user, course)
    if enrolment is None:
        return None
    if enrolment.status != Enrolment.Status.ACTIVE and enrolment.role != Role.AUDITOR:
        return None
    return enrolment.role


def is_registered_student(user: Any, course: Course) -> bool:
    """An active registered student of the course: the one whose work reaches a grade
    (auditors, staff and dropped students practise at most)."""
    return role_of(user, course) == Role.STUDENT


def can(user: Any, action: Action | str, course: Course) -> bool:
    action = Action(action)
    superuser = user is not None and user.is_authenticated and user.is_superuser
    if superuser and action not in STUDENT_ONLY:
        return True
    if action == Action.VIEW_SCHEDULE and course.is_public:
        return True
    enrolment = enrolment_of(user, course)
    if enrolment is None:
        return False
    if enrolment.role == Role.AUDITOR:
        # A wait-listed auditor still follows the schedule and announcements.
        if action == Action.TAKE_QUIZ:
            return enrolment.status == Enrolment.Status.ACTIVE and course.auditors_may_take_quizzes
        return action in _RIGHTS[Role.AUDITOR]
    if enrolment.status != Enrolment.Status.ACTIVE:
        return False
    return action in _RIGHTS[enrolment.role]


def rights(user: Any, course: Course) -> dict[str, bool]:
    """Every action's answer, for templates and navigation."""
    return {a.value: can(user, a, course) for a in Action}


def is_staff_of(user: Any, course: Course) -> bool:
    return can(user, Action.GRADE, course)


class AdminOperation(StrEnum):
    """What a person does to a row in the admin (Django's view/add/change/delete)."""

    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"


def admin_may(role: str | None, operation: AdminOperation | str, app_label: str) -> bool:
    """Whether a course role may do `operation` on a model of `app_label` in the admin, in
    that course only: instructors everything; TAs view everything, add and grade, but change
    nothing of the course itself (app ``course``) and delete nothing; others nothing."""
    operation = AdminOperation(operation)
    if role == Role.INSTRUCTOR:
        return True
    if role == Role.TA:
        if operation == AdminOperation.DELETE:
            return False
        return operation != AdminOperation.CHANGE or app_label != "course"
    return False


def account_editable_by(
    *, privileged: bool, account_course_ids: set[int], editor_course_ids: set[int]
) -> bool:
    """Whether the staff of `editor_course_ids` may change an account's name and e-mail: only
    an account that belongs to none but their courses and gives no site-wide access (an
    account shared with another course is its owner's and the other course's too)."""
    return not privileged and account_course_ids <= editor_course_ids


def is_course_staff(user: Any) -> bool:
    """Whether the person is an instructor or TA of some course now (the admin lets them in)."""
    return Enrolment.objects.filter(
        user_id=user.pk,
        role__in=[Role.INSTRUCTOR, Role.TA],
        status=Enrolment.Status.ACTIVE,
    ).exists()
