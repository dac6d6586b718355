"""In headless Chromium: the student opens the quiz from the course home when it opens, and
comes back to it from there while the attempt is in progress."""

from __future__ import annotations

from typing import Any

import pytest

from course.models import Enrolment
from course.syllabus.services import load_syllabus_text

from ..conftest import SMALL_SYLLABUS
from .conftest import build_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_opens_the_quiz_from_the_course_home(
    live_server: Any, page: Any, login: Any, make_member: Any
) -> None:
    course = load_syllabus_text(SMALL_SYLLABUS).course
    quiz = build_quiz(course, title="Gradient descent quiz")  # opened a minute ago
    make_member(course, Enrolment.Role.STUDENT, "ana")

    login("ana")
    page.goto(f"{live_server.url}/c/{course.code}/")
    banner = page.locator("#home-notices .home-notice")
    assert banner.count() == 1
    assert "Quiz open now: Gradient descent quiz" in banner.inner_text()
    assert "minutes left" in banner.inner_text()
    page.click("#home-notices a.button >> text=Open the quiz")
    page.wait_for_url(f"**/c/{course.code}/quizzes/{quiz.pk}/")
    assert "Gradient descent quiz" in page.locator("h1").inner_text()
    page.click("#start-button")
    page.wait_for_selector("#quiz-form")

    # Back on the course home mid-quiz: the banner offers to resume.
    page.goto(f"{live_server.url}/c/{course.code}/")
    assert "Quiz in progress: Gradient descent quiz" in page.locator("#home-notices").inner_text()
    page.click("#home-notices a.button >> text=Resume the quiz")
    page.wait_for_url(f"**/c/{course.code}/quizzes/{quiz.pk}/take/")
    page.wait_for_selector("#quiz-form")
