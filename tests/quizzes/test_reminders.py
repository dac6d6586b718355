"""Quiz reminders: the morning of the lecture at 7:00 local time (also after the March change),
once; results announced once the quiz has closed for everyone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from course.notifications import services as notify
from course.notifications.models import OutboxMessage
from quizzes import services
from tests.reading import page_in

from .conftest import build_quiz

MTL = ZoneInfo("America/Montreal")
pytestmark = pytest.mark.django_db


def sent(user, kind):
    return list(OutboxMessage.objects.filter(recipient=user, kind=kind, channel="email"))


@pytest.mark.parametrize("day", [10, 17])  # before and after the 14 March 2021 DST change
def test_quiz_today_goes_out_at_seven_local_once(course, make_member, day):
    student = make_member(course)
    auditor = make_member(course, "auditor")
    quiz = build_quiz(course, opens_at=datetime(2021, 3, day, 9, 30, tzinfo=MTL))

    notify.dispatch_due(now=datetime(2021, 3, day, 6, 59, tzinfo=MTL))
    assert sent(student, "quiz_today") == []
    notify.dispatch_due(now=datetime(2021, 3, day, 7, 1, tzinfo=MTL))
    notify.dispatch_due(now=datetime(2021, 3, day, 7, 6, tzinfo=MTL))
    [message] = sent(student, "quiz_today")
    assert message.subject == f"TST101: Quiz today: {quiz.title}"
    assert sent(auditor, "quiz_today") == []  # the course does not let auditors take quizzes


def test_results_are_announced_after_the_quiz_closes_for_everyone(course, make_member):
    student = make_member(course)
    opens = datetime(2021, 1, 14, 9, 0, tzinfo=MTL)
    quiz = build_quiz(course, opens_at=opens, window_minutes=15)
    services.attempt_start(quiz=quiz, student=student, now=opens + timedelta(minutes=1))
    attempt = services.attempt_submit(
        attempt=quiz.attempts.get(student=student), now=opens + timedelta(minutes=5)
    )
    assert attempt.percent is not None

    notify.dispatch_due(now=opens + timedelta(minutes=10))
    assert sent(student, "grade_released") == []  # others may still be answering
    notify.dispatch_due(now=opens + timedelta(minutes=30))
    notify.dispatch_due(now=opens + timedelta(minutes=40))
    assert len(sent(student, "grade_released")) == 1


def test_quiz_today_reads_in_the_language_of_its_reader_now(client, course, make_member):
    """Made in French for a student who preferred it; read in English once they switch (and
    the other way round for a classmate)."""
    french, english = make_member(course), make_member(course)
    french.preferred_language = "fr"
    french.save(update_fields=["preferred_language"])
    quiz = build_quiz(course, opens_at=datetime(2021, 3, 10, 9, 30, tzinfo=MTL), title="Ranks")
    notify.dispatch_due(now=datetime(2021, 3, 10, 7, 1, tzinfo=MTL))
    assert "apportez votre ordinateur" in sent(french, "quiz_today")[0].body
    client.force_login(french)
    page = page_in(client, "/c/TST101/notifications/", "en")
    assert f"TST101: Quiz today: {quiz.title}" in page
    assert "There is a quiz at the start of today's lecture; bring your laptop." in page
    client.force_login(english)
    page = page_in(client, "/c/TST101/notifications/", "fr")
    assert "Un quiz a lieu au début du cours d’aujourd’hui" in page and "bring your" not in page
