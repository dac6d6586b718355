"""Scribe-notes reminders: 48 h and 24 h before the live due date, overdue after it, once each."""

from __future__ import annotations

from datetime import timedelta

import pytest

from course.deadlines import services as deadline_services
from course.models import Session
from course.notifications import services as notify
from course.notifications.models import OutboxMessage
from scribing import services
from tests.reading import page_in

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


@pytest.mark.parametrize(("preferred", "now_reads"), [("fr", "en"), ("en", "fr")])
def test_the_reminder_reads_in_the_language_of_its_reader_now(
    client, course, slot1, student, preferred, now_reads
):
    """Made in the language preferred then, read in the one of the moment; a lecture without a
    topic is named by its kind, in that language too."""
    Session.objects.filter(pk=slot1.session_id).update(topic="")
    student.preferred_language = preferred
    student.save(update_fields=["preferred_language"])
    services.scribe_slot_claim(slot=slot1, student=student, now=at(2021, 1, 5))
    notify.dispatch_due(now=at(2021, 1, 20, 23, 59) - timedelta(hours=47))
    shown = {
        "en": ["TST101: Scribe notes due in 48 hours", "of lecture 1 (Lecture) are due on"],
        "fr": ["TST101: Notes de scribe à remettre dans 48 heures", "(Cours magistral)"],
    }
    [email] = OutboxMessage.objects.filter(recipient=student, channel="email")
    assert email.subject == shown[preferred][0]  # the e-mail stays as it was sent
    client.force_login(student)
    page = page_in(client, "/c/TST101/notifications/", now_reads)
    assert all(words in page for words in shown[now_reads])
    assert not any(words in page for words in shown[preferred])
