"""The broker is down (a REAL Redis URL on a closed port): a staff action that saves and queues a
task answers as usual, keeps what it saved, says the truth, logs the task not queued, and the
periodic task picks the work up once the broker is back."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from course.models import Announcement
from course.notifications.models import AnnouncementDelivery, OutboxMessage
from course.queueing import queue_each_on_commit, queue_on_commit
from course.tasks import dispatch_reminders, send_message

from .notification_sources import only_course_sources  # noqa: F401

UNREACHABLE = "WORKER IS UNREACHABLE"
IN_TERM = datetime(2021, 1, 20, 8, 0, tzinfo=ZoneInfo("America/Montreal"))


def _not_queued(caplog: pytest.LogCaptureFixture, task: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "course.queueing" and r.levelno == logging.ERROR and task in r.getMessage()
    ]


@pytest.mark.django_db
def test_a_task_not_queued_is_logged_with_its_name_and_error_never_raised(
    broker_down: Any, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    told: list[bool] = []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queue_on_commit(send_message, 123, then=told.append)
    assert told == [False]
    (line,) = _not_queued(caplog, "course.send_message")
    assert "127.0.0.1:1" in line  # the broker's own error


@pytest.mark.django_db
def test_a_batch_stops_at_the_first_failure(
    broker_down: Any, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    told: list[bool] = []
    with django_capture_on_commit_callbacks(execute=True):
        queue_each_on_commit(send_message, [(1,), (2,), (3,)], then=told.append)
    assert told == [False]
    (line,) = _not_queued(caplog, "course.send_message")
    assert "3 of 3 left" in line


@pytest.mark.django_db
def test_with_the_broker_up_the_task_runs_and_the_caller_is_told(
    django_capture_on_commit_callbacks: Any,
) -> None:
    told: list[bool] = []
    with django_capture_on_commit_callbacks(execute=True):
        queue_on_commit(send_message, 123, then=told.append)  # eager: no such message, skipped
    assert told == [True]


# --- the admin's actions, inside real transactions: their on_commit runs inside the request --


def _post_action(client: Any, url: str, action: str, pk: int) -> Any:
    response = client.post(url, {"action": action, "_selected_action": [pk]})
    assert response.status_code == 302, response.content[:2000]
    return client.get(response["Location"])


@pytest.mark.django_db(transaction=True)
@time_machine.travel(IN_TERM)
def test_send_now_with_the_broker_down_saves_says_so_and_beat_sends_it(
    course: Any,
    make_member: Any,
    admin_client: Any,
    broker_down: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    make_member(course, "student", "ada")
    a = Announcement.objects.create(
        course=course, title="Welcome", body="Hello.", audience="everyone", published_at=IN_TERM
    )
    page = _post_action(admin_client, "/admin/course/announcement/", "send_announcement_now", a.pk)
    text = page.content.decode().upper()
    assert "SAVED FOR SENDING" in text and UNREACHABLE in text
    assert "QUEUED FOR E-MAIL" not in text
    assert AnnouncementDelivery.objects.filter(announcement=a).exists()
    assert _not_queued(caplog, "course.dispatch_reminders")
    assert mail.outbox == []  # (with the broker up: tests/course/test_notifications_channels.py)

    broker_down.back()
    dispatch_reminders()  # what beat runs every 5 minutes (the courses in session)
    assert [m.subject for m in mail.outbox] == ["TST101: Welcome"]


@pytest.mark.django_db(transaction=True)
def test_send_again_with_the_broker_down_keeps_it_pending_and_a_later_dispatch_sends_it(
    course: Any,
    make_member: Any,
    admin_client: Any,
    broker_down: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ada = make_member(course, "student", "ada")
    msg = OutboxMessage.objects.create(
        course=course,
        recipient=ada,
        item_key="test:failed",
        kind="announcement",
        channel=OutboxMessage.Channel.EMAIL,
        subject="TST101: Room change",
        body="Room 1360.",
        status=OutboxMessage.Status.FAILED,
        attempts=8,
        last_error="550 mailbox full",
    )
    page = _post_action(admin_client, "/admin/course/outboxmessage/", "retry_failed", msg.pk)
    text = page.content.decode().upper()
    assert "SET TO BE SENT AGAIN" in text and UNREACHABLE in text
    assert "QUEUED AGAIN" not in text
    msg.refresh_from_db()
    assert msg.status == OutboxMessage.Status.PENDING and msg.attempts == 0
    assert _not_queued(caplog, "course.send_message")

    broker_down.back()
    dispatch_reminders()  # too soon: it was marked queued just now
    assert mail.outbox == []
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        dispatch_reminders()  # its mark is older than COURSEKIT_NOTIFY_REQUEUE_AFTER_SECONDS
    assert [m.subject for m in mail.outbox] == ["TST101: Room change"]
    msg.refresh_from_db()
    assert msg.status == OutboxMessage.Status.SENT
