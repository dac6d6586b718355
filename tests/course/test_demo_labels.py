"""The demo course is told by its real (moved) dates: term label, welcome, enrolments."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from course.demo import load_demo
from course.models import Announcement, Enrolment

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("America/Montreal"))


def test_the_demo_term_is_labelled_by_its_dates_and_reads_right_in_week_7() -> None:
    report, _ = load_demo(now=NOW)
    course = report.course
    assert "2021" not in course.term
    # In numbers, the same to a French and an English reader (no month name of one language).
    assert course.term == f"{course.term_start.isoformat()} – {course.term_end.isoformat()}"
    assert course.term_start <= NOW.date() <= course.term_end
    for text in Announcement.objects.filter(course=course).values_list("body", flat=True):
        assert "tomorrow" not in text
    enrolments = Enrolment.objects.filter(course=course)
    assert all(e.requested_at.date() >= course.term_start for e in enrolments)
    auditors = enrolments.filter(role=Enrolment.Role.AUDITOR).order_by("requested_at")
    assert [a.user.username for a in auditors] == ["auditor", "auditor2"]
    assert [a.status for a in auditors] == [Enrolment.Status.ACTIVE, Enrolment.Status.WAITLISTED]
    client = Client()
    client.force_login(enrolments.get(user__username="ada").user)
    assert course.term in client.get(f"/c/{course.code}/").content.decode()
    load_demo(now=NOW)  # idempotent: same label, same enrolment times
    course.refresh_from_db()
    assert course.term == report.course.term
