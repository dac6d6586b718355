"""Reads of the course: querysets with their joins built in, and typed policy access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Prefetch, QuerySet
from pydantic import BaseModel

from . import rules
from .models import (
    Announcement,
    BibliographyEntry,
    Course,
    Enrolment,
    Session,
    SessionReading,
)
from .syllabus.hooks import POLICIES, POLICY_NAMES

P = TypeVar("P", bound=BaseModel)


def course_policy(course: Course, schema: type[P]) -> P:
    """One of the course's policies as stored from its syllabus file (the section's defaults
    where the file had none), by the schema an app registered for it."""
    name = POLICY_NAMES[schema]
    stored = (course.policies or {}).get(name)
    return schema.model_validate(stored if stored is not None else POLICIES[name].default or {})


def course_policies(course: Course) -> dict[str, BaseModel]:
    """Every registered policy of the course, by its section name in the syllabus file."""
    return {name: course_policy(course, policy.schema) for name, policy in POLICIES.items()}


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
    if role == Enrolment.Role.STUDENT:
        audiences.append(Announcement.Audience.STUDENTS)
    elif role == Enrolment.Role.AUDITOR:
        audiences.append(Announcement.Audience.AUDITORS)
    elif role in (Enrolment.Role.INSTRUCTOR, Enrolment.Role.TA):
        audiences = list(Announcement.Audience)
    return Announcement.objects.filter(
        course=course, audience__in=audiences, published_at__lte=now
    ).order_by("-published_at")


def active_students(course: Course) -> QuerySet[Enrolment]:
    """Registered students who count for grades, with their user row joined."""
    return (
        Enrolment.objects.filter(
            course=course, role=Enrolment.Role.STUDENT, status=Enrolment.Status.ACTIVE
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def enrolments_of_user(user: Any) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(user=user)
        .exclude(status=Enrolment.Status.DROPPED)
        .select_related("course")
        .order_by("-course__term_start")
    )
