"""Finalise overdue attempts in one pass, before a read (the gradebook, a student's pages).

An attempt left open is submitted at its deadline by the `close_overdue_attempts` task, and
also whenever it is next read, so nothing depends on the worker being up at that second.
`services.attempt_refresh` does it for one attempt; this module does it for every overdue
attempt of a course (or of some quizzes, or of some students) in a fixed number of queries:
one when nothing is overdue (the usual case), otherwise seven whatever their number (plus a
savepoint and its release inside an outer transaction): the answers and attempts are written
in bulk.

The result is the same as `services.attempt_submit(attempt=..., now=...)` on each of them:
submitted at the deadline, `submitted_by_timeout`, auto-graded (text answers wait for a
grader), with the same grading (`services.grade_totals`); tests/quizzes/test_finalise.py
holds the two side by side.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from . import rules
from .models import Answer, Attempt, Question
from .services import grade_totals

_ATTEMPT_FIELDS = [
    "submitted_at",
    "submitted_by_timeout",
    "points",
    "points_possible",
    "percent",
    "needs_manual_grading",
]


def finalise_overdue(
    *,
    now: datetime,
    course: Any = None,
    quiz_ids: Iterable[int] | None = None,
    student_ids: Iterable[int] | None = None,
) -> int:
    """Submit (at its deadline) and grade every open attempt past its deadline + grace, within
    the course / quizzes / students given. Returns how many. Idempotent; safe beside a
    concurrent submit or answer (the rows are locked and re-read before they are written)."""
    candidates = Attempt.objects.filter(submitted_at__isnull=True, deadline__lt=now)
    if course is not None:
        candidates = candidates.filter(quiz__course=course)
    if quiz_ids is not None:
        candidates = candidates.filter(quiz_id__in=list(quiz_ids))
    if student_ids is not None:
        candidates = candidates.filter(student_id__in=list(student_ids))
    overdue = [
        pk
        for pk, deadline, grace in candidates.values_list("pk", "deadline", "quiz__grace_seconds")
        if rules.is_overdue(now=now, deadline=deadline, grace=timedelta(seconds=grace))
    ]
    if not overdue:
        return 0
    with transaction.atomic():
        attempts = [
            a
            for a in Attempt.objects.select_for_update(of=("self",))
            .filter(pk__in=overdue, submitted_at__isnull=True)
            .select_related("quiz")
            .order_by("pk")
            if rules.is_overdue(now=now, deadline=a.deadline, grace=a.quiz.grace)
        ]
        if not attempts:
            return 0
        questions: dict[int, list[Question]] = {}
        for q in Question.objects.filter(
            quiz_id__in={a.quiz_id for a in attempts}
        ).prefetch_related("choices"):
            questions.setdefault(q.quiz_id, []).append(q)
        answers: dict[int, dict[int, Answer]] = {a.pk: {} for a in attempts}
        for answer in Answer.objects.filter(attempt__in=attempts):
            answers[answer.attempt_id][answer.question_id] = answer
        changed: list[Answer] = []
        for attempt in attempts:
            attempt.submitted_at = min(now, attempt.deadline)
            attempt.submitted_by_timeout = True
            changed += grade_totals(
                attempt, questions.get(attempt.quiz_id, []), answers[attempt.pk]
            )
        if changed:
            Answer.objects.bulk_update(changed, ["points"])
        Attempt.objects.bulk_update(attempts, _ATTEMPT_FIELDS)
    return len(attempts)
