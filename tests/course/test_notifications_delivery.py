"""Delivery exactly once, visibly: every e-mail carries a Message-ID derived from its outbox row,
and a worker claims a message before it sends it, so two workers never both send it and a
message whose worker died mid-send is sent again, with the same Message-ID, once the claim
lapses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail

from course.notifications import channels, services
from course.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 1, 20, 7, 0, tzinfo=UTC)


def _pending(course: Any, user: Any, item_key: str = "x:1") -> OutboxMessage:
    return OutboxMessage.objects.create(
        course=course,
        recipient=user,
        item_key=item_key,
        kind="quiz_today",
        channel="email",
        subject="TST101: hello",
        body="body",
        created_at=NOW,
    )


def test_the_message_id_comes_from_the_row(course: Any, make_member: Any, settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "IFT6085 <noreply@course.example.org>"
    ada = make_member(course, "student", "ada")
    first, second = _pending(course, ada, "x:1"), _pending(course, ada, "x:2")
    assert (
        channels.message_id(first)
        == f"<coursekit.outbox.{first.pk}.20210120070000@course.example.org>"
    )
    assert channels.message_id(first) != channels.message_id(second)
    assert services.outbox_send(outbox_id=first.pk, now=NOW).status == "sent"
    sent = mail.outbox[0].message()
    assert sent["Message-ID"] == channels.message_id(first)
    first.refresh_from_db()
    assert channels.message_id(first) == sent["Message-ID"]  # the same when read back


def test_a_claimed_message_is_sent_by_nobody_else_until_the_claim_lapses(
    course: Any, make_member: Any, settings: Any
) -> None:
    settings.COURSEKIT_NOTIFY_CLAIM_SECONDS = 120
    ada = make_member(course, "student", "ada")
    msg = _pending(course, ada)
    # A worker claims it and dies before recording anything.
    assert services.outbox_claim(outbox_id=msg.pk, now=NOW)
    assert not services.outbox_claim(outbox_id=msg.pk, now=NOW + timedelta(seconds=1))
    assert services.outbox_send(outbox_id=msg.pk, now=NOW + timedelta(seconds=60)).status == (
        "skipped"
    )
    # The dispatcher does not queue it again while it is claimed...
    assert services.claim_pending(now=NOW + timedelta(seconds=60)) == []
    assert services.claim_pending(now=NOW + timedelta(seconds=119)) == []
    assert mail.outbox == []
    # ...and does once the claim has lapsed; the send then goes through, once.
    later = NOW + timedelta(seconds=121)
    assert services.claim_pending(now=later) == [msg.pk]
    assert services.outbox_send(outbox_id=msg.pk, now=later).status == "sent"
    assert services.outbox_send(outbox_id=msg.pk, now=later).status == "skipped"
    msg.refresh_from_db()
    assert msg.status == "sent" and msg.claimed_until is None and msg.attempts == 2
    assert len(mail.outbox) == 1


def test_the_admin_shows_the_message_id(admin_client: Any, course: Any, make_member: Any) -> None:
    msg = _pending(course, make_member(course, "student", "ada"))
    page = admin_client.get(f"/admin/course/outboxmessage/{msg.pk}/change/").content.decode()
    assert "Message-ID" in page
    assert channels.message_id(msg).strip("<>") in page
