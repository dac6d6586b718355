"""REST API of the daily quizzes: the same services and rules as the pages.

A student can take a quiz with any HTTP client (session or basic auth; CSRF token with sessions):
list, detail, start the attempt, save an answer, submit, read the result once the quiz closed.
"""

from __future__ import annotations

from typing import Any, cast

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from course.api_permissions import CourseActionPermission
from course.models import Course
from course.permissions import Action, can, remember_enrolment

from . import presenters, selectors, services
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
    required = serializers.BooleanField()  # type: ignore[assignment]  # a field named like a parent's attribute
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


def _storable_text(value: Any) -> None:
    """Every string in the value (list items and keys included) can be stored as typed: no NUL
    character (PostgreSQL's text and jsonb refuse it) and no lone surrogate (not UTF-8).
    Walked without recursion, whatever the nesting."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                raise serializers.ValidationError(
                    _("The answer contains a null character, which cannot be stored.")
                )
            try:
                item.encode("utf-8")
            except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 for it
                raise serializers.ValidationError(
                    _("The answer contains a character that is not valid text (a lone surrogate).")
                ) from exc


class AnswerIn(serializers.Serializer):
    value = serializers.JSONField(
        allow_null=True,
        validators=[_storable_text],
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
    course: Course  # set by CourseActionPermission, from the URL's code

    def quiz(self, pk: int, *, full: bool = False) -> Quiz:
        course = self.course
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
        course = self.course
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


class StudentQuizAPIView(APIView):
    """A view of one quiz for the signed-in student that reads the course, the student's
    enrolment, accommodation and attempt with the quiz (selectors.student_quiz), and asks the
    course's rule (`can`) of them, as CourseActionPermission asks it."""

    permission_classes = [IsAuthenticated]  # the course's rule is asked of what was read
    course_action = Action.TAKE_QUIZ

    def student_quiz(
        self, request: Request, code: str, pk: int, *, with_questions: bool = False
    ) -> selectors.StudentQuiz:
        found = selectors.student_quiz(
            course_code=code, quiz_pk=pk, student=request.user, with_questions=with_questions
        )
        if found is None:
            self.refuse(request, code)
            raise Http404
        self.allow(request, found.course, found.enrolment)
        return found

    def allow(self, request: Request, course: Any, enrolment: Any) -> None:
        if request.user.is_authenticated:
            remember_enrolment(request.user, course, enrolment)
        if not can(request.user, self.course_action, course):
            self.permission_denied(request, message=CourseActionPermission.message)

    def refuse(self, request: Request, code: str) -> None:
        """Nothing found at this address: what every quiz address says first (no course: 404;
        no right in it: 403); the caller then says what is missing."""
        permission = CourseActionPermission()
        if not permission.has_permission(request, self):
            self.permission_denied(request, message=permission.message)


class AttemptAPI(StudentQuizAPIView):
    """GET: my attempt (with questions and saved answers). POST: start it (idempotent)."""

    @extend_schema(responses={200: AttemptStateOut, 404: ErrorOut})
    def get(self, request: Request, code: str, pk: int) -> Response:
        now = timezone.now()
        found = self.student_quiz(request, code, pk, with_questions=True)
        if found.attempt is None:
            return Response(
                {"code": "no_attempt", "detail": "No attempt yet: POST to start."}, status=404
            )
        attempt = services.attempt_refresh(attempt=found.attempt, now=now)
        return Response(AttemptStateOut(presenters.attempt_state(found.quiz, attempt, now)).data)

    @extend_schema(request=StartIn, responses={200: AttemptStateOut, 201: AttemptStateOut})
    def post(self, request: Request, code: str, pk: int) -> Response:
        now = timezone.now()
        payload = StartIn(data=request.data)
        payload.is_valid(raise_exception=True)
        found = self.student_quiz(request, code, pk, with_questions=True)
        try:
            attempt, created = services.attempt_start(
                quiz=found.quiz,
                student=request.user,
                now=now,
                access_code=payload.validated_data.get("access_code"),
                student_quiz=found,
            )
        except QuizError as exc:
            return _error(exc)
        attempt = services.attempt_refresh(attempt=attempt, now=now)
        # A new attempt has no answer yet: nothing to read.
        state = presenters.attempt_state(
            found.quiz, attempt, now, answers=None if not created else {}
        )
        return Response(
            AttemptStateOut(state).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AnswerAPI(StudentQuizAPIView):
    """Save (upsert) my answer to one question; refused after the deadline + grace."""

    @extend_schema(
        request=AnswerIn, responses={200: AnswerOut, 400: ErrorOut, 403: ErrorOut, 409: ErrorOut}
    )
    def put(self, request: Request, code: str, pk: int, question_id: int) -> Response:
        now = timezone.now()
        target = selectors.answer_target(
            quiz_pk=pk, question_pk=question_id, student=request.user, course_code=code
        )
        if target is None:  # the quiz (whose answer_save names the question) or a refusal
            quiz = self.student_quiz(request, code, pk).quiz
        else:
            quiz = target.quiz
            self.allow(request, target.course, target.enrolment)
        # The body is read once the person may answer: whoever may not is told that first.
        payload = AnswerIn(data=request.data)
        if not payload.is_valid():
            return Response({"code": "invalid", **payload.errors}, status=400)
        try:
            answer = services.answer_save(
                quiz=quiz,
                student=request.user,
                question_id=question_id,
                value=payload.validated_data["value"],
                now=now,
                access_code=payload.validated_data.get("access_code"),
                target=target,
                database_clock=True,
            )
        except QuizError as exc:
            return _error(exc)
        data: dict[str, Any] = {
            "question": question_id,
            "value": answer.value,
            "saved_at": answer.saved_at,
            "remaining_seconds": presenters.remaining(answer.attempt, answer.saved_at),
        }
        return Response(AnswerOut(data).data)

    post = put


class SubmitAPI(StudentQuizAPIView):
    """Submit my attempt (idempotent); it is graded at once."""

    @extend_schema(request=None, responses={200: AttemptOut, 404: ErrorOut})
    def post(self, request: Request, code: str, pk: int) -> Response:
        now = timezone.now()
        found = self.student_quiz(request, code, pk)
        if found.attempt is None:
            return Response({"code": "no_attempt", "detail": "No attempt to submit."}, status=404)
        attempt = services.attempt_submit(attempt=found.attempt, now=now)
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
