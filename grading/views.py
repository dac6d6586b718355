"""The student's "My grades" page, and the staff's view of the same address (the gradebook)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from course.decorators import course_view
from course.models import Course
from course.permissions import Action, can

from . import selectors, services
from .forms import WhatIfForm


@course_view(Action.VIEW_OWN_GRADES, Action.VIEW_ALL_GRADES)
def my_grades(request: HttpRequest, course: Course) -> HttpResponse:
    if can(request.user, Action.VIEW_ALL_GRADES, course):
        return _class_gradebook(request, course)
    form = WhatIfForm(request.GET or None)
    assume = form.cleaned_data["assume"] if form.is_bound and form.is_valid() else None
    now = timezone.now()
    services.grades_settle(course=course, now=now)
    report, computed_at = selectors.my_grades(course, request.user, now, assume=assume)
    return render(
        request,
        "grading/my_grades.html",
        {
            "course": course,
            "report": report,
            "computed_at": computed_at,
            "form": form,
            "can_view_all": can(request.user, Action.VIEW_ALL_GRADES, course),
        },
        status=200,
    )


def _class_gradebook(request: HttpRequest, course: Course) -> HttpResponse:
    """The staff's summary of the stored gradebook (one query) and the way to the full one."""
    snapshot = selectors.snapshot_of(course)
    rows = selectors.snapshot_rows(snapshot)
    letters: dict[str, int] = {}
    for row in rows:
        letter = row["letter"] or row["so_far_letter"] or "—"
        letters[letter] = letters.get(letter, 0) + 1
    return render(
        request,
        "grading/class_gradebook.html",
        {
            "snapshot": snapshot,
            "student_count": len(rows),
            "complete": sum(1 for r in rows if r["final"] is not None),
            "with_missing": sum(1 for r in rows if r["missing"]),
            "flagged": [r for r in rows if r.get("flags")],
            "letters": sorted(letters.items()),
        },
    )
