"""How refusals and faults are answered: one JSON shape on the API, 503 when the database is away.

Every error body of the API is a JSON object with a stable ``code`` and either a ``detail``
sentence or, for invalid input, one list of messages per field that was wrong
(``non_field_errors`` for the request as a whole)::

    {"code": "not_found", "detail": "Not found."}
    {"code": "invalid", "value": ["Choose one of the question's choices."]}

``api_exception_handler`` is DRF's ``EXCEPTION_HANDLER`` (400, 401, 403, 404, 405, 415, 429...);
``bad_request``, ``permission_denied``, ``page_not_found`` and ``server_error`` are Django's
``handler400/403/404/500``, which answer the same shape under ``/api/`` (an unknown address, a
fault) and the usual pages elsewhere.

A database that is down, restarting or refusing connections raises ``OperationalError`` or
``InterfaceError`` wherever it is first needed (the session, the user, the view): whatever the
layer, Django hands it to ``server_error``, which answers 503 with ``Retry-After`` instead of
500 — the API's JSON body, or the plain 503 page. Django closes the broken connection at the end
of the request, so the next one connects again.
"""

from __future__ import annotations

import sys
from typing import Any

from django import db
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

RETRY_AFTER_SECONDS = 5


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def error_body(exc: exceptions.APIException) -> dict[str, Any]:
    codes = exc.get_codes()
    code = codes if isinstance(codes, str) else exc.default_code
    if isinstance(exc, exceptions.ValidationError):
        code = "invalid"
    if isinstance(exc.detail, dict):
        return {"code": code, **exc.detail}
    if isinstance(exc.detail, list):
        return {"code": code, "non_field_errors": exc.detail}
    return {"code": code, "detail": exc.detail}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Any:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        response.data = error_body(exc)
    return response


def _api_error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "detail": detail}, status=status)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 for a database that cannot answer now; renders nothing that needs the database."""
    response: HttpResponse
    if _is_api(request):
        response = _api_error(
            "database_unavailable",
            _(
                "The database is unavailable for a moment; nothing saved before was lost. "
                "Try again in %(seconds)d seconds."
            )
            % {"seconds": RETRY_AFTER_SECONDS},
            503,
        )
    else:
        page = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, db.OperationalError | db.InterfaceError)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    # Django calls this while handling the exception, so the exception is the current one.
    if is_database_unavailable(sys.exc_info()[1]):
        return database_unavailable(request)
    if _is_api(request):
        return _api_error(
            "server_error",
            _("Something went wrong on our side; nothing saved before was lost. Try again."),
            500,
        )
    return defaults.server_error(request, template_name)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _api_error("not_found", _("There is nothing at this address of the API."), 404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _api_error("bad_request", _("The request could not be understood."), 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _api_error(
            "permission_denied", _("You do not have permission to perform this action."), 403
        )
    return defaults.permission_denied(request, exception)
