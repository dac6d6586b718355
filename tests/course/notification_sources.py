"""Reminder sources used by the notification tests (the apps register the real ones)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy, gettext_noop

from course.models import Enrolment, Session
from course.notifications import Category, DueReminder
from course.notifications import rules as nrules
from course.texts import Percent, Text, ngettext_noop


def lectures_morning(course: Any, now: datetime) -> Iterator[DueReminder]:
    """Like quizzes' "quiz today": 7:00 local the morning of every lecture, until it ends."""
    members = list(
        Enrolment.objects.filter(course=course, role__in=["student", "auditor"])
        .exclude(status="dropped")
        .values_list("user_id", flat=True)
    )
    for session in Session.objects.filter(
        course=course,
        kind="lecture",
        starts_at__gt=now - timedelta(days=1),
        starts_at__lt=now + timedelta(days=1),
    ):
        for uid in members:
            yield DueReminder(
                recipient_user_id=uid,
                item_key=f"test:session:{session.pk}",
                kind="quiz_today",
                due_at=nrules.morning_of(session.starts_at, course.time_zone),
                subject=format_lazy(gettext_lazy("Quiz today: {topic}"), topic=session.topic),
                body="Bring your laptop.",
                url=f"/c/{course.code}/schedule/",
                category=Category.SCHEDULE,
                expires_at=session.ends_at,
            )


def late_work(course: Any, now: datetime) -> Iterator[DueReminder]:
    """One reminder to every registered student, its subject and body kept as data (Text)."""
    singular, plural = ngettext_noop(
        "%(n)d day late: %(p)s penalty", "%(n)d days late: %(p)s penalty"
    )
    for uid in Enrolment.objects.filter(course=course, role="student").values_list(
        "user_id", flat=True
    ):
        yield DueReminder(
            recipient_user_id=uid,
            item_key=f"test:late:{uid}",
            kind="scribe_due_48h",
            due_at=now - timedelta(minutes=1),
            subject=Text(gettext_noop("Scribe notes due in 48 hours")),
            body=Text(singular, plural=plural, count="n", n=2, p=Percent(5)),
            url=f"/c/{course.code}/",
        )


class Deadlines:
    """A mutable table of deadlines, so that a test can grant an extension."""

    def __init__(self) -> None:
        self.due: dict[int, datetime] = {}  # user id -> deadline

    def __call__(self, course: Any, now: datetime) -> Iterator[DueReminder]:
        for uid, due in self.due.items():
            for firing in nrules.deadline_firings(
                due,
                [("scribe_due_48h", timedelta(hours=48)), ("scribe_due_24h", timedelta(hours=24))],
                overdue_kind="scribe_overdue",
                overdue_until=due + timedelta(days=7),
            ):
                yield DueReminder(
                    recipient_user_id=uid,
                    item_key=f"scribing:submission:{uid}",
                    kind=firing.kind,
                    due_at=firing.send_at,
                    subject=f"Scribe notes: {firing.kind}",
                    body=f"Due {due.isoformat()}",
                    url=f"/c/{course.code}/",
                    category=Category.WORK,
                    expires_at=firing.expires_at,
                )


@pytest.fixture(autouse=True)
def only_course_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test sees course/'s own sources plus those it registers, not the apps' ones."""
    from course.notifications import registry

    monkeypatch.setattr(
        registry,
        "_reminder_sources",
        {k: v for k, v in registry.reminder_sources().items() if k.startswith("course.")},
    )
    monkeypatch.setattr(registry, "_digest_sources", {})
