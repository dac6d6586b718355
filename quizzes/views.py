"""Student pages: the quiz list, what counts, the taking page, the result; the projector code."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from course.decorators import course_view
from course.models import Course, Enrolment
from course.permissions import Action, is_staff_of
from course.selectors import active_students, course_policy

from . import presenters, rules, selectors, services
from .finalise import finalise_overdue
from .models import Quiz
from .policy import QuizPolicy
from .services import QuizError


def _quiz_or_404(course: Course, pk: int, *, full: bool = False) -> Quiz:
    quiz = selectors.quiz_for_taking(course, pk) if full else selectors.quiz_of_course(course, pk)
    if quiz is None:
        raise Http404
    return quiz


@course_view(Action.TAKE_QUIZ, Action.GRADE)
def quiz_list(request: HttpRequest, course: Course) -> HttpResponse:
    now = timezone.now()
    if is_staff_of(request.user, course):
        return _class_quiz_list(request, course, now)
    # Read after finalising: an attempt left open past its deadline shows submitted and counts.
    finalise_overdue(now=now, course=course, student_ids=[cast(int, request.user.pk)])
    rows = selectors.quiz_rows_for_student(course, request.user, now)
    closes = selectors.closed_for_everyone_map(course)
    practice = _practice_only(request)
    best = None if practice else selectors.quiz_component_for(course, request.user, now)
    counted = set(best.counted) if best else set()
    for row in rows:
        row.counted = row.quiz.gradebook_key in counted
    policy = course_policy(course, QuizPolicy)
    return render(
        request,
        "quizzes/quiz_list.html",
        {
            "rows": [(r, selectors.results_released(r.quiz, now, closes[r.quiz.pk])) for r in rows],
            "best": best,
            "best_n": policy.best_n,
            "expected_min": policy.expected_min,
            "expected_max": policy.expected_max,
            "first_is_self_assessment": policy.first_is_self_assessment,
            "now": now,
            "practice": practice,
        },
    )


def _practice_only(request: HttpRequest) -> bool:
    """An auditor's attempts are practice: their pages never use a grade's wording."""
    return getattr(request, "course_role", None) == Enrolment.Role.AUDITOR


def _class_quiz_list(request: HttpRequest, course: Course, now: datetime) -> HttpResponse:
    """The staff's view: every quiz of the class with how many opened, answer and submitted."""
    quizzes = list(selectors.class_quizzes(course))
    return render(
        request,
        "quizzes/quiz_list_staff.html",
        {
            "quizzes": [
                (q, rules.window_state(now=now, window=rules.Window(q.opens_at, q.closes_at)))
                for q in quizzes
            ],
            "student_count": active_students(course).count(),
            "best_n": course_policy(course, QuizPolicy).best_n,
        },
    )


@course_view(Action.TAKE_QUIZ)
def quiz_detail(request: HttpRequest, course: Course, pk: int) -> HttpResponse:
    now = timezone.now()
    quiz = _quiz_or_404(course, pk, full=True)
    row = selectors.row_for(quiz, request.user, now)
    if row.attempt is not None:
        row.attempt = services.attempt_refresh(attempt=row.attempt, now=now)
    closed_all = selectors.closed_for_everyone_at(quiz)
    return render(
        request,
        "quizzes/quiz_detail.html",
        {
            "quiz": quiz,
            "row": row,
            "duration_minutes": round((quiz.duration + row.terms.extra).total_seconds() / 60, 1),
            "results_available": selectors.results_released(quiz, now, closed_all),
            "held_back": now > closed_all and not selectors.results_released(quiz, now, closed_all),
            "closed_for_everyone_at": closed_all,
            "readings": quiz.session.session_readings.all(),
            "question_count": len(quiz.questions.all()),
            "practice": _practice_only(request),
        },
    )


@require_POST
@course_view(Action.TAKE_QUIZ)
def quiz_start(request: HttpRequest, course: Course, pk: int) -> HttpResponse:
    quiz = _quiz_or_404(course, pk)
    try:
        services.attempt_start(
            quiz=quiz,
            student=request.user,
            now=timezone.now(),
            access_code=request.POST.get("access_code", ""),
        )
    except QuizError as exc:
        messages.error(request, str(exc.message))
        return redirect("quiz_detail", code=course.code, pk=quiz.pk)
    return redirect("quiz_take", code=course.code, pk=quiz.pk)


@course_view(Action.TAKE_QUIZ)
def quiz_take(request: HttpRequest, course: Course, pk: int) -> HttpResponse:
    now = timezone.now()
    # The quiz with its questions and the student's attempt (3 queries).
    found = selectors.student_quiz(
        course_code=course.code, quiz_pk=pk, student=request.user, with_questions=True
    )
    if found is None:
        raise Http404
    quiz, attempt = found.quiz, found.attempt
    if attempt is None:
        return redirect("quiz_detail", code=course.code, pk=quiz.pk)
    attempt = services.attempt_refresh(attempt=attempt, now=now)
    if attempt.submitted_at is not None:
        return redirect("quiz_detail", code=course.code, pk=quiz.pk)
    answers = selectors.answers_by_question(attempt)
    items = []
    for shown in selectors.shown_questions(quiz, attempt):
        q = shown.question
        value = answers[q.pk].value if q.pk in answers else None
        saved_at = answers[q.pk].saved_at if q.pk in answers else None
        picked = set(value) if isinstance(value, list) else {value}
        items.append(
            {
                "q": q,
                "prompt": shown.prompt,
                "choices": shown.choices,
                "value": value,
                "picked": picked,
                "saved_at": saved_at,
            }
        )
    api_base = reverse("api_quiz", kwargs={"code": course.code, "pk": quiz.pk})
    return render(
        request,
        "quizzes/quiz_take.html",
        {
            "quiz": quiz,
            "attempt": attempt,
            "items": items,
            "remaining": presenters.remaining(attempt, now),
            "api_base": api_base,
            "detail_url": reverse("quiz_detail", kwargs={"code": course.code, "pk": quiz.pk}),
            "js_strings": script_strings(),
        },
    )


def script_strings() -> dict[str, str]:
    """The taking page's sentences (static/js/quizzes.js). "%s" is filled in by the script;
    "_one" / "_many" are the same sentence about one question or several (their numbers)."""
    from django.utils.translation import gettext as _

    return {
        "time_left": _("Time left: %s"),
        "time_up": _("Time is up: your attempt is being submitted."),
        "left_300": _("Five minutes left."),
        "left_60": _("One minute left."),
        "left_30": _("Thirty seconds left."),
        "q_saved": _("Saved at %s"),
        "q_waiting": _("Waiting to be sent"),
        "q_sending": _("Sending…"),
        "q_refused": _("Refused: %s"),
        "refused_status": _("The server refused this answer (error %s)."),
        "status_none": _("Answers are saved as you give them."),
        "status_saved": _("All answers saved (last at %s)."),
        "status_waiting_one": _("Sending the answer to question %s…"),
        "status_waiting_many": _("Sending the answers to questions %s…"),
        "status_offline_one": _(
            "Connection lost: the answer to question %s is kept on this device and will be "
            "sent when the connection is back."
        ),
        "status_offline_many": _(
            "Connection lost: the answers to questions %s are kept on this device and will be "
            "sent when the connection is back."
        ),
        "status_retrying_one": _(
            "The server did not answer: the answer to question %s is kept on this device; retrying…"
        ),
        "status_retrying_many": _(
            "The server did not answer: the answers to questions %s are kept on this device; "
            "retrying…"
        ),
        "status_refused_one": _(
            "Not saved: the answer to question %s was refused (the reason is beside it)."
        ),
        "status_refused_many": _(
            "Not saved: the answers to questions %s were refused (the reason is beside each)."
        ),
        "status_restored_one": _(
            "The answer to question %s given before the page was left was put back; sending it…"
        ),
        "status_restored_many": _(
            "The answers to questions %s given before the page was left were put back; "
            "sending them…"
        ),
        "storage_unavailable": _(
            "This browser does not let the page keep answers on the device: stay on this page "
            "until they are saved."
        ),
        "back_online": _("Connection back: sending the answers that were waiting…"),
        "submitting": _("Submitting…"),
        "submit_waiting_one": _(
            "Not submitted yet: the answer to question %s is not saved. The attempt will be "
            "submitted as soon as it is."
        ),
        "submit_waiting_many": _(
            "Not submitted yet: the answers to questions %s are not saved. The attempt will be "
            "submitted as soon as they are."
        ),
        "submit_retrying": _("Not submitted yet: the server did not answer. Retrying…"),
        "submit_refused": _("Not submitted: %s"),
        "submitted": _("Submitted."),
        "confirm_submit": _("Submit your attempt? You cannot change your answers afterwards."),
        "confirm_submit_refused_one": _(
            "The answer to question %s was refused and is not saved. Submit anyway?"
        ),
        "confirm_submit_refused_many": _(
            "The answers to questions %s were refused and are not saved. Submit anyway?"
        ),
        "leave_warning": _("Some answers are not saved yet. Leave this page anyway?"),
    }


@require_POST
@course_view(Action.TAKE_QUIZ)
def quiz_submit(request: HttpRequest, course: Course, pk: int) -> HttpResponse:
    """Fallback without JavaScript: answers posted with the form are saved, then submitted."""
    now = timezone.now()
    quiz = _quiz_or_404(course, pk, full=True)
    attempt = selectors.attempt_of(quiz, request.user)
    if attempt is None:
        return redirect("quiz_detail", code=course.code, pk=quiz.pk)
    for q in quiz.questions.all():
        key = f"q{q.pk}"
        if key not in request.POST:
            continue
        value: object = request.POST.getlist(key) if q.kind == "multiple" else request.POST[key]
        try:
            services.answer_save(
                quiz=quiz, student=request.user, question_id=q.pk, value=value, now=now
            )
        except QuizError as exc:
            messages.warning(request, str(exc.message))
            break
    attempt = services.attempt_submit(attempt=attempt, now=now)
    messages.success(request, _submitted_message())
    return redirect("quiz_detail", code=course.code, pk=quiz.pk)


def _submitted_message() -> str:
    from django.utils.translation import gettext as _

    return _("Your attempt is submitted.")


@course_view(Action.TAKE_QUIZ)
def quiz_result(request: HttpRequest, course: Course, pk: int) -> HttpResponse:
    now = timezone.now()
    quiz = _quiz_or_404(course, pk, full=True)
    closed_all = selectors.closed_for_everyone_at(quiz)
    if not selectors.results_released(quiz, now, closed_all):
        return render(
            request,
            "quizzes/quiz_result.html",
            {
                "quiz": quiz,
                "not_yet": True,
                "held_back": now > closed_all,
                "closed_for_everyone_at": closed_all,
            },
            status=200,
        )
    return render(
        request,
        "quizzes/quiz_result.html",
        {
            "quiz": quiz,
            "result": presenters.result(quiz, request.user, now),
            "practice": _practice_only(request),
        },
    )


@course_view(Action.MANAGE_COURSE)
def quiz_access_code(request: HttpRequest, course: Course, pk: int) -> HttpResponse:
    """The projector page: the code changes every minute; the page reloads itself."""
    now = timezone.now()
    quiz = _quiz_or_404(course, pk)
    seconds_left = 60 - int(now.timestamp()) % 60
    return render(
        request,
        "quizzes/access_code.html",
        {
            "quiz": quiz,
            "code_value": rules.access_code(quiz.access_secret, now),
            "refresh": seconds_left + 1,
        },
    )


@require_POST
@course_view(Action.TAKE_QUIZ)
def quiz_regrade_request(request: HttpRequest, course: Course, pk: int) -> HttpResponse:
    """A student asks for a regrade of one question of their released result."""
    quiz = _quiz_or_404(course, pk, full=True)
    try:
        services.regrade_request_file(
            quiz=quiz,
            student=request.user,
            question_id=request.POST.get("question"),
            reason=request.POST.get("reason", ""),
            now=timezone.now(),
        )
    except QuizError as exc:
        messages.error(request, str(exc.message))
        return redirect("quiz_result", code=course.code, pk=quiz.pk)
    messages.success(request, _regrade_filed_message())
    return redirect("quiz_result", code=course.code, pk=quiz.pk)


def _regrade_filed_message() -> str:
    from django.utils.translation import gettext as _

    return _("Your regrade request is sent; the answer will appear here.")
