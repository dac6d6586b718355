"""A quiz that varies per student: a pool of three, a parametrised numeric question, shuffles."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from course.models import Course
from quizzes.models import Choice, Question, Quiz

from .conftest import build_quiz


def build_variant_quiz(course: Course, *, opens_at: datetime | None = None, **kw: object) -> Quiz:
    """build_quiz's four questions (single, multiple, numeric, text), plus a pool "rate" of
    three single-choice questions and a numeric question on $a$ and $b$; shuffled."""
    quiz = build_quiz(course, opens_at=opens_at, **kw)  # type: ignore[arg-type]
    quiz.shuffle_questions = quiz.shuffle_choices = True
    quiz.save()
    for i, (right, wrong) in enumerate([("1/t", "1/t^2"), ("e^{-t}", "t"), ("1/sqrt t", "1")]):
        q = Question.objects.create(
            quiz=quiz, order=10 + i, kind=Question.Kind.SINGLE, pool="rate", prompt=f"Rate {i}?"
        )
        Choice.objects.create(
            question=q, order=0, text=f"${right}$", is_correct=True, feedback="Yes."
        )
        Choice.objects.create(
            question=q, order=1, text=f"${wrong}$", feedback="No: that is another method."
        )
        Choice.objects.create(question=q, order=2, text="none")
    Question.objects.create(
        quiz=quiz,
        order=20,
        kind=Question.Kind.NUMERIC,
        prompt="Compute $a \\times b$.",
        parameters={"a": {"min": 2, "max": 9}, "b": {"min": "0.5", "max": 3, "step": "0.5"}},
        answer_formula="a * b",
        numeric_tolerance=Decimal("0.001"),
    )
    return quiz


def pooled(quiz: Quiz) -> list[Question]:
    return list(quiz.questions.filter(pool="rate").order_by("order"))


def parametrised(quiz: Quiz) -> Question:
    return quiz.questions.get(order=20)
