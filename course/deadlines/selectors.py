"""Reads of the deadline machinery: extensions as plain `DueChange` values, requests' history."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet

from ..models import Course
from .models import Extension, ExtensionRequest
from .rules import DueChange


def due_changes_by_target(course: Course, target_keys: Iterable[str]) -> dict[str, list[DueChange]]:
    """Every extension granted on these targets, grouped by target key (one query)."""
    keys = list(target_keys)
    result: dict[str, list[DueChange]] = {k: [] for k in keys}
    if not keys:
        return result
    rows = Extension.objects.filter(course=course, target_key__in=keys).values_list(
        "target_key", "due_at", "student_id"
    )
    for key, due_at, student_id in rows:
        result[key].append(DueChange(due_at=due_at, student_id=student_id))
    return result


def extension_requests_of(course: Course, student: Any) -> QuerySet[ExtensionRequest]:
    return ExtensionRequest.objects.filter(course=course, student=student).order_by("-created_at")
