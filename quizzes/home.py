"""Notices on the course home: "quiz open now", "quiz in progress — resume", and for the staff
the live counts of the quiz open now.

Registered with course.extensions.register_home_notices from QuizzesConfig.ready(). A fixed
number of queries whatever the class size or the number of quizzes: 3 for someone who takes
quizzes (their quizzes, attempts and accommodations), 1 for the staff, 0 for anyone else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils.dateformat import time_format
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from course.extensions import HomeNotice
from course.permissions import Action, can

from . import rules, selectors
from .finalise import finalise_overdue
from .models import Quiz


def quiz_notices(course: Any, user: Any, now: datetime) -> list[HomeNotice]:
    notices: list[HomeNotice] = []
    if can(user, Action.TAKE_QUIZ, course):
        notices += _for_taker(course, user, now)
    if can(user, Action.GRADE, course):
        notices += _for_staff(course, now)
    return notices


def _title(quiz: Quiz) -> str:
    if quiz.is_self_assessment:
        return f"{quiz.title} {_('(not graded)')}"
    return quiz.title


def _clock(course: Any, moment: datetime) -> str:
    """The time of day in the course's zone, e.g. 09:45."""
    return time_format(moment.astimezone(ZoneInfo(course.time_zone)), "H:i")


def _for_taker(course: Any, user: Any, now: datetime) -> list[HomeNotice]:
    """Attempts in progress first (resume), then the quizzes the user may start now, each in
    the user's own window (a later window or extra time from an accommodation included)."""
    in_progress: list[HomeNotice] = []
    open_now: list[HomeNotice] = []
    overdue: list[int] = []
    for row in selectors.quiz_rows_for_student(course, user, now):
        quiz, attempt, terms = row.quiz, row.attempt, row.terms
        if terms.excused:
            continue
        kwargs = {"code": course.code, "pk": quiz.pk}
        if attempt is not None:
            if attempt.submitted_at is not None:
                continue
            if rules.is_overdue(now=now, deadline=attempt.deadline, grace=quiz.grace):
                overdue.append(quiz.pk)  # read now, so submitted now (at its deadline)
                continue
            if now >= attempt.deadline:
                continue  # within the grace: the page is submitting it
            in_progress.append(
                HomeNotice(
                    label=_("Quiz in progress: %(title)s") % {"title": _title(quiz)},
                    url=reverse("quiz_take", kwargs=kwargs),
                    css="quiz-in-progress",
                    detail=_(
                        "%(left)s left (until %(time)s); then your saved answers are submitted."
                    )
                    % {
                        "left": timeuntil(attempt.deadline, now),
                        "time": _clock(course, attempt.deadline),
                    },
                    action=_("Resume the quiz"),
                )
            )
        elif row.state == "open":
            minutes = round((quiz.duration + terms.extra).total_seconds() / 60, 1)
            open_now.append(
                HomeNotice(
                    label=_("Quiz open now: %(title)s") % {"title": _title(quiz)},
                    url=reverse("quiz_detail", kwargs=kwargs),
                    css="quiz-open",
                    detail=_(
                        "You can start until %(time)s (%(left)s left); %(minutes)s minutes once started."
                    )
                    % {
                        "time": _clock(course, terms.window.closes_at),
                        "left": timeuntil(terms.window.closes_at, now),
                        "minutes": f"{minutes:g}",
                    },
                    action=_("Open the quiz"),
                )
            )
    if overdue:
        finalise_overdue(now=now, quiz_ids=overdue, student_ids=[user.pk])
    return in_progress + open_now


def _for_staff(course: Any, now: datetime) -> list[HomeNotice]:
    """The quizzes whose window is open now, with how many started and submitted (1 query)."""
    quizzes = selectors.live_counts(
        Quiz.objects.filter(course=course, opens_at__lte=now, closes_at__gte=now)
    ).order_by("opens_at", "pk")
    return [
        HomeNotice(
            label=_("Quiz open now: %(title)s") % {"title": _title(quiz)},
            url=reverse("admin:quizzes_quiz_stats", args=[quiz.pk]),
            css="quiz-live",
            detail=_("Started: %(started)d · submitted: %(submitted)d · window closes at %(time)s")
            % {
                "started": quiz.n_opened,  # type: ignore[attr-defined]  # annotated by the staff selector's queryset
                "submitted": quiz.n_submitted,  # type: ignore[attr-defined]  # annotated by the staff selector's queryset
                "time": _clock(course, quiz.closes_at),
            },
            action=_("Live view"),
        )
        for quiz in quizzes
    ]
