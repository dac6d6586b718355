"""Against the real Redis broker and a real Celery worker: once, and never lost.

Run with DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://127.0.0.1:6379/N; skipped
otherwise (failed with REQUIRE_WORKER=1).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from course.models import Announcement
from course.notifications import services
from course.notifications.models import OutboxMessage
from course.tasks import dispatch_reminders
from tests.celery_worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _announce(course, make_member, n_students: int) -> Announcement:
    for i in range(n_students):
        make_member(course, "student", f"s{i:02d}")
    now = timezone.now()
    a = Announcement.objects.create(
        course=course,
        title="Room change",
        body="Z-210 from now on.",
        audience="everyone",
        published_at=now,
    )
    services.announcement_request_send(announcement=a, requested_by=None, send_at=now)
    return a


def _all_sent() -> bool:
    return not OutboxMessage.objects.filter(status="pending").exists()


def test_a_due_reminder_is_delivered_once(course, make_member, celery_worker):
    _announce(course, make_member, 3)
    celery_worker()
    dispatch_reminders.delay([course.pk])
    assert wait_until(lambda: OutboxMessage.objects.filter(status="sent").count() == 3, 60), (
        celery_worker.log()
    )
    # A second dispatch finds nothing new to send.
    dispatch_reminders.delay([course.pk])
    assert wait_until(lambda: celery_worker.log().count("course.dispatch_reminders") >= 4, 30)
    time.sleep(0.5)
    outbox_ids = celery_worker.mail_headers("X-Coursekit-Outbox")
    assert len(outbox_ids) == 3
    assert Counter(outbox_ids).most_common(1)[0][1] == 1
    subjects = celery_worker.mail_headers("Subject")
    assert subjects == ["TST101: Room change"] * 3


def test_killing_the_worker_mid_batch_loses_nothing_and_duplicates_nothing(
    course, make_member, celery_worker
):
    n = 12
    _announce(course, make_member, n)
    worker = celery_worker(
        COURSEKIT_TEST_MAIL_DELAY="0.5",
        COURSEKIT_NOTIFY_REQUEUE_AFTER_SECONDS="2",
        COURSEKIT_NOTIFY_CLAIM_SECONDS="2",
    )
    dispatch_reminders.delay([course.pk])
    assert wait_until(lambda: len(celery_worker.mail_headers("X-Coursekit-Outbox")) >= 3, 60), (
        celery_worker.log()
    )
    time.sleep(0.25)  # in the middle of the next message's (slow) send
    worker.kill()
    sent_before = OutboxMessage.objects.filter(status="sent").count()
    assert 3 <= sent_before < n, "the kill must land in the middle of the batch"
    assert OutboxMessage.objects.filter(status="pending").exists()

    # A new worker takes what is left on the queue; the next dispatch re-queues the message that
    # the dead worker had taken (pending, queued more than REQUEUE_AFTER ago, its claim lapsed).
    celery_worker(
        COURSEKIT_TEST_MAIL_DELAY="0.05",
        COURSEKIT_NOTIFY_REQUEUE_AFTER_SECONDS="2",
        COURSEKIT_NOTIFY_CLAIM_SECONDS="2",
    )
    time.sleep(2.5)
    dispatch_reminders.delay([course.pk])
    assert wait_until(_all_sent, 90), celery_worker.log()
    time.sleep(0.5)
    outbox_ids = celery_worker.mail_headers("X-Coursekit-Outbox")
    counts = Counter(outbox_ids)
    assert len(counts) == n, sorted(counts)
    assert max(counts.values()) == 1, counts
    assert OutboxMessage.objects.filter(status="sent").count() == n
    assert all(
        m.sent_at is not None and m.sent_at <= timezone.now() + timedelta(seconds=1)
        for m in OutboxMessage.objects.all()
    )


def test_messages_lost_by_the_broker_are_sent_by_a_later_dispatch(
    course, make_member, celery_worker
):
    from tests.celery_worker import purge_queue

    n = 4
    _announce(course, make_member, n)
    # No worker yet: the dispatch runs here and queues n send tasks on Redis...
    report = services.dispatch_due(now=timezone.now(), courses=[course])
    from course.tasks import send_message

    for outbox_id in report.to_queue:
        send_message.delay(outbox_id)
    assert len(report.to_queue) == n
    purge_queue()  # ...which the broker then loses (a restart without persistence).
    celery_worker(COURSEKIT_NOTIFY_REQUEUE_AFTER_SECONDS="1")
    time.sleep(1.5)
    dispatch_reminders.delay([course.pk])
    assert wait_until(_all_sent, 60), celery_worker.log()
    time.sleep(0.3)
    counts = Counter(celery_worker.mail_headers("X-Coursekit-Outbox"))
    assert len(counts) == n and max(counts.values()) == 1
