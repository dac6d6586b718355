"""Demo content: under `make run` the welcome announcement really goes out (console e-mail)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError

from ..models import Announcement, Course
from .services import announcement_request_send


def send_welcome_announcement(course: Course, now: datetime) -> None:
    """Ask once for the earliest announcement to everyone to be sent now (idempotent)."""
    announcement = (
        Announcement.objects.filter(course=course, audience=Announcement.Audience.EVERYONE)
        .order_by("published_at", "pk")
        .first()
    )
    if announcement is None:
        return
    try:
        announcement_request_send(announcement=announcement, requested_by=None, send_at=now)
    except ValidationError:
        return
    from ..queueing import queue_on_commit
    from ..tasks import dispatch_reminders

    # Queued now; the worker that `make run` starts right after picks it up (or beat's next
    # dispatch, which reads the delivery row, if the broker was not there).
    queue_on_commit(dispatch_reminders, [course.pk])


def register() -> None:
    from ..demo import register_demo_hook

    register_demo_hook("course.notifications", send_welcome_announcement)
