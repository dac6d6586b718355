"""Reminder and digest sources of the quizzes, registered with course.notifications.

"A quiz today" goes out at 7:00 local time on the morning of the lecture (DST-safe);
"grade released" once the quiz has closed for everyone (accommodations included), which is when
students may see their score; the staff digest counts text answers waiting for a grade.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from course.models import Course, Enrolment
from course.notifications import DigestLine, DueReminder
from course.notifications import rules as notify_rules

from . import selectors
from .models import Attempt, Quiz


def quiz_today(course: Course, now: datetime) -> Iterator[DueReminder]:
    quizzes = list(
        Quiz.objects.filter(
            course=course,
            opens_at__gt=now - timedelta(hours=12),
            opens_at__lt=now + timedelta(days=1),
        )
    )
    if not quizzes:
        return
    roles = [Enrolment.Role.STUDENT]
    if course.auditors_may_take_quizzes:
        roles.append(Enrolment.Role.AUDITOR)
    people = list(
        Enrolment.objects.filter(
            course=course, role__in=roles, status=Enrolment.Status.ACTIVE
        ).values_list("user_id", flat=True)
    )
    for quiz in quizzes:
        url = reverse("quiz_detail", kwargs={"code": course.code, "pk": quiz.pk})
        body = (
            _("The first quiz is an ungraded self-assessment; bring your laptop.")
            if quiz.is_self_assessment
            else _("There is a quiz at the start of today's lecture; bring your laptop.")
        )
        for user_id in people:
            yield DueReminder(
                recipient_user_id=user_id,
                item_key=f"quizzes:quiz:{quiz.pk}",
                kind="quiz_today",
                due_at=notify_rules.morning_of(quiz.opens_at, course.time_zone),
                expires_at=quiz.opens_at,
                subject=format_lazy(_("Quiz today: {title}"), title=quiz.title),
                body=body,
                url=url,
            )


def quiz_grades_released(course: Course, now: datetime) -> Iterator[DueReminder]:
    closed = {
        pk: at
        for pk, at in selectors.closed_for_everyone_map(course).items()
        if now - timedelta(days=7) < at <= now
    }
    if not closed:
        return
    graded = Attempt.objects.filter(
        quiz_id__in=closed,
        is_practice=False,
        submitted_at__isnull=False,
        percent__isnull=False,
        quiz__is_self_assessment=False,
    ).values_list("pk", "quiz_id", "student_id", "quiz__title")
    for attempt_pk, quiz_id, student_id, title in graded:
        yield DueReminder(
            recipient_user_id=student_id,
            item_key=f"quizzes:attempt:{attempt_pk}",
            kind="grade_released",
            due_at=closed[quiz_id],
            expires_at=closed[quiz_id] + timedelta(days=7),
            subject=format_lazy(_("Quiz result: {title}"), title=title),
            body=_("The quiz has closed for everyone: your score is available."),
            url=reverse("quiz_result", kwargs={"code": course.code, "pk": quiz_id}),
        )


def text_answers_to_grade(course: Course, now: datetime) -> Iterator[DigestLine]:
    n = Attempt.objects.filter(
        quiz__course=course, needs_manual_grading=True, submitted_at__isnull=False
    ).count()
    if n:
        yield DigestLine(
            label=format_lazy(_("Quiz attempts with text answers to grade: {n}"), n=n),
            count=n,
            url=reverse("admin:quizzes_attempt_changelist") + "?needs_manual_grading__exact=1",
        )
