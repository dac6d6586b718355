"""The answer-save fast lane: a remembered save answered before the rest of the middleware.

Once a student's first save in a quiz has been checked in full, each later save is one guarded
statement (answer_memo). For that request the rest of Django's middleware has no work to do,
yet on the bench it cost about a fifth of the web worker's CPU per save:

- SessionMiddleware: the statement compares the stored session row itself; the session is not
  read or changed, so it would save nothing and add no Vary: Cookie (with
  SESSION_SAVE_EVERY_REQUEST, which would save it, the lane stays closed);
- LocaleMiddleware: the 200 body has no text to translate (every refusal takes the whole chain
  and is translated there);
- CommonMiddleware: its Host check is made here (request.get_host), the path already ends with
  a slash, Content-Length is set here; with DISALLOWED_USER_AGENTS set, the lane stays closed;
- CsrfViewMiddleware: answer_view is exempt from it; the token is checked here as DRF's
  SessionAuthentication checks it (api._answer_payload);
- AuthenticationMiddleware, MessageMiddleware: request.user and messages are never read;
- XFrameOptionsMiddleware: its header is set here.

Place it after SecurityMiddleware, whose HTTPS redirect and headers then apply to the lane's
responses as to any other. Middleware listed after it does not see remembered saves: one added
later that must (a rate limit, an audit log) goes before it. Every request the lane does not
answer goes on through the whole chain to answer_view, unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from . import api

# Placeholders for the URL's arguments, to turn the reversed URL into a pattern.
_CODE, _PK, _QUESTION = "CODE-7f3a", 918273645, 546372819


def answer_path_pattern() -> re.Pattern[str]:
    """The answer URL's path (as request.path_info has it), from the URLconf."""
    path = reverse("api_quiz_answer", kwargs={"code": _CODE, "pk": _PK, "question_id": _QUESTION})
    pattern = (
        re.escape(path)
        .replace(re.escape(_CODE), "(?P<code>[^/]+)")
        .replace(str(_PK), "(?P<pk>[0-9]+)")
        .replace(str(_QUESTION), "(?P<question_id>[0-9]+)")
    )
    return re.compile(pattern)


class AnswerFastLaneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.path: re.Pattern[str] | None = None  # the URLconf is read at the first request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = None
        if (
            request.method in ("PUT", "POST")
            and not settings.DISALLOWED_USER_AGENTS
            and not settings.SESSION_SAVE_EVERY_REQUEST
        ):
            response = self.answer(request)
        if response is None:
            response = self.get_response(request)
        return response

    def answer(self, request: HttpRequest) -> HttpResponse | None:
        if self.path is None:
            self.path = answer_path_pattern()
        match = self.path.fullmatch(request.path_info)
        if match is None or getattr(request, "urlconf", None) is not None:
            return None
        request.get_host()  # DisallowedHost (a 400) for a Host not in ALLOWED_HOSTS
        response = api.answer_fast_lane(
            request, match["code"], int(match["pk"]), int(match["question_id"])
        )
        if response is not None:
            # What the rest of the chain would add to this response (Vary is set already).
            response["X-Frame-Options"] = settings.X_FRAME_OPTIONS.upper()
            response["Content-Length"] = str(len(response.content))
        return response
