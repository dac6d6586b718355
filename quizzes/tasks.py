"""Thin Celery tasks: ids in, one service call, `now` read here at the edge.

`close_overdue_attempts` is meant for beat (every minute, see README): open attempts past their
deadline + grace are submitted at their deadline. Reads close overdue attempts too, so nothing
depends on the worker being up at that second. `regrades_requeue` (beat) queues again the
regrades that the broker did not take. The tasks are idempotent.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from course.queueing import queue_each_now

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


@shared_task(name="quizzes.regrades_requeue", time_limit=60, soft_time_limit=50)
def regrades_requeue() -> list[int]:
    """Beat: queue again each regrade queued long ago and not started (the broker was down when
    the answer key changed); one not queued now keeps its new mark and goes at a later run."""
    ids = services.regrades_requeue(now=timezone.now())
    queue_each_now(regrade_quiz, [(quiz_id,) for quiz_id in ids])
    return ids
