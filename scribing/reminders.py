"""Reminder and digest sources of scribing, registered with course.notifications.

Computed from the LIVE due dates (extensions applied), so an extension moves the reminder; the
item key carries no date, so a moved reminder is not sent twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_noop

from course.deadlines.rules import effective_due
from course.deadlines.selectors import due_changes_by_target
from course.models import Course, Session
from course.notifications import DigestLine, DueReminder, deadline_reminders
from course.texts import Text, as_text

from . import selectors
from .models import NotesSubmission, ScribeAssignment

_SUBJECTS = {
    "scribe_due_48h": Text(gettext_noop("Scribe notes due in 48 hours")),
    "scribe_due_24h": Text(gettext_noop("Scribe notes due in 24 hours")),
    "scribe_overdue": Text(gettext_noop("Scribe notes overdue")),
    "grade_released": Text(gettext_noop("Your scribe notes were graded")),
}


def scribe_reminders(course: Course, now: datetime) -> Iterator[DueReminder]:
    policy = selectors.scribing_policy(course)
    horizon = timedelta(days=policy.due_after_days + 3)
    assignments = list(
        ScribeAssignment.objects.filter(
            course=course,
            slot__session__starts_at__gt=now - horizon - timedelta(days=7),
            slot__session__starts_at__lt=now + timedelta(days=1),
        )
        .exclude(slot__session__kind=Session.Kind.NO_CLASS)
        .select_related("slot__session")
    )
    if not assignments:
        return
    handed_in = set(
        NotesSubmission.objects.filter(slot_id__in={a.slot_id for a in assignments}).values_list(
            "slot_id", flat=True
        )
    )
    keys = {a.pk: selectors.lecture_key(a.slot.session_id) for a in assignments}
    changes = due_changes_by_target(course, list(set(keys.values())))
    url = reverse("scribing", kwargs={"code": course.code})
    for a in assignments:
        if a.slot_id in handed_in:
            continue
        session = a.slot.session
        due = effective_due(
            selectors.base_due(course, session, policy),
            changes.get(keys[a.pk], []),
            student_id=a.student_id,
        )
        yield from deadline_reminders(
            recipient_user_id=a.student_id,
            item_key=f"scribing:assignment:{a.pk}",
            due_at=due,
            before=[
                ("scribe_due_48h", timedelta(hours=48)),
                ("scribe_due_24h", timedelta(hours=24)),
            ],
            overdue_kind="scribe_overdue",
            overdue_until=due + timedelta(days=7),
            subject=lambda kind: _SUBJECTS[kind],
            body=Text(
                gettext_noop("Your LaTeX notes of lecture %(n)s (%(topic)s) are due on %(due)s."),
                n=session.number,
                topic=session.topic or as_text(Session.Kind(session.kind).label),
                due=due.strftime("%Y-%m-%d %H:%M"),
            ),
            url=url,
        )


def notes_graded(course: Course, now: datetime) -> Iterator[DueReminder]:
    """A grade released: each scribe of a lecture whose latest notes got a score this week."""
    graded = (
        NotesSubmission.objects.filter(
            slot__course=course,
            graded_at__isnull=False,
            graded_at__gt=now - timedelta(days=7),
        )
        .values("slot_id")
        .annotate(last=Max("graded_at"))
    )
    when = {row["slot_id"]: row["last"] for row in graded}
    if not when:
        return
    url = reverse("scribing", kwargs={"code": course.code})
    for a in ScribeAssignment.objects.filter(course=course, slot_id__in=when):
        yield DueReminder(
            recipient_user_id=a.student_id,
            item_key=f"scribing:grade:{a.slot_id}",
            kind="grade_released",
            due_at=when[a.slot_id],
            expires_at=when[a.slot_id] + timedelta(days=7),
            subject=_SUBJECTS["grade_released"],
            body=Text(gettext_noop("Your scribe notes have a grade and feedback.")),
            url=url,
        )


def notes_to_grade(course: Course, now: datetime) -> Iterator[DigestLine]:
    latest = (
        NotesSubmission.objects.filter(slot__course=course)
        .values("slot_id")
        .annotate(v=Max("version"))
        .values_list("slot_id", "v")
    )
    pairs = list(latest)
    n = (
        sum(
            1
            for sub in NotesSubmission.objects.filter(
                slot_id__in=[s for s, _ in pairs], raw_score__isnull=True
            ).values_list("slot_id", "version")
            if sub in set(pairs)
        )
        if pairs
        else 0
    )
    if n:
        yield DigestLine(
            label=Text(gettext_noop("Scribe notes to grade: %(n)s"), n=n),
            count=n,
            url=reverse("admin:scribing_notessubmission_changelist"),
        )
