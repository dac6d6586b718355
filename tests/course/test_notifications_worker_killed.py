"""A real Celery worker on Redis and PostgreSQL, killed (SIGKILL) after the mail server took a
message and before the worker recorded it: every reminder reaches each recipient once, as mail
clients count it (one Message-ID per recipient and item), the interrupted one twice with the
same Message-ID.

Run with DATABASE_URL=postgres://... CELERY_BROKER_URL=redis://127.0.0.1:6379/N; skipped
otherwise (failed with REQUIRE_WORKER=1).
"""

from __future__ import annotations

import time
from collections import defaultdict
from email import message_from_string
from typing import Any

import pytest
from django.utils import timezone

from course.models import Announcement
from course.notifications import channels, services
from course.notifications.models import OutboxMessage
from course.tasks import dispatch_reminders
from tests.celery_worker import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Short leases and timeouts keep the test within seconds; the defaults are 120 s, 300 s, 110 s.
FAST = {
    "COURSEKIT_NOTIFY_CLAIM_SECONDS": "3",
    "COURSEKIT_NOTIFY_REQUEUE_AFTER_SECONDS": "2",
    "COURSEKIT_BROKER_VISIBILITY_TIMEOUT": "5",
}


def _mails(celery_worker: Any) -> list[Any]:
    out = []
    for path in sorted(celery_worker.mail_dir.glob("*.log")):
        for chunk in path.read_text(errors="replace").split("-" * 79):
            if chunk.strip():
                out.append(message_from_string(chunk.strip()))
    return out


def test_worker_killed_after_the_mail_server_took_a_message(
    course: Any, make_member: Any, celery_worker: Any
) -> None:
    n = 6
    for i in range(n):
        make_member(course, "student", f"s{i:02d}")
    now = timezone.now()
    announcement = Announcement.objects.create(
        course=course,
        title="Room change",
        body="Z-210 from now on.",
        audience="everyone",
        published_at=now,
    )
    services.announcement_request_send(announcement=announcement, requested_by=None, send_at=now)

    worker = celery_worker(COURSEKIT_TEST_MAIL_DELAY_AFTER="3", **FAST)
    dispatch_reminders.delay([course.pk])
    assert wait_until(lambda: len(_mails(celery_worker)) >= 2, 60), celery_worker.log()
    worker.kill()  # the second e-mail is written; its row is not recorded as sent
    interrupted = int(_mails(celery_worker)[-1]["X-Coursekit-Outbox"])
    row = OutboxMessage.objects.get(pk=interrupted)
    assert row.status == "pending" and row.claimed_until is not None
    assert OutboxMessage.objects.filter(status="pending").count() >= n - 1

    celery_worker(**FAST)
    time.sleep(3.5)  # the dead worker's claim lapses; its messages come back to the queue
    dispatch_reminders.delay([course.pk])
    assert wait_until(lambda: not OutboxMessage.objects.exclude(status="sent").exists(), 60), (
        celery_worker.log()
    )
    time.sleep(0.5)

    ids_by_recipient_item: dict[tuple[str, str], set[str]] = defaultdict(set)
    copies: dict[str, int] = defaultdict(int)
    for m in _mails(celery_worker):
        ids_by_recipient_item[(m["To"], m["X-Coursekit-Item"])].add(m["Message-ID"])
        copies[m["Message-ID"]] += 1
    assert len(ids_by_recipient_item) == n
    assert all(len(ids) == 1 for ids in ids_by_recipient_item.values()), ids_by_recipient_item
    expected = {channels.message_id(m) for m in OutboxMessage.objects.filter(channel="email")}
    assert set(copies) == expected
    # Only the message in flight at the kill went out twice, and as the same message.
    assert copies[channels.message_id(row)] == 2
    assert sum(copies.values()) == n + 1
