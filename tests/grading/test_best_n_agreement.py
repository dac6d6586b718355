"""The quiz list and the gradebook show the same quiz grade, for every student of a class.

The best-N rule is written once (quizzes.rules.best_n_average); this test reads both pages a
student sees, for a generated class whose scores land on rounding edges (x.xx5), with missed,
excused, excused-only and still-open quizzes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from course.models import Course
from quizzes import services as quiz_services
from quizzes.models import Quiz
from tests.factories import AttemptFactory
from tests.quizzes.conftest import build_quiz

pytestmark = pytest.mark.django_db


def _quiz_list_value(html: str) -> str:
    match = re.search(r'<p id="quiz-component">(.*?)</p>', html, re.DOTALL)
    if match is None:
        return "none"
    if "excused" in match.group(1):
        return "excused"
    found = re.search(r"([\d.]+)%", match.group(1))
    assert found, match.group(1)
    return found.group(1)


def _gradebook_value(html: str) -> str:
    row = re.search(r'<tr id="component-quizzes" class="status-(\w+)">(.*?)</tr>', html, re.DOTALL)
    assert row, "no quiz row on the grades page"
    if row.group(1) == "excused":
        return "excused"
    score_cell = re.findall(r"<td[^>]*>(.*?)</td>", row.group(2), re.DOTALL)[2]
    found = re.search(r"([\d.]+)%", score_cell)
    return found.group(1) if found else "none"


def _build_class(course: Course, make_member: Callable[..., Any], seed: int) -> list[Any]:
    rnd = random.Random(seed)
    now = timezone.now()
    quizzes: list[Quiz] = [
        build_quiz(
            course, title=f"Q{i}", session_index=i + 1, opens_at=now - timedelta(days=30 - i)
        )
        for i in range(10)
    ]
    still_open = build_quiz(course, title="Open", session_index=12)  # pending for everyone
    students = [make_member(course, "student", username=f"s{seed}x{i:02d}") for i in range(24)]
    for k, student in enumerate(students):
        for quiz in quizzes:
            if k == 0 or rnd.random() < 0.1:  # the first student is excused from every quiz
                quiz_services.accommodation_set(quiz=quiz, student=student, excused=True)
                continue
            if rnd.random() < 0.15:
                continue  # missed
            # Thirds and eighths: averages over 8 land on x.xx5 and beyond.
            percent = Decimal(rnd.choice([3333, 6667, 8750, 1250, 9375, 10000, 0, 5555])) / 100
            AttemptFactory.create(
                quiz=quiz,
                student=student,
                submitted_at=quiz.opens_at + timedelta(minutes=5),
                points=percent,
                points_possible=Decimal(100),
                percent=percent,
            )
    quiz_services.accommodation_set(quiz=still_open, student=students[0], excused=True)
    return students


@pytest.mark.parametrize("seed", [1, 2])
def test_quiz_list_and_gradebook_agree_for_every_student(
    course: Course, make_member: Callable[..., Any], seed: int
) -> None:
    students = _build_class(course, make_member, seed)
    client = Client()
    seen = []
    for student in students:
        client.force_login(student)
        quiz_page = client.get(f"/c/{course.code}/quizzes/")
        grades_page = client.get(f"/c/{course.code}/grades/")
        assert quiz_page.status_code == grades_page.status_code == 200
        on_list = _quiz_list_value(quiz_page.content.decode())
        in_gradebook = _gradebook_value(grades_page.content.decode())
        assert on_list == in_gradebook, student.username
        seen.append(on_list)
    assert seen[0] == "excused"  # the excused-only student: never "0.00%"
    assert len(set(seen)) > 5  # the class really has different grades
