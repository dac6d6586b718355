"""Celery tasks of the ground floor. Thin: take ids, call a service."""

from __future__ import annotations

from celery import shared_task

from . import services
from .models import Course


@shared_task(name="course.seats_rebalance", acks_late=True, time_limit=60)
def seats_rebalance_task(course_id: int) -> dict[str, int]:
    """Re-seat auditors (idempotent: the plan depends only on the current enrolments)."""
    course = Course.objects.get(pk=course_id)
    plan = services.seats_rebalance(course=course)
    return {"admitted": len(plan.admitted), "waitlisted": len(plan.waitlisted)}
