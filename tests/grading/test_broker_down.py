"""An exam score entered with the broker down (a REAL Redis URL on a closed port): the score is
saved, the recompute not queued is logged, and beat's refresh_gradebooks recomputes the course
once the broker is back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import time_machine

from grading import services, tasks
from grading.models import ExamScore, GradebookSnapshot

from .test_services import IN_TERM

pytestmark = pytest.mark.django_db


def test_a_score_saved_with_the_broker_down_is_recomputed_by_beat(
    course: Any,
    make_member: Any,
    broker_down: Any,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    student = make_member(course, "student")
    with time_machine.travel(IN_TERM, tick=False):
        GradebookSnapshot.objects.filter(course=course).update(queued_at=None, dirty_since=None)
        with django_capture_on_commit_callbacks(execute=True):
            services.exam_score_set(
                course=course,
                student_id=student.pk,
                component_key="midterm",
                score=Decimal(30),
                out_of=Decimal(50),
            )
        assert ExamScore.objects.filter(student=student, component_key="midterm").exists()
        assert [
            r
            for r in caplog.records
            if "task grading.tasks.recompute_gradebook not queued" in r.getMessage()
        ]
        snap = GradebookSnapshot.objects.get(course=course)
        assert snap.dirty_since is not None

        broker_down.back()
        assert tasks.refresh_gradebooks() == [course.pk]  # beat, every 2 minutes
    snap = GradebookSnapshot.objects.get(course=course)
    assert snap.computed_at == IN_TERM and snap.dirty_since is None and snap.queued_at is None
