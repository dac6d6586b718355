"""Quiz reminders: the morning of the lecture at 7:00 local time (also after the March change),
once; results announced once the quiz has closed for everyone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from course.notifications import services as notify
from course.notifications.models import OutboxMessage
from quizzes import services

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
