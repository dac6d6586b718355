"""Queue Celery tasks when the transaction commits, without a broker outage failing the request.

Every write that hands work to the worker records that work in the database first (an outbox
row, a queue marker, a dirty flag), so a task that could not be queued is only late: a periodic
task picks the work up once the broker is back. A broker that is down therefore costs a log
line, not a 500 after the data was saved; the caller may pass `then` to tell the user whether
the task is queued.

The catch-up of each caller, for the reader who wonders what happens to a task not queued:

- an outgoing message (e-mail, Slack): `course.dispatch_reminders` (beat, every 5 minutes)
  queues again every pending message never queued or queued longer ago than
  `COURSEKIT_NOTIFY_REQUEUE_AFTER_SECONDS`;
- an announcement to send now: the same dispatch reads its delivery row;
- a gradebook recompute: `grading.tasks.refresh_gradebooks` (every 2 minutes), and the course's
  queue marker lapses after the broker's visibility timeout;
- a grade post to the LMS: `lti.grades_posts_requeue` (every 5 minutes) reads the course's queue
  marker once it is older than `lti.services.GRADES_POST_STALE`;
- a quiz regrade: `quizzes.regrades_requeue` (every 2 minutes) reads the quiz's queue marker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def queue_on_commit(
    task: Any,
    *args: Any,
    countdown: int | None = None,
    then: Callable[[bool], None] | None = None,
) -> None:
    """Queue `task(*args)` once the current transaction commits (at once outside one).

    A broker that cannot be reached is logged, never raised; `then(queued)` is called after
    the attempt, still inside the request when the request's transaction commits."""
    queue_each_on_commit(task, [args], countdown=countdown, then=then)


def queue_each_on_commit(
    task: Any,
    calls: Iterable[Sequence[Any]],
    *,
    countdown: int | None = None,
    then: Callable[[bool], None] | None = None,
) -> None:
    """Queue `task(*args)` for each args of `calls` on commit, as `queue_each_now` does."""
    calls = [tuple(c) for c in calls]

    def publish() -> None:
        queued = queue_each_now(task, calls, countdown=countdown)
        if then is not None:
            then(queued)

    transaction.on_commit(publish)


def queue_each_now(
    task: Any, calls: Iterable[Sequence[Any]], *, countdown: int | None = None
) -> bool:
    """Queue `task(*args)` for each args of `calls` now (a task queueing others, outside any
    transaction); stop at the first broker failure, since the others would each wait for the
    broker in turn. Returns whether every call was queued."""
    calls = [tuple(c) for c in calls]
    options = {} if countdown is None else {"countdown": countdown}
    for done, args in enumerate(calls):
        try:
            task.apply_async(args, **options)
        except OperationalError as exc:  # kombu's name for any broker connection error
            logger.error(
                "Broker unreachable: task %s not queued (%d of %d left to its catch-up): %s",
                task.name,
                len(calls) - done,
                len(calls),
                exc,
            )
            return False
    return True
