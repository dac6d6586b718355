"""The last scribe seat taken by two students at the same instant goes to one (PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from course.models import Enrolment
from scribing import services
from scribing.models import ScribeAssignment, ScribeSlot

from .conftest import at


def _race(calls: list[Any]) -> tuple[list[Any], list[Exception]]:
    barrier = threading.Barrier(len(calls))
    done: list[Any] = []
    errors: list[Exception] = []

    def run(fn: Any) -> None:
        from django.db import connection as conn

        try:
            barrier.wait()
            done.append(fn())
        except Exception as exc:  # collected and checked below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return done, errors


@pytest.mark.django_db(transaction=True)
def test_last_seat_goes_to_one(course: Any, make_member: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL; run with DATABASE_URL=postgres://...")
    services.slots_sync(course=course)
    slot = ScribeSlot.objects.select_related("course", "session").order_by("session__starts_at")[4]
    first = make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1))
    services.scribe_slot_claim(slot=slot, student=first, now=at(2021, 1, 1))  # one seat left
    for _round in range(3):
        a = make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1))
        b = make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1))
        done, errors = _race(
            [
                lambda a=a: services.scribe_slot_claim(slot=slot, student=a, now=at(2021, 1, 1)),
                lambda b=b: services.scribe_slot_claim(slot=slot, student=b, now=at(2021, 1, 1)),
            ]
        )
        assert len(done) == 1 and len(errors) == 1
        assert isinstance(errors[0], ValidationError)
        assert "no free scribe seat" in " ".join(errors[0].messages)
        assert ScribeAssignment.objects.filter(slot=slot).count() == 2
        ScribeAssignment.objects.filter(slot=slot).exclude(student=first).delete()


@pytest.mark.django_db(transaction=True)
def test_one_student_two_tabs_two_slots(course: Any, make_member: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL; run with DATABASE_URL=postgres://...")
    services.slots_sync(course=course)
    slots = list(
        ScribeSlot.objects.select_related("course", "session").order_by("session__starts_at")[3:5]
    )
    student = make_member(course, Enrolment.Role.STUDENT, now=at(2021, 1, 1))
    done, errors = _race(
        [
            lambda s=s: services.scribe_slot_claim(slot=s, student=student, now=at(2021, 1, 1))
            for s in slots
        ]
    )
    # Either the second click waits and becomes a swap, or it is refused cleanly; never two.
    assert len(done) + len(errors) == 2 and done
    assert all(isinstance(e, ValidationError) for e in errors)
    assert ScribeAssignment.objects.filter(student=student).count() == 1
