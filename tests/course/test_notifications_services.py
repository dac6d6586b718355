"""The dispatcher and the outbox on a real database, with time travel."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone, translation

from course.models import Announcement, Enrolment
from course.notifications import (
    DigestLine,
    register_digest_source,
    register_reminder_source,
    services,
    unregister_digest_source,
    unregister_reminder_source,
)
from course.notifications.channels import absolute_url
from course.notifications.models import Notification, NotificationPreference, OutboxMessage
from course.tasks import dispatch_reminders, send_message

from .notification_sources import Deadlines, lectures_morning, only_course_sources  # noqa: F401

MTL = ZoneInfo("America/Montreal")
pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture_source():
    register_reminder_source("test.lectures", lectures_morning)
    yield
    unregister_reminder_source("test.lectures")


@pytest.fixture
def deadlines():
    table = Deadlines()
    register_reminder_source("test.deadlines", table)
    yield table
    unregister_reminder_source("test.deadlines")


def dispatch(at: datetime, capture) -> dict:
    with time_machine.travel(at, tick=False), capture(execute=True):
        return dispatch_reminders()


def subjects() -> list[str]:
    return sorted(str(m.subject) for m in mail.outbox)


def test_morning_reminder_fires_at_7_local_and_only_once(
    course, make_member, lecture_source, django_capture_on_commit_callbacks
):
    ada = make_member(course, "student", "ada")
    # Wednesday 2021-01-20, lecture at 9:30 local (EST, UTC-5).
    dispatch(datetime(2021, 1, 20, 6, 59, tzinfo=MTL), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    dispatch(datetime(2021, 1, 20, 7, 0, tzinfo=MTL), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ada.email]
    assert message.subject.startswith("TST101: ")
    assert (
        "http://testserver/c/TST101/schedule/" in message.body
        or "/c/TST101/schedule/" in message.body
    )
    dispatch(datetime(2021, 1, 20, 7, 5, tzinfo=MTL), django_capture_on_commit_callbacks)
    dispatch(datetime(2021, 1, 20, 9, 0, tzinfo=MTL), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=ada).count() == 1
    sent = OutboxMessage.objects.get()
    assert sent.status == "sent" and sent.attempts == 1


def test_morning_reminder_after_the_march_change_is_at_7_edt(
    course, make_member, lecture_source, django_capture_on_commit_callbacks
):
    make_member(course, "student", "ada")
    # Thursday 2021-03-18, after the change of 2021-03-14: 7:00 EDT is 11:00 UTC (not 12:00).
    dispatch(datetime(2021, 3, 18, 10, 59, tzinfo=UTC), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    dispatch(datetime(2021, 3, 18, 11, 0, tzinfo=UTC), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_late_dispatch_still_sends_but_not_after_expiry(
    course, make_member, lecture_source, django_capture_on_commit_callbacks
):
    make_member(course, "student", "ada")
    dispatch(datetime(2021, 1, 20, 11, 30, tzinfo=MTL), django_capture_on_commit_callbacks)
    assert mail.outbox == []  # the lecture is over: no "quiz today" after it
    dispatch(datetime(2021, 1, 21, 8, 0, tzinfo=MTL), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1  # Thursday's, an hour late


def test_each_deadline_kind_fires_once_at_its_time(
    course, make_member, deadlines, django_capture_on_commit_callbacks
):
    ada = make_member(course, "student", "ada")
    due = datetime(2021, 2, 10, 23, 59, tzinfo=MTL)
    deadlines.due[ada.pk] = due
    timeline = [
        (due - timedelta(hours=49), []),
        (due - timedelta(hours=48), ["scribe_due_48h"]),
        (due - timedelta(hours=47), []),
        (due - timedelta(hours=24), ["scribe_due_24h"]),
        (due - timedelta(hours=2), []),
        (due, ["scribe_overdue"]),
        (due + timedelta(days=1), []),
    ]
    for at, expected in timeline:
        before = len(mail.outbox)
        dispatch(at, django_capture_on_commit_callbacks)
        got = [m.extra_headers["X-Coursekit-Kind"] for m in mail.outbox[before:]]
        assert got == expected, at


def test_an_extension_moves_the_reminder(
    course, make_member, deadlines, django_capture_on_commit_callbacks
):
    ada = make_member(course, "student", "ada")
    due = datetime(2021, 2, 10, 23, 59, tzinfo=MTL)
    deadlines.due[ada.pk] = due + timedelta(days=3)  # extension granted before the reminder
    dispatch(due - timedelta(hours=47), django_capture_on_commit_callbacks)
    dispatch(due, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    dispatch(due + timedelta(days=1, hours=1), django_capture_on_commit_callbacks)
    assert [m.extra_headers["X-Coursekit-Kind"] for m in mail.outbox] == ["scribe_due_48h"]


def test_auditors_only_get_schedule_and_announcement_kinds(
    course, make_member, deadlines, lecture_source, django_capture_on_commit_callbacks
):
    auditor = make_member(course, "auditor", "audrey")
    deadlines.due[auditor.pk] = datetime(2021, 1, 21, 12, 0, tzinfo=MTL)
    dispatch(datetime(2021, 1, 20, 7, 0, tzinfo=MTL), django_capture_on_commit_callbacks)
    kinds = [m.extra_headers["X-Coursekit-Kind"] for m in mail.outbox]
    assert kinds == ["quiz_today"]


def test_a_kind_turned_off_is_not_sent(
    course, make_member, lecture_source, django_capture_on_commit_callbacks
):
    ada = make_member(course, "student", "ada")
    NotificationPreference.objects.create(user=ada, kind="quiz_today", enabled=False)
    dispatch(datetime(2021, 1, 20, 7, 0, tzinfo=MTL), django_capture_on_commit_callbacks)
    assert mail.outbox == [] and not Notification.objects.exists()


def test_message_in_the_recipients_language(
    course, make_member, lecture_source, django_capture_on_commit_callbacks
):
    ada = make_member(course, "student", "ada")
    ada.preferred_language = "fr"
    ada.save()
    dispatch(datetime(2021, 1, 20, 7, 0, tzinfo=MTL), django_capture_on_commit_callbacks)
    body = mail.outbox[0].body
    assert "Ouvrir" in body and "paramètres" in body
    assert mail.outbox[0].extra_headers["Content-Language"] == "fr"


def test_a_broken_source_does_not_stop_the_others(
    course, make_member, lecture_source, django_capture_on_commit_callbacks
):
    make_member(course, "student", "ada")

    def broken(course, now):
        raise RuntimeError("boom")

    register_reminder_source("test.broken", broken)
    try:
        result = dispatch(
            datetime(2021, 1, 20, 7, 0, tzinfo=MTL), django_capture_on_commit_callbacks
        )
    finally:
        unregister_reminder_source("test.broken")
    assert result["messages"] == 1 and len(mail.outbox) == 1


# --- the outbox ---------------------------------------------------------------------------------


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def _pending(course, user, **kw) -> OutboxMessage:
    return OutboxMessage.objects.create(
        course=course,
        recipient=user,
        item_key=kw.get("item_key", "x:1"),
        kind="quiz_today",
        channel="email",
        subject="TST101: hello",
        body="body",
        url="/c/TST101/",
    )


def test_send_is_idempotent(course, make_member):
    ada = make_member(course, "student", "ada")
    msg = _pending(course, ada)
    assert send_message(msg.pk) == "sent"
    assert send_message(msg.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_mail_server_failure_backs_off_then_sends(course, make_member, settings):
    ada = make_member(course, "student", "ada")
    msg = _pending(course, ada)
    now = datetime(2021, 1, 20, 7, 0, tzinfo=UTC)
    settings.EMAIL_BACKEND = "tests.course.test_notifications_services.FailingBackend"
    outcome = services.outbox_send(outbox_id=msg.pk, now=now)
    assert outcome.status == "retry" and outcome.retry_in == 30
    outcome = services.outbox_send(outbox_id=msg.pk, now=now)
    assert outcome.retry_in == 60
    msg.refresh_from_db()
    assert msg.status == "pending" and msg.attempts == 2 and "mail server down" in msg.last_error
    assert msg.queued_at == now + timedelta(seconds=60)
    # Not re-queued by a dispatch before its back-off has passed (plus REQUEUE_AFTER).
    assert services.claim_pending(now=now + timedelta(seconds=30)) == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.claim_pending(now=now + timedelta(minutes=10)) == [msg.pk]
    assert services.outbox_send(outbox_id=msg.pk, now=now).status == "sent"
    assert len(mail.outbox) == 1


def test_gives_up_after_max_attempts(course, make_member, settings):
    ada = make_member(course, "student", "ada")
    msg = _pending(course, ada)
    settings.EMAIL_BACKEND = "tests.course.test_notifications_services.FailingBackend"
    now = datetime(2021, 1, 20, 7, 0, tzinfo=UTC)
    for _ in range(services.MAX_ATTEMPTS):
        services.outbox_send(outbox_id=msg.pk, now=now)
    msg.refresh_from_db()
    assert msg.status == "failed" and msg.attempts == services.MAX_ATTEMPTS


def test_pending_messages_are_requeued_after_a_few_minutes(course, make_member):
    ada = make_member(course, "student", "ada")
    msg = _pending(course, ada)
    now = datetime(2021, 1, 20, 7, 0, tzinfo=UTC)
    assert services.claim_pending(now=now) == [msg.pk]
    assert services.claim_pending(now=now + timedelta(minutes=1)) == []  # its task is queued
    assert services.claim_pending(now=now + timedelta(minutes=6)) == [msg.pk]  # its worker died


def test_outbox_is_unique_per_recipient_item_kind_channel(course, make_member):
    from django.db import IntegrityError, transaction

    ada = make_member(course, "student", "ada")
    _pending(course, ada)
    with pytest.raises(IntegrityError), transaction.atomic():
        _pending(course, ada)


@pytest.mark.django_db(transaction=True)
def test_concurrent_dispatchers_send_each_message_once(course, make_member, lecture_source):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is decided by PostgreSQL")
    for i in range(5):
        make_member(course, "student", f"s{i}")
    at = datetime(2021, 1, 20, 7, 0, tzinfo=MTL)
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait()
            services.dispatch_due(now=at)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert OutboxMessage.objects.count() == 5
    assert Notification.objects.count() == 5


# --- announcements ------------------------------------------------------------------------------


def _announcement(course, **kw) -> Announcement:
    defaults = {
        "title": "Room change",
        "body": "We meet in Z-210.",
        "audience": "everyone",
        "published_at": datetime(2021, 1, 20, 8, 0, tzinfo=MTL),
    }
    defaults.update(kw)
    return Announcement.objects.create(course=course, **defaults)


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        ("everyone", {"ada", "audrey", "tina", "prof"}),
        ("students", {"ada"}),
        ("auditors", {"audrey"}),
        ("staff", {"tina", "prof"}),
    ],
)
def test_announcement_reaches_its_audience(
    course, make_member, django_capture_on_commit_callbacks, audience, expected
):
    make_member(course, "student", "ada")
    make_member(course, "auditor", "audrey")
    make_member(course, "ta", "tina")
    make_member(course, "instructor", "prof")
    dropped = make_member(course, "student", "gone")
    Enrolment.objects.filter(user=dropped).update(status="dropped")
    a = _announcement(course, audience=audience)
    at = datetime(2021, 1, 20, 8, 0, tzinfo=MTL)
    services.announcement_request_send(announcement=a, requested_by=None, send_at=at)
    dispatch(at, django_capture_on_commit_callbacks)
    assert {m.to[0].split("@")[0] for m in mail.outbox} == expected
    assert all(m.subject == "TST101: Room change" for m in mail.outbox)
    dispatch(at + timedelta(minutes=5), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == len(expected)


def test_announcement_with_empty_body_is_refused(course, make_member):
    make_member(course, "student", "ada")
    a = _announcement(course, body="   ")
    with pytest.raises(ValidationError) as err:
        services.announcement_request_send(
            announcement=a, requested_by=None, send_at=a.published_at
        )
    assert "body" in err.value.message_dict


def test_announcement_to_an_empty_audience_is_refused(course, make_member):
    make_member(course, "student", "ada")
    a = _announcement(course, audience="auditors")
    with pytest.raises(ValidationError) as err, translation.override("en"):
        services.announcement_request_send(
            announcement=a, requested_by=None, send_at=a.published_at
        )
    assert "audience" in err.value.message_dict
    assert "Nobody" in err.value.message_dict["audience"][0]


# --- the staff digest ---------------------------------------------------------------------------


def test_staff_digest_at_7_when_something_waits(
    course, make_member, django_capture_on_commit_callbacks
):
    make_member(course, "student", "ada")
    tina = make_member(course, "ta", "tina")
    prof = make_member(course, "instructor", "prof")
    waiting = {"n": 3}

    def notes_to_grade(course, now):
        yield DigestLine(
            label=f"{waiting['n']} scribe notes to grade", count=waiting["n"], url="/c/TST101/"
        )
        yield DigestLine(label="only for prof", count=1, recipient_user_id=prof.pk)

    register_digest_source("test.notes", notes_to_grade)
    try:
        dispatch(datetime(2021, 1, 20, 6, 59, tzinfo=MTL), django_capture_on_commit_callbacks)
        assert mail.outbox == []
        dispatch(datetime(2021, 1, 20, 7, 0, tzinfo=MTL), django_capture_on_commit_callbacks)
        dispatch(datetime(2021, 1, 20, 9, 0, tzinfo=MTL), django_capture_on_commit_callbacks)
        assert sorted(m.to[0] for m in mail.outbox) == sorted([tina.email, prof.email])
        by_to = {m.to[0]: m.body for m in mail.outbox}
        assert "3 scribe notes to grade" in by_to[tina.email]
        assert "only for prof" in by_to[prof.email] and "only for prof" not in by_to[tina.email]
        # In the list, the same words, kept as data to read in the language of the moment.
        digest = Notification.objects.select_related("course").get(recipient=tina)
        assert digest.subject_shown == "TST101: What waits for you on 2021-01-20"
        assert digest.body_shown == (
            "Waiting for you in TST101 today:\n\n"
            f"- 3 scribe notes to grade: {absolute_url('/c/TST101/')}"
        )
        assert by_to[tina.email].startswith(digest.body_shown + "\n\n")
        waiting["n"] = 0  # nothing waits the next day: no e-mail
        dispatch(datetime(2021, 1, 21, 7, 0, tzinfo=MTL), django_capture_on_commit_callbacks)
        assert sum(tina.email in m.to for m in mail.outbox) == 1
    finally:
        unregister_digest_source("test.notes")


@pytest.mark.parametrize("size", [3, 30])
def test_dispatch_query_count_does_not_grow_with_the_class(
    course, make_member, lecture_source, django_assert_max_num_queries, size
):
    for i in range(size):
        make_member(course, "student", f"s{i:02d}")
    at = datetime(2021, 1, 20, 7, 0, tzinfo=MTL)
    with time_machine.travel(at, tick=False), django_assert_max_num_queries(20):
        report = services.dispatch_due(now=timezone.now())
    assert report.messages_created == size and len(report.to_queue) == size
