"""The admin site: it opens to the course staff by their enrolments, not by a site-wide flag."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .admin_scoping import may_enter_admin
from .permissions import is_course_staff


class CourseStaffAuthenticationForm(AdminAuthenticationForm):
    """The admin's login form, letting in the instructors and TAs of a course too."""

    def confirm_login_allowed(self, user: Any) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)
        if not (user.is_staff or is_course_staff(user)):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class CoursekitAdminSite(admin.AdminSite):
    login_form = CourseStaffAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        return may_enter_admin(request)
