"""The quiz shown beside its session on the schedule (one query)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from course.extensions import ScheduleItem
from course.permissions import Action, can

from .models import Quiz


def annotate_sessions(
    course: Any, sessions: Sequence[Any], user: Any
) -> dict[int, list[ScheduleItem]]:
    may_take = can(user, Action.TAKE_QUIZ, course)
    out: dict[int, list[ScheduleItem]] = {}
    quizzes = Quiz.objects.filter(course=course, session__in=[s.pk for s in sessions]).only(
        "pk", "title", "session_id", "is_self_assessment"
    )
    for quiz in quizzes:
        label = _("Quiz: %(title)s") % {"title": quiz.title}
        if quiz.is_self_assessment:
            label += " " + _("(not graded)")
        url = (
            reverse("quiz_detail", kwargs={"code": course.code, "pk": quiz.pk}) if may_take else ""
        )
        out.setdefault(quiz.session_id, []).append(ScheduleItem(label=label, url=url, css="quiz"))
    return out
