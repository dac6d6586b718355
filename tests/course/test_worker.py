"""A task runs end to end on a real Celery worker, the Redis broker and PostgreSQL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from course.models import Enrolment
from course.tasks import seats_rebalance_task
from tests.celery_worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_reseats_auditors(course, make_member, celery_worker):
    course.seat_capacity = 2
    course.save()
    t0 = timezone.now()
    make_member(course, "student", now=t0)
    first = make_member(course, "auditor", now=t0 + timedelta(minutes=1))
    second = make_member(course, "auditor", now=t0 + timedelta(minutes=2))
    # Seat everyone by hand, as an admin edit that bypassed the rule would.
    Enrolment.objects.filter(course=course, role="auditor").update(status="active")

    celery_worker()
    seats_rebalance_task.delay(course.pk)

    def statuses():
        return dict(
            Enrolment.objects.filter(course=course, role="auditor").values_list("user_id", "status")
        )

    assert wait_until(lambda: statuses()[second.pk] == "waitlisted", timeout=60), statuses()
    assert statuses()[first.pk] == "active"
