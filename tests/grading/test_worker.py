"""A real Celery worker on Redis and PostgreSQL: a gradebook recompute lost with its worker
(SIGKILL while it runs, its message taken and not acknowledged) runs again on another worker
once the broker's visibility timeout has passed, with no beat; and the course's "queued"
marker lapses with that timeout, so a change made meanwhile queues a run again.

Run with DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://127.0.0.1:6379/N; skipped
otherwise (failed with REQUIRE_WORKER=1).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from grading import services
from grading.models import GradebookSnapshot
from grading.tasks import recompute_gradebook
from tests.celery_worker import celery_worker, wait_until  # noqa: F401

VISIBILITY = "4"  # seconds, for the test; 110 by default


def _runs(course: Any) -> int:
    return GradebookSnapshot.objects.get(course=course).runs


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_recompute_lost_with_its_worker_runs_again(course: Any, celery_worker: Any) -> None:  # noqa: F811
    services.gradebook_recompute(course=course)
    before = _runs(course)
    worker = celery_worker(
        COURSEKIT_TEST_SLOW_TASK="grading.tasks.recompute_gradebook:60",
        COURSEKIT_BROKER_VISIBILITY_TIMEOUT=VISIBILITY,
    )
    recompute_gradebook.delay(course.pk)
    assert wait_until(lambda: "recompute_gradebook[" in worker.log(), 30), celery_worker.log()
    worker.kill()
    assert _runs(course) == before

    celery_worker(COURSEKIT_BROKER_VISIBILITY_TIMEOUT=VISIBILITY)
    assert wait_until(lambda: _runs(course) == before + 1, 30), celery_worker.log()


def test_the_queued_marker_lapses_with_the_visibility_timeout(course: Any, settings: Any) -> None:
    settings.COURSEKIT_BROKER_VISIBILITY_TIMEOUT = 110
    now = timezone.now()
    assert services.gradebook_schedule_recompute(course, now=now)
    # Queued, not run (the worker died with it): a change within the timeout rides along...
    assert not services.gradebook_schedule_recompute(course, now=now + timedelta(seconds=100))
    # ...after it, the run is presumed lost and another one is queued.
    assert services.gradebook_schedule_recompute(course, now=now + timedelta(seconds=111))
