"""Thin Celery tasks: ids in, one service call, `now` read here at the edge.

`close_overdue_attempts` is meant for beat (every minute, see README): open attempts past their
deadline + grace are submitted at their deadline. Reads close overdue attempts too, so nothing
depends on the worker being up at that second. Both tasks are idempotent.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(
    name="quizzes.close_overdue_attempts", acks_late=True, time_limit=120, soft_time_limit=100
)
def close_overdue_attempts(quiz_id: int | None = None) -> int:
    return services.close_overdue(now=timezone.now(), quiz_id=quiz_id)


@shared_task(name="quizzes.regrade_quiz", acks_late=True, time_limit=300, soft_time_limit=280)
def regrade_quiz(quiz_id: int) -> int:
    """Regrade every submitted attempt of a quiz after its answer key changed."""
    return services.quiz_regrade(quiz_id=quiz_id)
