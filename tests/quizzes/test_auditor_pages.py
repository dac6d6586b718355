"""An admitted auditor's quiz pages: practice, never a grade's wording."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from course.models import Course
from quizzes import services
from quizzes.models import Quiz

pytestmark = pytest.mark.django_db

GRADE_WORDING = ("Quiz grade", "count 0", "counts 0", "Missed", "Points:", "counted")


@pytest.fixture
def auditor(course: Course, make_member: Callable[..., Any]) -> Any:
    course.auditors_may_take_quizzes = True
    course.save(update_fields=["auditors_may_take_quizzes"])
    return make_member(course, "auditor", username="audrey")


def _closed_quizzes(make_quiz: Callable[..., Quiz]) -> tuple[Quiz, Quiz]:
    past = timezone.now() - timedelta(days=3)
    return (
        make_quiz(title="Taken", opens_at=past, session_index=1),
        make_quiz(title="Skipped", opens_at=past + timedelta(hours=1), session_index=2),
    )


def test_auditor_quiz_list_and_results_are_practice(
    course: Course, auditor: Any, make_quiz: Callable[..., Quiz]
) -> None:
    taken, skipped = _closed_quizzes(make_quiz)
    attempt, _ = services.attempt_start(
        quiz=taken, student=auditor, now=taken.opens_at + timedelta(minutes=1), check_code=False
    )
    services.attempt_submit(attempt=attempt, now=taken.opens_at + timedelta(minutes=2))
    client = Client()
    client.force_login(auditor)
    listing = client.get(f"/c/{course.code}/quizzes/").content.decode()
    assert 'id="practice-note"' in listing and "never reach a grade" in listing
    for words in GRADE_WORDING:
        assert words not in listing, words
    assert "Not taken" in listing and "practice" in listing

    skipped_page = client.get(f"/c/{course.code}/quizzes/{skipped.pk}/result/").content.decode()
    for words in (*GRADE_WORDING, "Expected:", "correct</span>"):
        assert words not in skipped_page, words
    assert "Not taken" in skipped_page

    taken_page = client.get(f"/c/{course.code}/quizzes/{taken.pk}/result/").content.decode()
    assert "Practice attempt" in taken_page
    for words in GRADE_WORDING:
        assert words not in taken_page, words

    detail = client.get(f"/c/{course.code}/quizzes/{taken.pk}/").content.decode()
    assert "This quiz is graded" not in detail and "practice" in detail


def test_a_registered_student_still_sees_the_grade_wording(
    course: Course, make_member: Callable[..., Any], make_quiz: Callable[..., Quiz]
) -> None:
    _, skipped = _closed_quizzes(make_quiz)
    student = make_member(course, "student", username="reg")
    client = Client()
    client.force_login(student)
    assert "Quiz grade so far" in client.get(f"/c/{course.code}/quizzes/").content.decode()
    page = client.get(f"/c/{course.code}/quizzes/{skipped.pk}/result/").content.decode()
    assert "Missed: counts 0." in page
