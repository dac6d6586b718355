"""A course with presentations before and after the allowed week, a project-talks session and
project milestones (one to be announced)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from course.models import Course, Enrolment
from course.syllabus.services import load_syllabus_text

PROJECTS_SYLLABUS = """
course:
  code: PRJ101
  title: Projects test course
  term: Winter 2021
  seat_capacity: 40
calendar:
  term_start: 2021-01-11
  term_end: 2021-04-16
  meetings:
    - {day: wednesday, start: "09:30", end: "11:10"}
    - {day: thursday, start: "09:00", end: "10:40"}
  breaks:
    - {name: Reading week, first: 2021-03-01, last: 2021-03-05}
bibliography:
  - {key: zhang2017, title: "Rethinking generalization", authors: Zhang et al., url: "https://arxiv.org/abs/1611.03530"}
  - {key: keskar2017, title: "Large-batch training", url: "https://arxiv.org/abs/1609.04836"}
  - {key: polyak1964, title: "Heavy ball"}
sessions:
  - {date: 2021-03-17, kind: presentations, topic: Paper presentations I}
  - {date: 2021-03-24, kind: presentations, topic: Paper presentations II}
  - {date: 2021-03-25, kind: project_talks, topic: Progress reports}
grading:
  components:
    - {key: presentations, label: Paper presentations, weight: 15, source: presentations}
    - {key: project, label: Research project, weight: 85, source: project}
presentations:
  group_size: 2
  talk_minutes: 20
  changeover_minutes: 5
  first_allowed_week: 5
  slides_due_hours_before: 1
  rubric:
    - {key: slides, label: Quality of slides, points: 50}
    - {key: clarity, label: Clarity of presentation, points: 50}
project:
  group_size: 2
  topics: [Optimization, Generalization]
  kinds: [Literature review, Prototype]
  late_penalty: {kind: flat, percent: 5}
  milestones:
    - {key: proposal, label: Project proposal, kind: document, due: 2021-02-19T23:59:00, weight: 15}
    - {key: progress, label: Progress report, kind: talk, due: 2021-03-25T09:00:00, talk_minutes: 5, weight: 10, accepts: [pdf, link]}
    - {key: poster, label: Poster, kind: poster, due: null, weight: 25, accepts: [pdf, link]}
    - {key: report, label: Final report, kind: report, due: null, weight: 50}
"""

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def pcourse(db: Any) -> Course:
    return load_syllabus_text(PROJECTS_SYLLABUS).course


@pytest.fixture
def students(pcourse: Course, make_member: Callable[..., Any]) -> list[Any]:
    return [make_member(pcourse, Enrolment.Role.STUDENT, username=f"s{i}") for i in range(1, 7)]


@pytest.fixture
def pdf_bytes() -> bytes:
    return PDF
