"""Quiz fixtures: a quiz on a TST101 session with one question of each kind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from course.models import Course
from quizzes.models import Question, Quiz
from tests.factories import ChoiceFactory, QuestionFactory, QuizFactory


def build_quiz(
    course: Course,
    *,
    opens_at: datetime | None = None,
    window_minutes: int = 15,
    duration_seconds: int = 600,
    title: str = "Quiz",
    self_assessment: bool = False,
    session_index: int = 1,
    n_single: int = 1,
) -> Quiz:
    session = course.sessions.order_by("starts_at")[session_index]
    opens_at = opens_at or timezone.now() - timedelta(minutes=1)
    quiz = QuizFactory.create(
        course=course,
        session=session,
        title=title,
        is_self_assessment=self_assessment,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(minutes=window_minutes),
        duration_seconds=duration_seconds,
    )
    order = 0
    for i in range(n_single):
        q = QuestionFactory.create(quiz=quiz, order=order, prompt=f"Is $x^{i}$ convex?")
        ChoiceFactory.create(question=q, order=0, text="yes", is_correct=True)
        ChoiceFactory.create(question=q, order=1, text="no")
        order += 1
    q = QuestionFactory.create(
        quiz=quiz, order=order, kind=Question.Kind.MULTIPLE, prompt="Pick the norms"
    )
    ChoiceFactory.create(question=q, order=0, text="$L_1$", is_correct=True)
    ChoiceFactory.create(question=q, order=1, text="$L_2$", is_correct=True)
    ChoiceFactory.create(question=q, order=2, text="$L_0$")
    QuestionFactory.create(
        quiz=quiz,
        order=order + 1,
        kind=Question.Kind.NUMERIC,
        prompt="Condition number of diag(1, 4)?",
        numeric_answer=Decimal(4),
        numeric_tolerance=Decimal("0.01"),
    )
    QuestionFactory.create(
        quiz=quiz, order=order + 2, kind=Question.Kind.TEXT, prompt="Why momentum?"
    )
    return quiz


@pytest.fixture
def make_quiz(course: Course) -> Callable[..., Quiz]:
    def make(**kwargs: Any) -> Quiz:
        return build_quiz(kwargs.pop("course", course), **kwargs)

    return make


@pytest.fixture
def quiz(make_quiz: Callable[..., Quiz]) -> Quiz:
    return make_quiz()


@pytest.fixture
def student(course: Course, make_member: Callable[..., Any]) -> Any:
    return make_member(course, "student", username="stu")


def questions(quiz: Quiz) -> dict[str, Question]:
    return {q.kind: q for q in quiz.questions.all()}
