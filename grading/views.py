"""The student's "My grades" page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from course.http import course_view
from course.models import Course
from course.permissions import Action, can

from . import selectors, services
from .forms import WhatIfForm


@course_view(Action.VIEW_OWN_GRADES)
def my_grades(request: HttpRequest, course: Course) -> HttpResponse:
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
