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
        "results_available": selectors.results_released(row.quiz, now, closed_for_everyone),
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


def question_dict(shown: selectors.ShownQuestion) -> dict[str, Any]:
    q = shown.question
    return {
        "id": q.pk,
        "order": q.order,
        "kind": q.kind,
        "prompt": shown.prompt,
        "points": q.points,
        "choices": [{"id": c.pk, "text": c.text} for c in shown.choices],
    }


def attempt_state(
    quiz: Quiz, attempt: Attempt, now: datetime, answers: dict[int, Any] | None = None
) -> dict[str, Any]:
    """The attempt, the student's questions (from the prefetch, in their order, with their
    values) and the saved answers (1 query, none when `answers` are given)."""
    if answers is None:
        answers = selectors.answers_by_question(attempt)
    return {
        "attempt": attempt_dict(attempt, now),
        "questions": [question_dict(s) for s in selectors.shown_questions(quiz, attempt)],
        "answers": {str(qid): a.value for qid, a in answers.items()},
    }


def correct_answer(q: Question, params: dict[str, str] | None = None) -> Any:
    if q.kind == Question.Kind.SINGLE:
        return next((c.pk for c in q.choices.all() if c.is_correct), None)
    if q.kind == Question.Kind.MULTIPLE:
        return [c.pk for c in q.choices.all() if c.is_correct]
    if q.kind == Question.Kind.NUMERIC:
        expected = selectors.question_answer(q, params or {})
        return None if expected is None else format(expected.normalize(), "f")
    return None


def _regrade_dict(r: Any) -> dict[str, Any] | None:
    if r is None:
        return None
    return {
        "id": r.pk,
        "reason": r.reason,
        "created_at": r.created_at,
        "status": r.status,
        "status_label": r.get_status_display(),
        "new_points": r.new_points,
        "reply": r.reply,
        "answered_at": r.answered_at,
    }


def result(quiz: Quiz, student: Any, now: datetime) -> dict[str, Any]:
    """The student's result once released (the view checks the release)."""
    attempt = selectors.attempt_of(quiz, student)
    if attempt is not None:
        attempt = _refreshed(attempt, now)
    acc = selectors.accommodation_of(quiz, student)
    answers = selectors.answers_by_question(attempt)
    shown = selectors.shown_questions(quiz, attempt)
    requests = selectors.regrade_requests_of(attempt)
    show = quiz.show_answers_after_close
    released_at = selectors.results_released_at(quiz)
    deadline = rules.regrade_deadline(released_at=released_at, window_days=quiz.regrade_window_days)
    may_ask = bool(
        attempt is not None
        and attempt.submitted_at is not None
        and not attempt.is_practice
        and rules.regrade_open(released=released_at is not None, deadline=deadline, now=now)
    )
    questions = []
    for s in shown:
        q = s.question
        value = answers[q.pk].value if q.pk in answers else None
        picked = set(value) if isinstance(value, list) else {value}
        questions.append(
            {
                "id": q.pk,
                "prompt": s.prompt,
                "kind": q.kind,
                "points": q.points,
                "choices": [
                    {
                        "id": c.pk,
                        "text": c.text,
                        "is_correct": c.is_correct if show else None,
                        "picked": c.pk in picked,
                        "feedback": c.feedback if c.pk in picked else "",
                    }
                    for c in s.choices
                ],
                "parameters": s.params,
                "your_answer": value,
                "your_points": answers[q.pk].points if q.pk in answers else None,
                "correct": correct_answer(q, s.params) if show else None,
                "explanation": q.explanation if show else "",
                "regrade": _regrade_dict(requests.get(q.pk)),
                "may_ask_regrade": may_ask and q.pk not in requests,
            }
        )
    return {
        "quiz": quiz.pk,
        "is_graded": quiz.is_graded,
        "attempted": attempt is not None,
        "excused": bool(acc and acc.excused),
        "points": attempt.points if attempt else None,
        "points_possible": (
            attempt.points_possible
            if attempt is not None
            else sum((s.question.points for s in shown), 0)
        ),
        "percent": attempt.percent if attempt else None,
        "pending_manual_grading": bool(attempt and attempt.needs_manual_grading),
        "regrade_deadline": deadline if may_ask else None,
        "questions": questions,
    }


def _refreshed(attempt: Attempt, now: datetime) -> Attempt:
    from .services import attempt_refresh

    return attempt_refresh(attempt=attempt, now=now)
