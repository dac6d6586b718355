"""Reads of the course: querysets with their joins built in, and typed policy access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet

from . import rules
from .models import (
    Announcement,
    BibliographyEntry,
    Course,
    Enrollment,
    Session,
    SessionReading,
)
from .syllabus.schema import Policies


def course_policies(course: Course) -> Policies:
    """The validated policies stored from the syllabus (defaults where a section was absent)."""
    return Policies.model_validate(course.policies or {"grading": _DEFAULT_GRADING})


_DEFAULT_GRADING = {
    "components": [
        {"key": "participation", "label": "Participation", "weight": 5, "source": "participation"},
        {"key": "scribing", "label": "Scribing", "weight": 10, "source": "scribing"},
        {"key": "quizzes", "label": "Daily quizzes", "weight": 15, "source": "quizzes"},
        {"key": "early_exam", "label": "Early in-class exam", "weight": 5, "source": "exam"},
        {"key": "midterm", "label": "Midterm", "weight": 15, "source": "exam"},
        {
            "key": "presentations",
            "label": "Paper presentations",
            "weight": 15,
            "source": "presentations",
        },
        {"key": "project", "label": "Research project", "weight": 35, "source": "project"},
    ]
}


def schedule_sessions(course: Course) -> QuerySet[Session]:
    return (
        Session.objects.filter(course=course)
        .prefetch_related(
            Prefetch(
                "session_readings",
                queryset=SessionReading.objects.select_related("entry").order_by(
                    "-required", "order"
                ),
            )
        )
        .order_by("starts_at")
    )


@dataclass(frozen=True)
class ScheduleRow:
    session: Session
    week: int
    is_past: bool
    is_next: bool
    extras: dict[str, Any]


def schedule_rows(course: Course, now: datetime) -> list[ScheduleRow]:
    sessions = list(schedule_sessions(course))
    nxt = rules.next_session_index([s.ends_at for s in sessions], now)
    return [
        ScheduleRow(
            session=s,
            week=rules.term_week(course.term_start, s.date),
            is_past=s.ends_at <= now,
            is_next=i == nxt,
            extras={},
        )
        for i, s in enumerate(sessions)
    ]


def resources(course: Course) -> QuerySet[BibliographyEntry]:
    return BibliographyEntry.objects.filter(course=course, is_resource=True).order_by(
        "resource_order"
    )


def announcements_for(course: Course, role: str | None, now: datetime) -> QuerySet[Announcement]:
    audiences = [Announcement.Audience.EVERYONE]
    if role == Enrollment.Role.STUDENT:
        audiences.append(Announcement.Audience.STUDENTS)
    elif role == Enrollment.Role.AUDITOR:
        audiences.append(Announcement.Audience.AUDITORS)
    elif role in (Enrollment.Role.INSTRUCTOR, Enrollment.Role.TA):
        audiences = list(Announcement.Audience)
    return Announcement.objects.filter(
        course=course, audience__in=audiences, published_at__lte=now
    ).order_by("-published_at")


def active_students(course: Course) -> QuerySet[Enrollment]:
    """Registered students who count for grades, with their user row joined."""
    return (
        Enrollment.objects.filter(
            course=course, role=Enrollment.Role.STUDENT, status=Enrollment.Status.ACTIVE
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def enrollments_of_user(user: Any) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(user=user)
        .exclude(status=Enrollment.Status.DROPPED)
        .select_related("course")
        .order_by("-course__term_start")
    )
