"""The permission class of every app's API views: the course from the URL, checked by the policy."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from .decorators import get_course_or_404
from .permissions import can


class CourseActionPermission(BasePermission):
    """DRF: the view names `course_action`; the course comes from the `code` URL kwarg."""

    message = "You do not have this right in this course."

    def has_permission(self, request: Any, view: Any) -> bool:
        code = view.kwargs.get("code")
        if code is None:
            return True
        course = get_course_or_404(code)
        view.course = course
        return can(request.user, view.course_action, course)
