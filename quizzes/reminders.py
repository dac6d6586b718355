"""Reminder and digest sources of the quizzes, registered with course.notifications.

"A quiz today" goes out at 7:00 local time on the morning of the lecture (DST-safe);
"grade released" once the quiz has closed for everyone (accommodations included), which is when
students may see their score; the staff digest counts text answers waiting for a grade.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils.translation import gettext_noop

from course.models import Course, Enrolment
from course.notifications import DigestLine, DueReminder
from course.notifications import rules as notify_rules
from course.texts import Text

from . import rules, selectors
from .models import Attempt, Quiz, RegradeRequest


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
            Text(gettext_noop("The first quiz is an ungraded self-assessment; bring your laptop."))
            if quiz.is_self_assessment
            else Text(
                gettext_noop("There is a quiz at the start of today's lecture; bring your laptop.")
            )
        )
        for user_id in people:
            yield DueReminder(
                recipient_user_id=user_id,
                item_key=f"quizzes:quiz:{quiz.pk}",
                kind="quiz_today",
                due_at=notify_rules.morning_of(quiz.opens_at, course.time_zone),
                expires_at=quiz.opens_at,
                subject=Text(gettext_noop("Quiz today: %(title)s"), title=quiz.title),
                body=body,
                url=url,
            )


def quiz_grades_released(course: Course, now: datetime) -> Iterator[DueReminder]:
    policies = {
        pk: (policy, released_at)
        for pk, policy, released_at in Quiz.objects.filter(course=course).values_list(
            "pk", "release_policy", "released_at"
        )
    }
    released = {
        pk: rules.results_released_at(
            policy=policies[pk][0], released_at=policies[pk][1], closed_for_everyone_at=at
        )
        for pk, at in selectors.closed_for_everyone_map(course).items()
        if pk in policies
    }
    closed = {
        pk: at
        for pk, at in released.items()
        if at is not None and now - timedelta(days=7) < at <= now
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
            subject=Text(gettext_noop("Quiz result: %(title)s"), title=title),
            body=Text(gettext_noop("The quiz results are released: your score is available.")),
            url=reverse("quiz_result", kwargs={"code": course.code, "pk": quiz_id}),
        )


def text_answers_to_grade(course: Course, now: datetime) -> Iterator[DigestLine]:
    n = Attempt.objects.filter(
        quiz__course=course, needs_manual_grading=True, submitted_at__isnull=False
    ).count()
    if n:
        yield DigestLine(
            label=Text(gettext_noop("Quiz attempts with text answers to grade: %(n)s"), n=n),
            count=n,
            url=reverse("admin:quizzes_attempt_changelist") + "?needs_manual_grading__exact=1",
        )


def regrade_answered(course: Course, now: datetime) -> Iterator[DueReminder]:
    """The student who asked for a regrade is told of the answer (once, within 14 days)."""
    answered = RegradeRequest.objects.filter(
        attempt__quiz__course=course,
        answered_at__isnull=False,
        answered_at__gt=now - timedelta(days=14),
        answered_at__lte=now,
    ).values_list(
        "pk", "attempt__student_id", "attempt__quiz_id", "attempt__quiz__title", "answered_at"
    )
    for pk, student_id, quiz_id, title, answered_at in answered:
        if answered_at is None:
            continue
        yield DueReminder(
            recipient_user_id=student_id,
            item_key=f"quizzes:regrade:{pk}",
            kind="quiz_regrade_answered",
            due_at=answered_at,
            expires_at=answered_at + timedelta(days=14),
            subject=Text(gettext_noop("Your regrade request is answered: %(title)s"), title=title),
            body=Text(
                gettext_noop(
                    "The instructor answered your regrade request; the answer is on the result page."
                )
            ),
            url=reverse("quiz_result", kwargs={"code": course.code, "pk": quiz_id}),
        )


def regrade_requests_waiting(course: Course, now: datetime) -> Iterator[DigestLine]:
    n = RegradeRequest.objects.filter(
        attempt__quiz__course=course, status=RegradeRequest.Status.OPEN
    ).count()
    if n:
        yield DigestLine(
            label=Text(gettext_noop("Quiz regrade requests waiting for an answer: %(n)s"), n=n),
            count=n,
            url=reverse("admin:quizzes_regraderequest_changelist") + "?status__exact=open",
        )
