"""The demo hook (idempotent, one quiz open now, graded past quizzes) and the quiz_bank section."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from course.demo import load_demo
from course.scores import ScoreStatus
from course.syllabus.parsing import SyllabusError
from course.syllabus.selectors import dump_syllabus
from course.syllabus.services import load_syllabus_text
from quizzes import selectors, services
from quizzes.models import Answer, Attempt, Choice, Question, Quiz
from tests.present import present

from .conftest import questions


@pytest.mark.django_db
def test_demo_quizzes(django_assert_max_num_queries: Any) -> None:
    now = timezone.now()
    report, _people = load_demo(now=now)
    course = report.course
    quizzes = list(Quiz.objects.filter(course=course).order_by("opens_at"))
    assert len(quizzes) >= 8
    assert quizzes[0].is_self_assessment and not any(q.is_self_assessment for q in quizzes[1:])
    assert all(3 <= q.questions.count() <= 5 for q in quizzes)
    open_now = [q for q in quizzes if q.opens_at <= now <= q.closes_at]
    assert len(open_now) == 1
    assert (open_now[0].closes_at - now).total_seconds() > 3600
    counts = (
        Quiz.objects.count(),
        Attempt.objects.count(),
        Answer.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
    )
    load_demo(now=now)  # idempotent
    assert counts == (
        Quiz.objects.count(),
        Attempt.objects.count(),
        Answer.objects.count(),
        Question.objects.count(),
        Choice.objects.count(),
    )
    items = selectors.gradebook_items(course, now)
    statuses = {i.status for its in items.values() for i in its}
    assert {ScoreStatus.GRADED, ScoreStatus.MISSING, ScoreStatus.PENDING} <= statuses
    percents = {i.percent for its in items.values() for i in its if i.percent is not None}
    assert len(percents) > 3  # scores vary
    # A visitor (demo student) can start the open quiz at once.
    student = present(course.enrolments.filter(role="student").first()).user
    attempt, created = services.attempt_start(quiz=open_now[0], student=student, now=now)
    assert created or attempt.submitted_at is None


BANK = """
quiz_bank:
  - date: 2021-01-13
    title: Self-assessment
    self_assessment: true
    questions:
      - kind: single
        prompt: "What is $\\\\nabla \\\\frac12 x^2$?"
        choices: [{text: "$x$", correct: true}, {text: "$x^2$"}]
      - {kind: numeric, prompt: "2+2?", answer: 4, tolerance: 0.5}
  - date: 2021-01-14
    title: Gradient descent
    duration_minutes: 5
    questions:
      - kind: multiple
        prompt: Pick the convex ones
        choices: [{text: "$x^2$", correct: true}, {text: "$|x|$", correct: true}, {text: "$-x^2$"}]
      - {kind: text, prompt: "Why?"}
"""


@pytest.mark.django_db
def test_quiz_bank_loads_dumps_and_reloads(syllabus_text: str) -> None:
    course = load_syllabus_text(syllabus_text + BANK).course
    quizzes = list(Quiz.objects.filter(course=course).order_by("opens_at"))
    assert [q.title for q in quizzes] == ["Self-assessment", "Gradient descent"]
    assert quizzes[0].is_self_assessment and quizzes[1].duration_seconds == 300
    assert quizzes[1].opens_at == quizzes[1].session.starts_at
    ids = sorted(Question.objects.values_list("pk", flat=True))
    load_syllabus_text(syllabus_text + BANK)  # idempotent: same rows
    assert sorted(Question.objects.values_list("pk", flat=True)) == ids
    dumped = dump_syllabus(course)
    assert "quiz_bank:" in dumped and "Gradient descent" in dumped
    Quiz.objects.all().delete()
    load_syllabus_text(dumped)
    assert Quiz.objects.count() == 2 and Question.objects.count() == 4


@pytest.mark.django_db
def test_quiz_bank_reload_regrades(syllabus_text: str, make_member: Callable) -> None:
    course = load_syllabus_text(syllabus_text + BANK).course
    quiz = Quiz.objects.get(title="Self-assessment")
    student = make_member(course, "student")
    attempt, _ = services.attempt_start(quiz=quiz, student=student, now=quiz.opens_at)
    services.answer_save(
        quiz=quiz,
        student=student,
        question_id=questions(quiz)["numeric"].pk,
        value="5",
        now=quiz.opens_at,
    )
    attempt = services.attempt_submit(attempt=attempt, now=quiz.opens_at)
    assert attempt.points == 0
    load_syllabus_text(syllabus_text + BANK.replace("tolerance: 0.5", "tolerance: 1"))
    attempt.refresh_from_db()
    assert attempt.points == 1


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ("prompt: Pick the convex ones", None),
        ("date: 2021-01-14", "date: 2021-01-15"),
        (
            '{kind: numeric, prompt: "2+2?", answer: 4, tolerance: 0.5}',
            '{kind: numeric, prompt: "2+2?"}',
        ),
    ],
)
@pytest.mark.django_db
def test_quiz_bank_refused(syllabus_text: str, bad: str, needle: str | None) -> None:
    text = (
        BANK.replace(bad, needle)
        if needle
        else BANK.replace('{text: "$x$", correct: true}', '{text: "$x$"}')
    )
    with pytest.raises(SyllabusError) as exc:
        load_syllabus_text(syllabus_text + text)
    assert "quiz_bank" in str(exc.value)
    assert Quiz.objects.count() == 0
