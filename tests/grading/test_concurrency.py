"""Races decided by PostgreSQL: the recompute coalescing and overrides (skipped on SQLite)."""

from __future__ import annotations

import itertools
import threading
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection, connections

from grading import services
from grading.models import GradebookSnapshot, GradeOverride, OverrideAuditLog


def _require_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL; run with DATABASE_URL=postgres://...")


def _run_together(n: int, fn: Any) -> list[Any]:
    barrier = threading.Barrier(n)
    results: list[Any] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        try:
            barrier.wait()
            out = fn(i)
        except Exception as exc:  # reported to the test
            out = exc
        finally:
            connections.close_all()
        with lock:
            results.append(out)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_simultaneous_triggers_queue_one_run(course: Any, monkeypatch: Any) -> None:
    _require_postgres()
    from grading import tasks

    queued: list[Any] = []
    monkeypatch.setattr(
        tasks.recompute_gradebook,
        "apply_async",  # queued on commit: these transactions commit for real
        lambda args, countdown: queued.append(args),
    )
    results = _run_together(12, lambda i: services.gradebook_schedule_recompute(course))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results.count(True) == 1 and len(queued) == 1
    assert GradebookSnapshot.objects.filter(course=course).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_overrides_of_one_target(
    course: Any, make_member: Any, monkeypatch: Any
) -> None:
    _require_postgres()
    from grading import tasks

    monkeypatch.setattr(tasks.recompute_gradebook, "apply_async", lambda *a, **k: None)
    student = make_member(course, "student")
    staff = make_member(course, "instructor")
    results = _run_together(
        6,
        lambda i: services.override_set(
            course=course,
            student_id=student.pk,
            component_key="midterm",
            value=D(80 + i),
            reason=f"regrade {i}",
            actor=staff,
        ),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert GradeOverride.objects.count() == 1
    # Every change is in the log, each one's old value the previous one's new value.
    log = list(OverrideAuditLog.objects.order_by("pk").values_list("old_value", "new_value"))
    assert log[0][0] is None
    for (_, new), (old, _) in itertools.pairwise(log):
        assert old == new
    assert log[-1][1] == GradeOverride.objects.get().value
