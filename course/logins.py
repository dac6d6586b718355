"""Login throttling: django-axes on every way in (the login page, the admin login, HTTP Basic).

After ``AXES_FAILURE_LIMIT`` failed logins for one account from one address, that pair is
refused until ``AXES_COOLOFF_TIME`` has passed since its last failure (a failure during the
lockout starts the wait again). The failures are in the admin (*Axes*, superusers only); a
superuser unlocks there (delete the access attempt) or with ``manage.py axes_reset_username``.

``lockout_response`` is axes' ``AXES_LOCKOUT_CALLABLE``: the login page again with the message
(429), or the API's error body. ``ThrottledBasicAuthentication`` is DRF's Basic authentication
with the same lockout, and the ``WWW-Authenticate`` challenge when Basic credentials are wrong.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.authentication import BasicScheme
from rest_framework import exceptions
from rest_framework.authentication import BasicAuthentication

from .accounts import selectors as account_selectors

DEFAULT_COOL_OFF = timedelta(minutes=15)


def cool_off(request: Any = None) -> timedelta:
    return get_cool_off(request) or DEFAULT_COOL_OFF


def lockout_message(wait: timedelta, now: Any) -> str:
    """'Too many failed logins ... Try again in 15 minutes (at 10:42).' in the site's zone."""
    minutes = max(1, round(wait.total_seconds() / 60))
    at = formats.time_format(timezone.localtime(now + wait), "TIME_FORMAT")
    return ngettext(
        "Too many failed logins for this account from your address. "
        "Try again in %(minutes)d minute (at %(time)s).",
        "Too many failed logins for this account from your address. "
        "Try again in %(minutes)d minutes (at %(time)s).",
        minutes,
    ) % {"minutes": minutes, "time": at}


def client_address(request: Any) -> str | None:
    """The client's address: the socket's, or the one the trusted proxies put in X-Forwarded-For.

    Each of COURSEKIT_TRUSTED_PROXY_COUNT proxies appends the address it received from, so the
    client is that many entries from the right; entries further left are the client's own claim.
    """
    count = settings.COURSEKIT_TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def _is_api(request: Any) -> bool:
    return request.path.startswith("/api/")


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    wait = cool_off(request)
    message = lockout_message(wait, timezone.now())
    retry_after = str(int(wait.total_seconds()))
    response: HttpResponse
    if _is_api(request):
        response = JsonResponse({"code": "locked_out", "detail": message}, status=429)
    else:
        context = {
            "form": AuthenticationForm(request),
            "lockout_message": message,
            "next": request.POST.get("next", request.GET.get("next", "")),
        }
        response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = retry_after
    return response


class LoginLockedOut(exceptions.APIException):
    status_code = 429
    default_code = "locked_out"

    def __init__(self, wait: timedelta, detail: str) -> None:
        super().__init__(detail)
        self.wait = wait.total_seconds()  # DRF's handler turns it into Retry-After


class ThrottledBasicAuthentication(BasicAuthentication):
    """HTTP Basic through django-axes: the request goes to ``authenticate()``, so a failure counts
    and a locked-out account and address are refused (429 with Retry-After) before the password
    is checked. A student whose courses sign in through the university only is refused here as
    on the login page: Basic is a password too."""

    def authenticate_credentials(self, userid: str, password: str, request: Any = None) -> Any:
        try:
            user, auth = super().authenticate_credentials(userid, password, request)
        except exceptions.AuthenticationFailed:
            if request is not None and getattr(request, "axes_locked_out", False):
                wait = cool_off(request)
                raise LoginLockedOut(wait, lockout_message(wait, timezone.now())) from None
            raise
        if not account_selectors.local_password_allowed(user):
            raise exceptions.AuthenticationFailed(
                _(
                    "Students of your course sign in through the university: a password is "
                    "not accepted, on the API either."
                ),
                code="sso_only",
            )
        return user, auth

    def authenticate_header(self, request: Any) -> str | None:
        # Challenge only a client that tried Basic: a page's script that lost its session gets
        # 403, not the browser's own password dialog.
        if request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0].lower() == "basic":
            return super().authenticate_header(request)
        return None


class ThrottledBasicScheme(BasicScheme):
    """The schema names it HTTP Basic, as DRF's own."""

    target_class = "course.logins.ThrottledBasicAuthentication"
