"""Extension points through which the apps above give LTI what it sends to the LMS.

lti/ stands on the ground floor and never imports the apps that stand on it: the gradebook
registers, from its AppConfig.ready(), the function that says which grades are released.
"""

from __future__ import annotations

from collections.abc import Callable

from course.models import Course

from .rules import LmsGrade

ReleasedGrades = Callable[[Course], list[LmsGrade]]

_released_grades: dict[str, ReleasedGrades] = {}


def register_released_grades(name: str, source: ReleasedGrades) -> None:
    """`source(course)` returns the course's released grades, in a fixed number of queries."""
    _released_grades[name] = source


def released_grades(course: Course) -> list[LmsGrade]:
    """Every registered source's released grades for `course`."""
    out: list[LmsGrade] = []
    for source in _released_grades.values():
        out.extend(source(course))
    return out
