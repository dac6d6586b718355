"""Celery tasks of the ground floor. Thin: take ids, call a service."""

from __future__ import annotations

from celery import shared_task

from . import services
from .models import Course
from .queueing import queue_each_on_commit

MAX_RETRY_COUNTDOWN = 60  # seconds a send retry may wait on the broker (see send_message)


@shared_task(name="course.seats_rebalance", acks_late=True, time_limit=60, soft_time_limit=50)
def seats_rebalance_task(course_id: int) -> dict[str, int]:
    """Re-seat auditors (idempotent: the plan depends only on the current enrolments)."""
    course = Course.objects.get(pk=course_id)
    plan = services.seats_rebalance(course=course)
    return {"admitted": len(plan.admitted), "waitlisted": len(plan.waitlisted)}


# --- notifications (course/notifications/) ----------------------------------------------------


# acks_late tasks: their time limit stays under the broker's visibility timeout (110 s,
# COURSEKIT_BROKER_VISIBILITY_TIMEOUT), after which a task still unacknowledged is redelivered.


@shared_task(name="course.dispatch_reminders", acks_late=True, time_limit=100, soft_time_limit=80)
def dispatch_reminders(course_ids: list[int] | None = None) -> dict[str, int]:
    """Run by beat every few minutes: record what is due once, queue each pending message.

    Beat passes no argument (every course within a month of its term); "send now" passes the
    announcement's course.

    Idempotent (rows are unique), so acks_late is safe; it also re-queues messages still
    pending long after they were queued (their worker died), so nothing is lost.
    """
    from django.utils import timezone

    from .notifications import services as notification_services

    courses = Course.objects.filter(pk__in=course_ids) if course_ids is not None else None
    report = notification_services.dispatch_due(now=timezone.now(), courses=courses)
    # claim_pending marked them queued: one not queued (broker down) goes again at a later
    # dispatch, once its mark is older than COURSEKIT_NOTIFY_REQUEUE_AFTER_SECONDS.
    queue_each_on_commit(send_message, [(outbox_id,) for outbox_id in report.to_queue])
    return {
        "reminders": report.considered,
        "notifications": report.notifications_created,
        "messages": report.messages_created,
        "queued": len(report.to_queue),
    }


@shared_task(
    name="course.send_message",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=8,
    time_limit=90,
    soft_time_limit=60,
)
def send_message(self, outbox_id: int) -> str:
    """Send one outbox message (skipped unless still pending); retried with back-off on failure."""
    from django.utils import timezone

    from .notifications import services as notification_services

    outcome = notification_services.outbox_send(outbox_id=outbox_id, now=timezone.now())
    # A longer wait is left to the dispatcher, which re-queues the message once its back-off
    # is over: a task waiting on a countdown past the broker's visibility timeout would be
    # handed out again meanwhile.
    if (
        outcome.status == "retry"
        and not self.request.is_eager
        and outcome.retry_in <= MAX_RETRY_COUNTDOWN
    ):
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status
