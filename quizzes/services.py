"""Writes of the daily quizzes: start an attempt, save an answer, submit, grade, close, regrade.

Each service takes `now` and runs in one transaction; the database decides races (one attempt
per (quiz, student) is a unique constraint; answers are upserted on (attempt, question); an
attempt row is locked while an answer is saved or the attempt is submitted).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.utils.translation import gettext_lazy as _

from course.models import Enrollment
from course.permissions import role_of

from . import prepared, rules
from .models import Accommodation, Answer, Attempt, Choice, Question, Quiz
from .selectors import one, student_terms

MAX_TEXT = 4000


class QuizError(Exception):
    """A refused request: `field` names what was wrong, `code` is stable for API clients."""

    def __init__(
        self,
        message: Any,
        *,
        field: str = "non_field_errors",
        code: str = "invalid",
        status: int = 400,
    ):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code
        self.status = status

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, self.field: [str(self.message)]}


# --- what a student may do --------------------------------------------------------------------


def _accommodation(quiz: Quiz, student: Any) -> Accommodation | None:
    return one(Accommodation.objects.filter(quiz=quiz, student=student))


def _is_practice(quiz: Quiz, student: Any) -> bool:
    """Only a registered student's attempt can reach a grade (auditors, staff: practice)."""
    return role_of(student, quiz.course) != Enrollment.Role.STUDENT


# --- attempts --------------------------------------------------------------------------------


def attempt_start(
    *,
    quiz: Quiz,
    student: Any,
    now: datetime,
    access_code: str | None = None,
    check_code: bool = True,
) -> tuple[Attempt, bool]:
    """Get or create the student's single attempt. Returns (attempt, created).

    Safe under concurrency: a second simultaneous start hits the unique constraint and
    fetches the winner's attempt. An existing attempt is returned whatever the time.
    """
    existing = one(Attempt.objects.filter(quiz=quiz, student=student))
    if existing is not None:
        return existing, False
    terms = student_terms(quiz, _accommodation(quiz, student))
    if terms.excused:
        raise QuizError(_("You are excused from this quiz."), code="excused", status=403)
    state = rules.window_state(now=now, window=terms.window)
    if state == "upcoming":
        raise QuizError(_("This quiz is not open yet."), code="not_open", status=409)
    if state == "closed":
        raise QuizError(
            _("This quiz is closed: attempts can no longer be started."), code="closed", status=409
        )
    if (
        check_code
        and quiz.requires_access_code
        and not rules.access_code_ok(quiz.access_secret, access_code or "", now)
    ):
        raise QuizError(
            _(
                "That access code is wrong: enter the code shown in class now (it changes every minute)."
            )
            if (access_code or "").strip()
            else _("Enter the access code shown in class."),
            field="access_code",
            code="access_code",
            status=403,
        )
    deadline = rules.attempt_deadline(
        started_at=now,
        duration=quiz.duration,
        window_closes_at=terms.window.closes_at,
        extra=terms.extra,
    )
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                quiz=quiz,
                student=student,
                started_at=now,
                deadline=deadline,
                is_practice=_is_practice(quiz, student),
                points_possible=_points_possible(quiz),
            )
        return attempt, True
    except IntegrityError:
        return Attempt.objects.get(quiz=quiz, student=student), False


def _points_possible(quiz: Quiz) -> Decimal:
    return sum((q.points for q in quiz.questions.all()), Decimal(0))


def attempt_refresh(*, attempt: Attempt, now: datetime) -> Attempt:
    """Close the attempt if it is past its deadline + grace (so reads never show it open)."""
    if attempt.submitted_at is None and rules.is_overdue(
        now=now, deadline=attempt.deadline, grace=attempt.quiz.grace
    ):
        return attempt_submit(attempt=attempt, now=now, by_timeout=True)
    return attempt


def _validate_value(question: Question, value: Any, choice_ids: AbstractSet[int]) -> Any:
    """The stored form of an answer, or QuizError naming the field `value`."""
    kind = question.kind
    if value is None:
        return None
    if kind == Question.Kind.SINGLE:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise QuizError(_("Pick one choice."), field="value", code="bad_value")
        try:
            picked = int(value)
        except ValueError as exc:
            raise QuizError(_("Pick one choice."), field="value", code="bad_value") from exc
        if picked not in choice_ids:
            raise QuizError(
                _("This choice is not one of the question's."), field="value", code="bad_choice"
            )
        return picked
    if kind == Question.Kind.MULTIPLE:
        if not isinstance(value, list) or len(value) > len(choice_ids):
            raise QuizError(
                _("Send the list of the choices picked."), field="value", code="bad_value"
            )
        out = []
        for v in value:
            if isinstance(v, bool) or not isinstance(v, int | str):
                raise QuizError(
                    _("Send the list of the choices picked."), field="value", code="bad_value"
                )
            try:
                out.append(int(v))
            except ValueError as exc:
                raise QuizError(
                    _("Send the list of the choices picked."), field="value", code="bad_value"
                ) from exc
        if not set(out) <= choice_ids:
            raise QuizError(
                _("This choice is not one of the question's."), field="value", code="bad_choice"
            )
        return sorted(set(out))
    if kind == Question.Kind.NUMERIC:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise QuizError(_("Enter a number."), field="value", code="bad_value")
        text = str(value).strip()
        if text == "":
            return None
        if rules.parse_number(text) is None:
            raise QuizError(_("Enter a number, e.g. 0.25."), field="value", code="bad_number")
        return text[:40]
    if not isinstance(value, str):
        raise QuizError(_("Enter text."), field="value", code="bad_value")
    if len(value) > MAX_TEXT:
        raise QuizError(
            _("The answer is too long (4000 characters at most)."), field="value", code="too_long"
        )
    return value


validate_value = _validate_value


def answer_save(
    *,
    quiz: Quiz,
    student: Any,
    question_id: Any,
    value: Any,
    now: datetime,
    access_code: str | None = None,
    question: Question | None = None,
) -> Answer:
    """Upsert the student's answer to one question of the quiz.

    Starts the attempt if there is none yet (two simultaneous first answers still make one
    attempt). Refused (QuizError, nothing stored): a question of another quiz, a malformed
    value, an attempt submitted or past its deadline + grace. `question` may be passed
    already loaded (it must belong to `quiz`).
    """
    if question is None or question.quiz_id != quiz.pk:
        try:
            qid = int(question_id)
        except (TypeError, ValueError) as exc:
            raise QuizError(_("Unknown question."), field="question", code="bad_question") from exc
        question = one(Question.objects.filter(pk=qid, quiz=quiz))
    if question is None:
        raise QuizError(
            _("This question is not part of this quiz."),
            field="question",
            code="bad_question",
            status=404,
        )
    choice_ids: set[int] = set()
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        choice_ids = set(Choice.objects.filter(question=question).values_list("pk", flat=True))
    stored = _validate_value(question, value, choice_ids)

    for _try in range(2):
        with transaction.atomic():
            locked = one(Attempt.objects.select_for_update().filter(quiz=quiz, student=student))
            if locked is not None:
                if locked.submitted_at is not None:
                    raise QuizError(
                        _("This attempt has been submitted: answers can no longer change."),
                        code="submitted",
                        status=409,
                    )
                if not rules.accepts_answers(now=now, deadline=locked.deadline, grace=quiz.grace):
                    raise QuizError(
                        _("Time is up: the deadline has passed, this answer was not saved."),
                        code="deadline_passed",
                        status=409,
                    )
                Answer.objects.bulk_create(
                    [Answer(attempt=locked, question=question, value=stored, saved_at=now)],
                    update_conflicts=True,
                    unique_fields=["attempt", "question"],
                    update_fields=["value", "saved_at"],
                )
                return Answer(attempt=locked, question=question, value=stored, saved_at=now)
        # No attempt yet: start it (get-or-create, safe under concurrency), then save.
        attempt_start(quiz=quiz, student=student, now=now, access_code=access_code)
    raise QuizError(_("Unknown question."), field="question", code="bad_question")


def answer_save_open(*, attempt: Attempt, question: Question, stored: Any, now: datetime) -> bool:
    """The hot path of answer_save for an attempt already loaded, the value already validated.

    One statement: the attempt row is share-locked (a submit holds it exclusively while it
    grades, so an answer lands either before the submit or not at all), the attempt must still
    be open and within its deadline + grace, and the answer is upserted on (attempt, question).
    False when nothing was stored (submitted or too late meanwhile): answer_save says why.
    """
    conn = connections[Answer.objects.db]
    lock = " FOR SHARE" if conn.features.has_select_for_update else ""
    value_field = Answer._meta.get_field("value")
    saved_field = Answer._meta.get_field("saved_at")
    deadline_field = Attempt._meta.get_field("deadline")
    sql = (
        f'INSERT INTO "{Answer._meta.db_table}"'
        ' ("attempt_id", "question_id", "value", "saved_at", "points", "graded_by_id")'
        f' SELECT a."id", %s, %s, %s, NULL, NULL FROM "{Attempt._meta.db_table}" a'
        ' WHERE a."id" = %s AND a."submitted_at" IS NULL AND a."deadline" >= %s'
        f"{lock}"
        ' ON CONFLICT ("attempt_id", "question_id") DO UPDATE'
        ' SET "value" = EXCLUDED."value", "saved_at" = EXCLUDED."saved_at"'
        ' RETURNING "id"'
    )
    params = [
        question.pk,
        value_field.get_db_prep_save(stored, conn),
        saved_field.get_db_prep_save(now, conn),
        attempt.pk,
        deadline_field.get_db_prep_save(now - attempt.quiz.grace, conn),
    ]
    with conn.cursor() as cursor:  # one statement: atomic without BEGIN/COMMIT round trips
        prepared.execute(cursor, "quizzes_answer_upsert", sql, params)
        return cursor.fetchone() is not None


def attempt_submit(*, attempt: Attempt, now: datetime, by_timeout: bool = False) -> Attempt:
    """Submit and auto-grade. An overdue attempt is recorded as submitted at its deadline."""
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        if locked.submitted_at is not None:
            return locked
        overdue = rules.is_overdue(now=now, deadline=locked.deadline, grace=locked.quiz.grace)
        locked.submitted_at = min(now, locked.deadline) if overdue else now
        locked.submitted_by_timeout = by_timeout or overdue or now >= locked.deadline
        locked.save(update_fields=["submitted_at", "submitted_by_timeout"])
        _grade(locked)
    return locked


# --- grading ---------------------------------------------------------------------------------


def _answer_fraction(question: Question, value: Any, correct: set[int]) -> Decimal | None:
    """Fraction of the question's points; None for a text answer waiting for a grader."""
    if question.kind == Question.Kind.SINGLE:
        return rules.score_single(picked=value if isinstance(value, int) else None, correct=correct)
    if question.kind == Question.Kind.MULTIPLE:
        picked = set(value) if isinstance(value, list) else set()
        return rules.score_multiple(picked=picked, correct=correct)
    if question.kind == Question.Kind.NUMERIC:
        if question.numeric_answer is None:
            return None
        return rules.score_numeric(
            value=rules.parse_number(value) if value is not None else None,
            answer=question.numeric_answer,
            tolerance=question.numeric_tolerance,
        )
    return None


def _grade(attempt: Attempt, questions: list[Question] | None = None) -> None:
    """Grade the auto-graded answers and total the attempt (text answers keep their grade)."""
    if questions is None:
        questions = list(
            Question.objects.filter(quiz_id=attempt.quiz_id).prefetch_related("choices")
        )
    answers = {a.question_id: a for a in Answer.objects.filter(attempt=attempt)}
    _grade_with(attempt, questions, answers)


def grade_totals(
    attempt: Attempt, questions: list[Question], answers: dict[int, Answer]
) -> list[Answer]:
    """Grade the answers and total the attempt in memory; the answers whose points changed
    are returned for the caller to save (with the attempt's totals)."""
    total = Decimal(0)
    possible = Decimal(0)
    waiting = False
    changed: list[Answer] = []
    for q in questions:
        possible += q.points
        answer = answers.get(q.id)
        if answer is None:
            continue
        if q.kind == Question.Kind.TEXT:
            if answer.points is None and (answer.value or "").strip():
                waiting = True
            total += answer.points or Decimal(0)
            continue
        correct = {c.pk for c in q.choices.all() if c.is_correct}
        fraction = _answer_fraction(q, answer.value, correct)
        pts = rules.points_for(fraction, q.points) if fraction is not None else None
        if pts is None and q.kind == Question.Kind.NUMERIC:
            waiting = True
        if pts != answer.points:
            answer.points = pts
            changed.append(answer)
        total += pts or Decimal(0)
    attempt.points = total
    attempt.points_possible = possible
    attempt.percent = rules.percent(total, possible)
    attempt.needs_manual_grading = waiting
    return changed


def _grade_with(attempt: Attempt, questions: list[Question], answers: dict[int, Answer]) -> None:
    changed = grade_totals(attempt, questions, answers)
    if changed:
        Answer.objects.bulk_update(changed, ["points"])
    attempt.save(update_fields=["points", "points_possible", "percent", "needs_manual_grading"])


def quiz_regrade(*, quiz_id: int) -> int:
    """Regrade every submitted attempt of the quiz (after an answer key changed)."""
    questions = list(Question.objects.filter(quiz_id=quiz_id).prefetch_related("choices"))
    attempts = list(Attempt.objects.filter(quiz_id=quiz_id, submitted_at__isnull=False))
    by_attempt: dict[int, dict[int, Answer]] = {a.pk: {} for a in attempts}
    for answer in Answer.objects.filter(attempt__in=attempts):
        by_attempt[answer.attempt_id][answer.question_id] = answer
    with transaction.atomic():
        for attempt in attempts:
            _grade_with(attempt, questions, by_attempt[attempt.pk])
    return len(attempts)


def answer_grade(*, answer: Answer, points: Decimal, grader: Any) -> Answer:
    """A grader's points for a text answer; the attempt's total follows."""
    if points < 0 or points > answer.question.points:
        raise QuizError(
            _("Points must be between 0 and the question's points."),
            field="points",
            code="bad_points",
        )
    with transaction.atomic():
        answer.points = points
        answer.graded_by = grader
        answer.save(update_fields=["points", "graded_by"])
        attempt = Attempt.objects.select_for_update().get(pk=answer.attempt_id)
        if attempt.submitted_at is not None:
            _grade(attempt)
    return answer


def close_overdue(*, now: datetime, quiz_id: int | None = None) -> int:
    """Submit every open attempt past its deadline + grace (at its deadline). Idempotent."""
    qs = Attempt.objects.filter(submitted_at__isnull=True, deadline__lt=now).select_related("quiz")
    if quiz_id is not None:
        qs = qs.filter(quiz_id=quiz_id)
    closed = 0
    for attempt in qs:
        if rules.is_overdue(now=now, deadline=attempt.deadline, grace=attempt.quiz.grace):
            attempt_submit(attempt=attempt, now=now, by_timeout=True)
            closed += 1
    return closed


def accommodation_set(
    *,
    quiz: Quiz,
    student: Any,
    extra_seconds: int = 0,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    excused: bool = False,
    note: str = "",
) -> Accommodation:
    acc, _ = Accommodation.objects.update_or_create(
        quiz=quiz,
        student=student,
        defaults={
            "extra_seconds": extra_seconds,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "excused": excused,
            "note": note,
        },
    )
    accommodation_applied(accommodation=acc)
    return acc


def accommodation_applied(*, accommodation: Accommodation) -> None:
    """An accommodation given or changed while the student's attempt is open moves its deadline."""
    quiz = accommodation.quiz
    with transaction.atomic():
        attempt = one(
            Attempt.objects.select_for_update().filter(
                quiz=quiz, student_id=accommodation.student_id, submitted_at__isnull=True
            )
        )
        if attempt is None:
            return
        terms = student_terms(quiz, accommodation)
        attempt.deadline = rules.attempt_deadline(
            started_at=attempt.started_at,
            duration=quiz.duration,
            window_closes_at=terms.window.closes_at,
            extra=terms.extra,
        )
        attempt.save(update_fields=["deadline"])
