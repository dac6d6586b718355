"""Scribe-notes reminders: 48 h and 24 h before the live due date, overdue after it, once each."""

from __future__ import annotations

from datetime import timedelta

import pytest

from course.deadlines import services as deadline_services
from course.notifications import services as notify
from course.notifications.models import OutboxMessage
from scribing import services

from .conftest import at, tex_file

pytestmark = pytest.mark.django_db


def kinds_sent(student) -> list[str]:
    return sorted(
        OutboxMessage.objects.filter(recipient=student, kind__startswith="scribe_").values_list(
            "kind", flat=True
        )
    )


def test_reminders_follow_the_due_date_and_stop_once_notes_are_in(course, slot1, student):
    services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 5))
    due = at(2021, 1, 20, 23, 59)  # one week after lecture 1, 23:59 local

    notify.dispatch_due(now=due - timedelta(hours=49))
    assert kinds_sent(student) == []
    notify.dispatch_due(now=due - timedelta(hours=47))
    assert kinds_sent(student) == ["scribe_due_48h"]
    notify.dispatch_due(now=due - timedelta(hours=47))  # a rerun sends nothing twice
    notify.dispatch_due(now=due - timedelta(hours=23))
    assert kinds_sent(student) == ["scribe_due_24h", "scribe_due_48h"]
    notify.dispatch_due(now=due + timedelta(hours=1))
    assert kinds_sent(student) == ["scribe_due_24h", "scribe_due_48h", "scribe_overdue"]
    subject = OutboxMessage.objects.get(recipient=student, kind="scribe_overdue").subject
    assert subject.startswith("TST101: ")


def test_an_extension_moves_the_reminder_and_handed_in_notes_stop_it(
    course, slot1, student, student2
):
    services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 5))
    services.scribe_slot_claim(slot=slot1, student=student2, now=at(2021, 1, 5))
    due = at(2021, 1, 20, 23, 59)
    deadline_services.extension_grant(
        course=course,
        target_key=f"scribing:lecture:{slot1.session_id}",
        due_at=due + timedelta(days=3),
        student=student,
        reason="illness",
        granted_by=None,
    )
    notify.dispatch_due(now=due - timedelta(hours=47))
    assert kinds_sent(student) == []  # their due date moved three days later
    assert kinds_sent(student2) == ["scribe_due_48h"]

    services.notes_submit(
        slot=slot1, student=student2, tex=tex_file(), now=due - timedelta(hours=30)
    )
    notify.dispatch_due(now=due - timedelta(hours=23))
    assert kinds_sent(student2) == ["scribe_due_48h"]  # the lecture's notes are in
