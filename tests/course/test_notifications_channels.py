"""Slack webhook (a local HTTP server started by the test) and the admin's view of failures."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from course.models import Announcement
from course.notifications import services
from course.notifications.models import AnnouncementDelivery, OutboxMessage
from course.tasks import dispatch_reminders

from .notification_sources import only_course_sources  # noqa: F401

MTL = ZoneInfo("America/Montreal")
AT = datetime(2021, 1, 20, 8, 0, tzinfo=MTL)
pytestmark = pytest.mark.django_db


class FakeSlack:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.posts: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                fake.posts.append(json.loads(self.rfile.read(length)))
                self.send_response(fake.status)
                self.end_headers()
                self.wfile.write(b"ok" if fake.status == 200 else b"invalid_token")

            def log_message(self, *args: object) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T000/B000/XXX"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slack(settings):
    fake = FakeSlack()
    settings.COURSEKIT_SLACK_WEBHOOK_URL = fake.url
    yield fake
    fake.close()


def _send_announcement(course, capture) -> Announcement:
    a = Announcement.objects.create(
        course=course,
        title="No class Thursday",
        body="Reading week.",
        audience="everyone",
        published_at=AT,
    )
    services.announcement_request_send(announcement=a, requested_by=None, send_at=AT)
    with time_machine.travel(AT, tick=False), capture(execute=True):
        dispatch_reminders()
    return a


def test_announcement_goes_to_slack_once(
    course, make_member, slack, django_capture_on_commit_callbacks
):
    make_member(course, "student", "ada")
    make_member(course, "auditor", "audrey")
    a = _send_announcement(course, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert len(slack.posts) == 1
    text = slack.posts[0]["text"]
    assert "TST101: No class Thursday" in text and "Reading week." in text
    assert f"/c/TST101/#announcement-{a.pk}" in text
    with (
        time_machine.travel(AT.replace(minute=10), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        dispatch_reminders()
    assert len(slack.posts) == 1


def test_a_broken_slack_webhook_is_reported_and_does_not_block_email(
    course, make_member, slack, admin_client, django_capture_on_commit_callbacks
):
    slack.status = 500
    make_member(course, "student", "ada")
    a = _send_announcement(course, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1  # the e-mail left
    row = OutboxMessage.objects.get(channel="slack")
    assert row.status == "pending" and row.attempts == 1 and "HTTP 500" in row.last_error
    for _ in range(services.MAX_ATTEMPTS):
        services.outbox_send(outbox_id=row.pk, now=AT)
    row.refresh_from_db()
    assert row.status == "failed"
    page = admin_client.get("/admin/course/announcementdelivery/").content.decode()
    assert "HTTP 500" in page
    page = admin_client.get("/admin/course/outboxmessage/?status=failed").content.decode()
    assert "HTTP 500" in page and a.title in page


def test_a_malformed_slack_url_fails_at_once(
    course, make_member, settings, django_capture_on_commit_callbacks
):
    settings.COURSEKIT_SLACK_WEBHOOK_URL = "hooks.slack.com/no-scheme"
    make_member(course, "student", "ada")
    _send_announcement(course, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    row = OutboxMessage.objects.get(channel="slack")
    assert row.status == "failed" and "Not an http(s) webhook address" in row.last_error


def test_no_slack_message_without_a_webhook(
    course, make_member, settings, django_capture_on_commit_callbacks
):
    settings.COURSEKIT_SLACK_WEBHOOK_URL = ""
    make_member(course, "student", "ada")
    _send_announcement(course, django_capture_on_commit_callbacks)
    assert not OutboxMessage.objects.filter(channel="slack").exists()
    assert len(mail.outbox) == 1


# --- the admin: "send now" ----------------------------------------------------------------------


def _action(admin_client, action: str, announcement: Announcement):
    return admin_client.post(
        "/admin/course/announcement/",
        {"action": action, "_selected_action": [announcement.pk]},
        follow=True,
    )


# Real commits: the message says "queued" only once the broker took the task, on commit.
@pytest.mark.django_db(transaction=True)
def test_admin_send_now_sends(course, make_member, admin_client):
    make_member(course, "student", "ada")
    a = Announcement.objects.create(
        course=course, title="Welcome", body="Hello.", audience="everyone", published_at=AT
    )
    response = _action(admin_client, "send_announcement_now", a)
    assert "queued for e-mail" in response.content.decode()
    assert AnnouncementDelivery.objects.filter(announcement=a).exists()
    assert [m.subject for m in mail.outbox] == ["TST101: Welcome"]


def test_admin_refuses_an_empty_audience_with_a_message(course, make_member, admin_client):
    make_member(course, "student", "ada")
    a = Announcement.objects.create(
        course=course, title="For auditors", body="Hello.", audience="auditors", published_at=AT
    )
    page = _action(admin_client, "send_announcement_now", a).content.decode()
    assert "Nobody is in this audience" in page
    assert not AnnouncementDelivery.objects.exists()


def test_admin_refuses_an_empty_body_with_a_message(course, make_member, admin_client):
    make_member(course, "student", "ada")
    a = Announcement.objects.create(
        course=course, title="Oops", body=" \n ", audience="everyone", published_at=AT
    )
    page = _action(admin_client, "send_announcement_now", a).content.decode()
    assert "has no text" in page
    assert not AnnouncementDelivery.objects.exists()
