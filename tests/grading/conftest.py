"""Gradebook fixtures: a class of students and fake item providers that stand in for the apps."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from course.models import Course, Enrolment
from course.scores import ScoreItem, ScoresByStudent, ScoreStatus
from tests.factories import EnrolmentFactory, UserFactory


@pytest.fixture
def course(course: Course) -> Course:
    """The shared course, with the recompute its syllabus load queued marked as done.

    Loading the syllabus schedules a recompute on commit; outside transactional tests that
    commit never happens, and the still-queued mark would coalesce every later request away.
    """
    from grading.models import GradebookSnapshot

    GradebookSnapshot.objects.filter(course=course).update(queued_at=None, dirty_since=None)
    return course


@pytest.fixture
def make_class(db: Any) -> Callable[[Course, int], list[Any]]:
    """make_class(course, n) -> n active students, created in bulk."""
    User = get_user_model()

    def make(course: Course, n: int, prefix: str = "s") -> list[Any]:
        users = User.objects.bulk_create(
            [
                UserFactory.build(
                    username=f"{prefix}{i:04d}", first_name=f"First{i}", last_name=f"Last{i:04d}"
                )
                for i in range(n)
            ]
        )
        Enrolment.objects.bulk_create(
            [
                EnrolmentFactory.build(course=course, user=u, student_id=f"2098{i:04d}")
                for i, u in enumerate(users)
            ]
        )
        return users

    return make


def fake_provider(
    n_items: int, percent: int = 80, status: ScoreStatus = ScoreStatus.GRADED, prefix: str = "item"
) -> Callable[[Course], ScoresByStudent]:
    """Gives every active student `n_items` items (one query, like the real ones)."""

    def provide(course: Course) -> ScoresByStudent:
        ids = Enrolment.objects.filter(course=course, role=Enrolment.Role.STUDENT).values_list(
            "user_id", flat=True
        )
        return {
            uid: [
                ScoreItem(
                    key=f"{prefix}-{i:02d}",
                    label=f"{prefix} {i}",
                    status=status,
                    percent=Decimal(percent) if status == ScoreStatus.GRADED else None,
                )
                for i in range(n_items)
            ]
            for uid in ids
        }

    return provide


@pytest.fixture
def fake_providers() -> dict[str, Any]:
    return {
        "quizzes": fake_provider(18, 90, prefix="quiz"),
        "scribing": fake_provider(1, 85, prefix="scribe"),
        "presentations": fake_provider(1, 87, prefix="talk"),
        "project": fake_provider(4, 75, prefix="milestone"),
    }
