"""Reads of the notification machinery."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ..models import Course
from .models import Notification, NotificationPreference


def notifications_for(user: Any, course: Course) -> QuerySet[Notification]:
    """The reader's notifications, newest first, with their course (its subject prefix)."""
    return (
        Notification.objects.filter(recipient=user, course=course)
        .select_related("course")
        .order_by("-created_at", "-pk")
    )


def unread_count(user: Any, course: Course) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, course=course, read_at__isnull=True).count()


def disabled_kinds(user: Any) -> set[str]:
    return set(
        NotificationPreference.objects.filter(user=user, enabled=False).values_list(
            "kind", flat=True
        )
    )
