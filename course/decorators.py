"""The view decorator of every app's pages: load the course from the URL and check the policy."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import Course
from .permissions import Action, can, role_of


def get_course_or_404(code: str) -> Course:
    course = Course.objects.filter(code__iexact=code).first()
    if course is None:
        raise Http404("No such course")
    return course


def course_view(*actions: Action | str) -> Callable:
    """Decorator: sets request.course and request.course_role, or answers login/403.

    The view is open to whoever is granted any of `actions` (a page with a student view and a
    staff view names both).
    """
    if not actions:
        raise TypeError("course_view needs at least one action")

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
            course = get_course_or_404(code)
            # Set before the check, so a 403 page keeps the course's navigation.
            request.course = course  # type: ignore[attr-defined]  # the decorator hands the course to the view
            if not any(can(request.user, action, course) for action in actions):
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            request.course_role = role_of(request.user, course)  # type: ignore[attr-defined]  # the decorator hands the role to the view
            return view(request, course, *args, **kwargs)

        return wrapped

    return decorator
