"""The quiz scores grading/ reads (the contract in course/scores.py), overdue attempts first
finalised so an attempt left open past its deadline counts as submitted and graded, never as
"being graded", whether or not the worker closed it at that second.

Reading here may write (the finalisation), which is why this is not in selectors.py.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from course.models import Course
from course.scores import ScoresByStudent

from . import selectors
from .finalise import finalise_overdue


def overdue_attempts_submit(
    course: Course, now: datetime, *, student_ids: list[int] | None = None
) -> int:
    """Submit and grade the course's attempts left open past their deadline + grace, in one
    pass (one query when none is overdue). Returns how many. grading/ calls it before it reads
    grades it stored earlier (the gradebook, a student's grades)."""
    return finalise_overdue(now=now, course=course, student_ids=student_ids)


def gradebook_items(
    course: Course, now: datetime | None = None, *, student_ids: list[int] | None = None
) -> ScoresByStudent:
    """selectors.gradebook_items after finalising the course's overdue attempts (of those
    students when given): its 4 queries plus 1 when nothing is overdue, about 9 otherwise."""
    now = now or timezone.now()
    overdue_attempts_submit(course, now, student_ids=student_ids)
    return selectors.gradebook_items(course, now, student_ids=student_ids)
