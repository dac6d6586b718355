"""The syllabus quiz_bank with pools, parameters, formulas, shuffles and the release policy:
loaded, dumped and loaded back the same; mistakes refused with the field named."""

from __future__ import annotations

from typing import Any

import pytest

from course.syllabus.parsing import SyllabusError
from course.syllabus.selectors import dump_syllabus
from course.syllabus.services import load_syllabus_text
from quizzes.models import Question, Quiz

pytestmark = pytest.mark.django_db

BANK = """
quiz_bank:
  - date: 2021-01-14
    title: Gradient descent
    shuffle_questions: true
    shuffle_choices: true
    release: manual
    regrade_days: 3
    questions:
      - kind: single
        pool: rate
        prompt: "GD on smooth convex: rate?"
        choices: [{text: "$O(1/t)$", correct: true}, {text: "$O(1/t^2)$"}]
      - kind: single
        pool: rate
        prompt: "GD on strongly convex: rate?"
        choices: [{text: "linear", correct: true}, {text: "sublinear"}]
      - kind: numeric
        prompt: "Compute $a \\\\times b$."
        parameters: {a: {min: 2, max: 9}, b: {min: 0.5, max: 3, step: 0.5}}
        formula: a * b
        tolerance: 0.01
"""


def test_pools_parameters_and_policies_load_dump_and_reload(syllabus_text: str) -> None:
    course = load_syllabus_text(syllabus_text + BANK).course
    quiz = Quiz.objects.get(course=course)
    assert quiz.shuffle_questions and quiz.shuffle_choices
    assert quiz.release_policy == "manual" and quiz.regrade_window_days == 3
    qs = list(quiz.questions.order_by("order"))
    assert [q.pool for q in qs] == ["rate", "rate", ""]
    assert qs[2].parameters == {
        "a": {"min": 2, "max": 9, "step": 1},
        "b": {"min": "0.5", "max": 3, "step": "0.5"},
    }
    assert qs[2].answer_formula == "a * b"
    ids = sorted(Question.objects.values_list("pk", flat=True))
    load_syllabus_text(syllabus_text + BANK)
    assert sorted(Question.objects.values_list("pk", flat=True)) == ids
    dumped = dump_syllabus(course)
    Quiz.objects.all().delete()
    load_syllabus_text(dumped)
    again = Quiz.objects.get()
    assert (again.shuffle_questions, again.release_policy, again.regrade_window_days) == (
        True,
        "manual",
        3,
    )
    assert [(q.pool, q.parameters, q.answer_formula) for q in again.questions.all()] == [
        (q.pool, q.parameters, q.answer_formula) for q in qs
    ]


@pytest.mark.parametrize(
    ("old", "new", "needles"),
    [
        ("max: 9}", "max: 1}", ["questions[2].parameters", "parameters.a.max"]),
        ("step: 0.5}", "step: 0}", ["parameters.b.step"]),
        ("formula: a * b", "formula: a / (b - b)", ["questions[2]", "formula", "division by zero"]),
        ("formula: a * b", "formula: a.__class__", ["questions[2]", "formula"]),
        ("formula: a * b", "formula: c * b", ["questions[2]", "formula", "'c'"]),
        ("formula: a * b", "answer: 4", None),
        ("release: manual", "release: later", ["release"]),
        ("regrade_days: 3", "regrade_days: -1", ["regrade_days"]),
        (
            '- kind: single\n        pool: rate\n        prompt: "GD on strongly',
            '- kind: single\n        pool: rate\n        points: 2\n        prompt: "GD on strongly',
            ["questions", "same points", "rate"],
        ),
    ],
)
def test_mistakes_are_refused_naming_the_field(
    syllabus_text: str, old: str, new: str, needles: list[str] | None
) -> None:
    assert old in BANK
    text = BANK.replace(old, new)
    if needles is None:  # a numeric question with parameters and a fixed answer is fine
        load_syllabus_text(syllabus_text + text)
        return
    with pytest.raises(SyllabusError) as exc:
        load_syllabus_text(syllabus_text + text)
    message = str(exc.value)
    assert "quiz_bank" in message
    for needle in needles:
        assert needle in message, message
    assert Quiz.objects.count() == 0


def test_a_reloaded_pool_keeps_the_students_draws(syllabus_text: str, make_member: Any) -> None:
    from quizzes import services

    course = load_syllabus_text(syllabus_text + BANK).course
    quiz = Quiz.objects.get()
    student = make_member(course, "student")
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=quiz.opens_at)
    load_syllabus_text(syllabus_text + BANK.replace("GD on smooth", "Gradient descent on smooth"))
    attempt.refresh_from_db()
    assert attempt.variant is not None and len(attempt.variant["questions"]) == 2
