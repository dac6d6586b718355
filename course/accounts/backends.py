"""Django's password backend, refusing students whose courses sign them in through SSO only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .selectors import local_password_allowed


class CoursePasswordBackend(ModelBackend):
    def authenticate(
        self, request: Any, username: Any = None, password: Any = None, **kwargs: Any
    ) -> Any:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not local_password_allowed(user):
            if request is not None:
                request.sso_only = True  # the login page says why, not "wrong password"
            return None
        return user
