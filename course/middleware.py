"""A NUL character anywhere in the address (``/c/%00/``, ``?q=%00``) is answered 400.

PostgreSQL refuses NUL in text, so a course code, a feed token or an admin search holding one
would reach the database and answer 500. No address of the site contains one, so the request
is refused before any view or the admin looks anything up. Place it right
after SecurityMiddleware.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class RefuseNulInAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path_info or "\x00" in unquote(query):
            message = _("The address contains a NUL character, which no page has.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
