"""REST API of the daily quizzes: the same services and rules as the pages.

A student can take a quiz with any HTTP client (session or basic auth; CSRF token with sessions):
list, detail, start the attempt, save an answer, submit, read the result once the quiz closed.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import CSRFCheck
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils import encoders
from rest_framework.views import APIView

from course.api_parsers import json_problem
from course.http import CourseActionPermission
from course.permissions import Action, can, remember_enrollment

from . import answer_memo, presenters, rules, selectors, services
from .finalise import finalise_overdue
from .models import Quiz
from .services import QuizError

# --- serializers ---------------------------------------------------------------------------------


class QuizOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    session_date = serializers.DateField()
    session_number = serializers.IntegerField()
    is_graded = serializers.BooleanField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    duration_seconds = serializers.IntegerField()
    requires_access_code = serializers.BooleanField()
    state = serializers.CharField(help_text="upcoming, open or closed (for this student)")
    excused = serializers.BooleanField()
    attempt_status = serializers.CharField(help_text="none, open or submitted")
    results_available = serializers.BooleanField()


class ReadingOut(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]
    detail = serializers.CharField()


class QuizDetailOut(QuizOut):
    readings = ReadingOut(many=True)


class ChoiceOut(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class QuestionOut(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    kind = serializers.CharField()
    prompt = serializers.CharField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    choices = ChoiceOut(many=True)


class AttemptOut(serializers.Serializer):
    id = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by_timeout = serializers.BooleanField()
    is_open = serializers.BooleanField()
    is_practice = serializers.BooleanField()
    remaining_seconds = serializers.IntegerField()


class AttemptStateOut(serializers.Serializer):
    attempt = AttemptOut()
    questions = QuestionOut(many=True)
    answers = serializers.DictField(child=serializers.JSONField(), help_text="question id -> value")


class StartIn(serializers.Serializer):
    access_code = serializers.CharField(required=False, allow_blank=True, max_length=20)


class AnswerIn(serializers.Serializer):
    value = serializers.JSONField(
        allow_null=True,
        help_text="single: choice id; multiple: list of choice ids; numeric: a number as text; "
        "text: a string; null clears",
    )
    access_code = serializers.CharField(required=False, allow_blank=True, max_length=20)


class AnswerOut(serializers.Serializer):
    question = serializers.IntegerField()
    value = serializers.JSONField()
    saved_at = serializers.DateTimeField()
    remaining_seconds = serializers.IntegerField()


class ResultQuestionOut(serializers.Serializer):
    id = serializers.IntegerField()
    prompt = serializers.CharField()
    kind = serializers.CharField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    your_answer = serializers.JSONField()
    your_points = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    correct = serializers.JSONField(allow_null=True)
    choices = serializers.JSONField()
    explanation = serializers.CharField(allow_blank=True)


class ResultOut(serializers.Serializer):
    quiz = serializers.IntegerField()
    is_graded = serializers.BooleanField()
    attempted = serializers.BooleanField()
    excused = serializers.BooleanField()
    points = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    points_possible = serializers.DecimalField(max_digits=8, decimal_places=2)
    percent = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    pending_manual_grading = serializers.BooleanField()
    questions = ResultQuestionOut(many=True)


class ErrorOut(serializers.Serializer):
    code = serializers.CharField()


# --- views ---------------------------------------------------------------------------------


def _error(exc: QuizError) -> Response:
    return Response(exc.as_dict(), status=exc.status)


class QuizAPIView(APIView):
    permission_classes = [CourseActionPermission]
    course_action = Action.TAKE_QUIZ

    def quiz(self, pk: int, *, full: bool = False) -> Quiz:
        course = self.course  # type: ignore[attr-defined]
        quiz = (
            selectors.quiz_for_taking(course, pk) if full else selectors.quiz_of_course(course, pk)
        )
        if quiz is None:
            raise Http404
        return quiz


class QuizListAPI(QuizAPIView):
    """The course's quizzes with their state for the person asking."""

    @extend_schema(responses=QuizOut(many=True))
    def get(self, request: Request, code: str) -> Response:
        now = timezone.now()
        course = self.course  # type: ignore[attr-defined]
        # An attempt left open past its deadline is submitted when read, as on the page.
        finalise_overdue(now=now, course=course, student_ids=[cast(int, request.user.pk)])
        rows = selectors.quiz_rows_for_student(course, request.user, now)
        closes = selectors.closed_for_everyone_map(course)
        data = [presenters.quiz_summary(r, closes[r.quiz.pk], now) for r in rows]
        return Response(QuizOut(data, many=True).data)


class QuizDetailAPI(QuizAPIView):
    """What counts: duration, one attempt, graded or not, the readings."""

    @extend_schema(responses=QuizDetailOut)
    def get(self, request: Request, code: str, pk: int) -> Response:
        now = timezone.now()
        quiz = self.quiz(pk, full=True)
        row = selectors.row_for(quiz, request.user, now)
        data = presenters.quiz_summary(row, selectors.closed_for_everyone_at(quiz), now)
        data["readings"] = presenters.readings(quiz)
        return Response(QuizDetailOut(data).data)


class AttemptAPI(QuizAPIView):
    """GET: my attempt (with questions and saved answers). POST: start it (idempotent)."""

    @extend_schema(responses={200: AttemptStateOut, 404: ErrorOut})
    def get(self, request: Request, code: str, pk: int) -> Response:
        now = timezone.now()
        quiz = self.quiz(pk, full=True)
        attempt = selectors.attempt_of(quiz, request.user)
        if attempt is None:
            return Response(
                {"code": "no_attempt", "detail": "No attempt yet: POST to start."}, status=404
            )
        attempt = services.attempt_refresh(attempt=attempt, now=now)
        return Response(AttemptStateOut(presenters.attempt_state(quiz, attempt, now)).data)

    @extend_schema(request=StartIn, responses={200: AttemptStateOut, 201: AttemptStateOut})
    def post(self, request: Request, code: str, pk: int) -> Response:
        now = timezone.now()
        payload = StartIn(data=request.data)
        payload.is_valid(raise_exception=True)
        quiz = self.quiz(pk, full=True)
        try:
            attempt, created = services.attempt_start(
                quiz=quiz,
                student=request.user,
                now=now,
                access_code=payload.validated_data.get("access_code"),
            )
        except QuizError as exc:
            return _error(exc)
        attempt = services.attempt_refresh(attempt=attempt, now=now)
        return Response(
            AttemptStateOut(presenters.attempt_state(quiz, attempt, now)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AnswerAPI(QuizAPIView):
    """Save (upsert) my answer to one question; refused after the deadline + grace."""

    @extend_schema(request=AnswerIn, responses={200: AnswerOut, 400: ErrorOut, 409: ErrorOut})
    def put(self, request: Request, code: str, pk: int, question_id: int) -> Response:
        now = timezone.now()
        payload = AnswerIn(data=request.data)
        if not payload.is_valid():
            return Response({"code": "invalid", **payload.errors}, status=400)
        course = self.course  # type: ignore[attr-defined]
        question = selectors.question_in_quiz(course, pk, question_id)
        quiz = question.quiz if question is not None else self.quiz(pk)
        try:
            answer = services.answer_save(
                quiz=quiz,
                student=request.user,
                question_id=question_id,
                value=payload.validated_data["value"],
                now=now,
                access_code=payload.validated_data.get("access_code"),
                question=question,
            )
        except QuizError as exc:
            return _error(exc)
        data: dict[str, Any] = {
            "question": question_id,
            "value": answer.value,
            "saved_at": answer.saved_at,
            "remaining_seconds": presenters.remaining(answer.attempt, now),
        }
        return Response(AnswerOut(data).data)

    post = put


_answer_api = AnswerAPI.as_view()


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # NaN / Infinity: not JSON (DRF's parser refuses them too)


def _no_response(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    return HttpResponse()


_JSON_BODY = json.JSONDecoder(parse_constant=_reject_constant)


def _iso_datetime(value: datetime) -> str:
    # serializers.DateTimeField's output (ISO 8601 in the current time zone, "Z" for UTC).
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


_ANSWER_JSON = encoders.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _session_user_id(request: HttpRequest) -> Any:
    """The signed-in user's id as django.contrib.auth.get_user reads it from the session, when
    the session was opened by ModelBackend; else None. (_answer_payload has made sure that
    request.user was not loaded yet.)"""
    session = request.session  # type: ignore[attr-defined]
    try:
        backend = session[BACKEND_SESSION_KEY]
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])  # type: ignore[union-attr]
    except (KeyError, ValidationError):
        return None
    if backend != _MODEL_BACKEND or backend not in settings.AUTHENTICATION_BACKENDS:
        return None
    return user_id


def _session_verifies(request: HttpRequest, user: Any) -> bool:
    """ModelBackend.get_user's and auth.get_user's checks of a loaded user: active, and the
    session's hash matches the current one. Anything else (a hash from a fallback secret, a
    changed password) is left to auth.get_user, which rotates or flushes the session."""
    session_hash = request.session.get(HASH_SESSION_KEY)  # type: ignore[attr-defined]
    return bool(
        getattr(user, "is_active", True)
        and session_hash
        and constant_time_compare(session_hash, user.get_session_auth_hash())
    )


def _answer_payload(request: HttpRequest) -> dict[str, Any] | None:
    """The JSON body of an answer save that the fast paths below may take: a session-signed
    PUT/POST of JSON with a valid CSRF token (checked as SessionAuthentication checks it).
    None for anything else: AnswerAPI then answers, with its exact 4xx bodies."""
    meta = request.META
    if (
        request.method not in ("PUT", "POST")
        or "HTTP_AUTHORIZATION" in meta
        or request.content_type != "application/json"
        or "html" in meta.get("HTTP_ACCEPT", "")
        or settings.SESSION_COOKIE_NAME not in request.COOKIES
        or hasattr(request, "_cached_user")
    ):
        return None
    check = CSRFCheck(_no_response)
    check.process_request(request)
    if check.process_view(request, _no_response, (), {}) is not None:
        return None
    try:
        payload = _JSON_BODY.decode(request.body.decode())
    except (ValueError, RecursionError):  # UnicodeDecodeError included
        return None
    if not isinstance(payload, dict) or "value" not in payload or json_problem(payload):
        return None  # StrictJSONParser then says what is wrong
    access_code = payload.get("access_code")
    if access_code is not None and (not isinstance(access_code, str) or len(access_code) > 20):
        return None
    return payload


def _answer_response(question_id: int, stored: Any, now: Any, deadline: Any) -> HttpResponse:
    # AnswerOut's representation, field by field (building the serializer costs more), in
    # JSONRenderer's bytes (compact, UTF-8, strict; U+2028/9 escaped) without its per-call setup.
    data = {
        "question": int(question_id),
        "value": stored,
        "saved_at": _iso_datetime(now),
        "remaining_seconds": int(rules.remaining_seconds(now=now, deadline=deadline)),
    }
    text = _ANSWER_JSON.encode(data).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    response = HttpResponse(text.encode(), content_type="application/json")
    response["Allow"] = "PUT, POST, OPTIONS"
    response["Vary"] = "Accept, Accept-Language"  # what DRF and LocaleMiddleware would say
    return response


def _answer_remembered(
    request: HttpRequest, code: str, pk: int, question_id: int, payload: dict[str, Any]
) -> HttpResponse | None:
    """A later save of a session whose first save the short path checked: one statement that
    re-checks in the database what was remembered (see answer_memo). None when not remembered
    or when the statement stored nothing."""
    session_key = request.COOKIES[settings.SESSION_COOKIE_NAME]
    recalled = answer_memo.recall(session_key, code, pk, question_id)
    if recalled is None:
        return None
    facts, question = recalled
    try:
        stored = services.validate_value(question.question, payload["value"], question.choice_ids)
    except QuizError:
        return None  # AnswerAPI names what is wrong with the value
    now = timezone.now()
    deadline = answer_memo.save(
        session_key=session_key,
        quiz_pk=pk,
        question_pk=question_id,
        facts=facts,
        question=question,
        stored=stored,
        now=now,
    )
    if deadline is None:
        answer_memo.forget(session_key, pk, question_id)
        return None
    return _answer_response(question_id, stored, now, deadline)


def _answer_short_path(
    request: HttpRequest, code: str, pk: int, question_id: int, payload: dict[str, Any]
) -> HttpResponse | None:
    """The common case of AnswerAPI in 2 queries after the session: a signed-in student saves
    a valid answer to their open attempt of a quiz of the course.

    The first query also loads the session's user, verified as auth.get_user verifies it.
    Same checks as AnswerAPI (`can(TAKE_QUIZ)`, the question belongs to the quiz of the course,
    the attempt is the student's, open, within its deadline + grace) and the same 200 body.
    None for anything else (a refusal, no attempt yet): AnswerAPI then answers, with its exact
    4xx bodies. What it checked is remembered for the next saves (answer_memo).
    """
    user_id = _session_user_id(request)
    if user_id is None:
        return None
    ctx = selectors.answer_context(code=code, quiz_pk=pk, question_pk=question_id, user_id=user_id)
    if ctx is None or not _session_verifies(request, ctx.user):
        return None
    user = ctx.user
    request._cached_user = user  # type: ignore[attr-defined]  # what request.user now gives
    remember_enrollment(user, ctx.course, ctx.enrollment)
    if not can(user, Action.TAKE_QUIZ, ctx.course):
        return None
    now = timezone.now()
    attempt = ctx.attempt
    if (
        attempt is None
        or attempt.submitted_at is not None
        or not rules.accepts_answers(now=now, deadline=attempt.deadline, grace=ctx.quiz.grace)
    ):
        return None
    try:
        stored = services.validate_value(ctx.question, payload["value"], ctx.choice_ids)
    except QuizError:
        return None
    if not services.answer_save_open(
        attempt=attempt, question=ctx.question, stored=stored, now=now
    ):
        return None
    answer_memo.remember(
        session=request.session,  # type: ignore[attr-defined]
        code=code,
        user=user,
        course=ctx.course,
        enrollment=ctx.enrollment,
        quiz=ctx.quiz,
        question_pk=int(question_id),
    )
    return _answer_response(question_id, stored, now, attempt.deadline)


def answer_fast_lane(
    request: HttpRequest, code: str, pk: int, question_id: int
) -> HttpResponse | None:
    """A remembered save, answered ahead of the middleware that has nothing to do for it
    (quizzes.middleware). None for anything else, which goes on to answer_view."""
    payload = _answer_payload(request)
    response = None
    if payload is not None:
        response = _answer_remembered(request, code, pk, question_id, payload)
    request._answer_lane_missed = True  # type: ignore[attr-defined]  # answer_view: not twice
    return response


def answer_view(request: HttpRequest, code: str, pk: int, question_id: int) -> HttpResponse:
    """AnswerAPI's URL: the fast paths when they apply, else AnswerAPI itself."""
    response = None
    payload = _answer_payload(request)
    if payload is not None:
        if not getattr(request, "_answer_lane_missed", False):
            response = _answer_remembered(request, code, pk, question_id, payload)
        if response is None:
            response = _answer_short_path(request, code, pk, question_id, payload)
    if response is None:
        response = _answer_api(request, code=code, pk=pk, question_id=question_id)
    return response


# As DRF views: exempt from the CSRF middleware, the CSRF token of a session is checked above
# (or by SessionAuthentication); `cls` lets the OpenAPI schema document AnswerAPI here.
answer_view.csrf_exempt = True  # type: ignore[attr-defined]
answer_view.cls = AnswerAPI  # type: ignore[attr-defined]
answer_view.initkwargs = _answer_api.initkwargs  # type: ignore[attr-defined]


class SubmitAPI(QuizAPIView):
    """Submit my attempt (idempotent); it is graded at once."""

    @extend_schema(request=None, responses={200: AttemptOut, 404: ErrorOut})
    def post(self, request: Request, code: str, pk: int) -> Response:
        now = timezone.now()
        quiz = self.quiz(pk)
        attempt = selectors.attempt_of(quiz, request.user)
        if attempt is None:
            return Response({"code": "no_attempt", "detail": "No attempt to submit."}, status=404)
        attempt = services.attempt_submit(attempt=attempt, now=now)
        return Response(AttemptOut(presenters.attempt_dict(attempt, now)).data)


class ResultAPI(QuizAPIView):
    """My score (and the correct answers if allowed) once the quiz closed for everyone."""

    @extend_schema(responses={200: ResultOut, 409: ErrorOut})
    def get(self, request: Request, code: str, pk: int) -> Response:
        now = timezone.now()
        quiz = self.quiz(pk, full=True)
        if now <= selectors.closed_for_everyone_at(quiz):
            return Response(
                {
                    "code": "not_closed",
                    "detail": "Results are shown once the quiz has closed for everyone.",
                },
                status=409,
            )
        return Response(ResultOut(presenters.result(quiz, request.user, now)).data)
