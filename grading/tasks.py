"""Thin tasks: recompute a course's gradebook; a periodic sweep for changes made elsewhere."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import shared_task
from django.utils import timezone

from course.models import Course


@shared_task(time_limit=90, soft_time_limit=75, acks_late=True, reject_on_worker_lost=True)
def recompute_gradebook(course_id: int) -> dict[str, Any]:
    """Idempotent: upserts the course's one snapshot row, so a run lost with its worker may run
    again: it stays on the broker until it finishes and is handed to another worker after the
    visibility timeout (COURSEKIT_BROKER_VISIBILITY_TIMEOUT, above this 10 s countdown + 90 s
    time limit); the course's "queued" marker lapses with it (services.stale_queue)."""
    from . import services

    course = Course.objects.filter(pk=course_id).first()
    if course is None:
        return {"course": course_id, "skipped": "no such course"}
    result = services.gradebook_recompute(course=course, now=timezone.now())
    return {"course": course_id, "students": result.students, "ms": result.duration_ms}


@shared_task(time_limit=600, soft_time_limit=540)
def refresh_gradebooks() -> list[int]:
    """Periodic (Celery beat): recompute the running courses whose inputs fingerprint changed.

    Catches the changes made in the other apps (a quiz submitted, a grade entered, a weight
    changed) without them importing grading/.
    """
    from . import services

    now = timezone.now()
    changed = []
    today = timezone.localdate(now)
    for course in Course.objects.filter(
        term_start__lte=today, term_end__gte=today - timedelta(days=60)
    ):
        if services.gradebook_recompute(course=course, now=now, force=False).changed:
            changed.append(course.pk)
    return changed
