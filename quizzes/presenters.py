"""Plain dicts for the pages and the API (shapes only: no rule, no write)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import rules, selectors
from .models import Attempt, Question, Quiz
from .selectors import QuizRow


def remaining(attempt: Attempt, now: datetime) -> int:
    if attempt.submitted_at is not None:
        return 0
    return rules.remaining_seconds(now=now, deadline=attempt.deadline)


def attempt_status(attempt: Attempt | None) -> str:
    if attempt is None:
        return "none"
    return "open" if attempt.submitted_at is None else "submitted"


def quiz_summary(row: QuizRow, closed_for_everyone: datetime, now: datetime) -> dict[str, Any]:
    quiz = row.quiz
    return {
        "id": quiz.pk,
        "title": quiz.title,
        "session_date": quiz.session.date,
        "session_number": quiz.session.number,
        "is_graded": quiz.is_graded,
        "opens_at": row.terms.window.opens_at,
        "closes_at": row.terms.window.closes_at,
        "duration_seconds": quiz.duration_seconds + int(row.terms.extra.total_seconds()),
        "requires_access_code": quiz.requires_access_code,
        "state": row.state,
        "excused": row.terms.excused,
        "attempt_status": attempt_status(row.attempt),
        "results_available": now > closed_for_everyone,
    }


def readings(quiz: Quiz) -> list[dict[str, Any]]:
    return [
        {
            "key": r.entry.key,
            "title": r.entry.title,
            "url": r.entry.url,
            "required": r.required,
            "detail": r.detail,
        }
        for r in quiz.session.session_readings.all()
    ]


def attempt_dict(attempt: Attempt, now: datetime) -> dict[str, Any]:
    return {
        "id": attempt.pk,
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at,
        "submitted_by_timeout": attempt.submitted_by_timeout,
        "is_open": attempt.submitted_at is None,
        "is_practice": attempt.is_practice,
        "remaining_seconds": remaining(attempt, now),
    }


def question_dict(q: Question) -> dict[str, Any]:
    return {
        "id": q.pk,
        "order": q.order,
        "kind": q.kind,
        "prompt": q.prompt,
        "points": q.points,
        "choices": [{"id": c.pk, "text": c.text} for c in q.choices.all()],
    }


def attempt_state(
    quiz: Quiz, attempt: Attempt, now: datetime, answers: dict[int, Any] | None = None
) -> dict[str, Any]:
    """The attempt, the questions (from the prefetch) and the saved answers (1 query, none
    when `answers` are given)."""
    if answers is None:
        answers = selectors.answers_by_question(attempt)
    return {
        "attempt": attempt_dict(attempt, now),
        "questions": [question_dict(q) for q in quiz.questions.all()],
        "answers": {str(qid): a.value for qid, a in answers.items()},
    }


def correct_answer(q: Question) -> Any:
    if q.kind == Question.Kind.SINGLE:
        return next((c.pk for c in q.choices.all() if c.is_correct), None)
    if q.kind == Question.Kind.MULTIPLE:
        return [c.pk for c in q.choices.all() if c.is_correct]
    if q.kind == Question.Kind.NUMERIC:
        return None if q.numeric_answer is None else str(q.numeric_answer.normalize())
    return None


def result(quiz: Quiz, student: Any, now: datetime) -> dict[str, Any]:
    """The student's result after close (the view checks the quiz closed for everyone)."""
    attempt = selectors.attempt_of(quiz, student)
    if attempt is not None:
        attempt = _refreshed(attempt, now)
    acc = selectors.accommodation_of(quiz, student)
    answers = selectors.answers_by_question(attempt)
    questions = list(quiz.questions.all())
    show = quiz.show_answers_after_close
    return {
        "quiz": quiz.pk,
        "is_graded": quiz.is_graded,
        "attempted": attempt is not None,
        "excused": bool(acc and acc.excused),
        "points": attempt.points if attempt else None,
        "points_possible": sum((q.points for q in questions), 0),
        "percent": attempt.percent if attempt else None,
        "pending_manual_grading": bool(attempt and attempt.needs_manual_grading),
        "questions": [
            {
                "id": q.pk,
                "prompt": q.prompt,
                "kind": q.kind,
                "points": q.points,
                "choices": [
                    {"id": c.pk, "text": c.text, "is_correct": c.is_correct if show else None}
                    for c in q.choices.all()
                ],
                "your_answer": answers[q.pk].value if q.pk in answers else None,
                "your_points": answers[q.pk].points if q.pk in answers else None,
                "correct": correct_answer(q) if show else None,
                "explanation": q.explanation if show else "",
            }
            for q in questions
        ],
    }


def _refreshed(attempt: Attempt, now: datetime) -> Attempt:
    from .services import attempt_refresh

    return attempt_refresh(attempt=attempt, now=now)
