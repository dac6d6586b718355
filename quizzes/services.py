"""Writes of the daily quizzes: start an attempt, save an answer, submit, grade, close, regrade.

Each service takes `now` and runs in one transaction; the database decides races (one attempt
per (quiz, student) is a unique constraint; answers are upserted on (attempt, question); an
attempt row is locked while an answer is saved or the attempt is submitted).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from course.permissions import is_registered_student
from course.queueing import queue_on_commit

from . import rules
from .models import Accommodation, Answer, Attempt, Choice, Question, Quiz, RegradeRequest
from .selectors import (
    AnswerTarget,
    StudentQuiz,
    answer_target,
    closed_for_everyone_at,
    one,
    question_answer,
    results_released_at,
    slot_questions,
    student_terms,
)

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
    return not is_registered_student(student, quiz.course)


# --- attempts --------------------------------------------------------------------------------


def attempt_start(
    *,
    quiz: Quiz,
    student: Any,
    now: datetime,
    access_code: str | None = None,
    check_code: bool = True,
    student_quiz: StudentQuiz | None = None,
) -> tuple[Attempt, bool]:
    """Get or create the student's single attempt. Returns (attempt, created).

    Safe under concurrency: a second simultaneous start hits the unique constraint and
    fetches the winner's attempt. An existing attempt is returned whatever the time.
    `student_quiz` is what selectors.student_quiz read for this quiz and student, when the
    caller has it (its attempt and accommodation are then not read again).
    """
    if student_quiz is not None and student_quiz.quiz.pk == quiz.pk:
        existing, accommodation = student_quiz.attempt, student_quiz.accommodation
    else:
        existing = one(Attempt.objects.filter(quiz=quiz, student=student))
        accommodation = _accommodation(quiz, student) if existing is None else None
    if existing is not None:
        return existing, False
    terms = student_terms(quiz, accommodation)
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
    questions = list(quiz.questions.all())
    variant = _draw(quiz, student, questions)
    drawn = (
        questions
        if variant is None
        else [q for q in questions if q.pk not in rules.not_drawn(variant)]
    )
    try:
        with transaction.atomic():
            # The draw is written with the attempt: one row, one statement.
            attempt = Attempt.objects.create(
                quiz=quiz,
                student=student,
                started_at=now,
                deadline=deadline,
                is_practice=_is_practice(quiz, student),
                points_possible=sum((q.points for q in drawn), Decimal(0)),
                variant=variant,
            )
        return attempt, True
    except IntegrityError:
        return Attempt.objects.get(quiz=quiz, student=student), False


def _draw(quiz: Quiz, student: Any, questions: list[Question]) -> dict[str, Any] | None:
    """The student's variant of the quiz (None when every student gets the same quiz)."""
    if not (
        quiz.shuffle_questions
        or quiz.shuffle_choices
        or any(q.pool or q.parameters for q in questions)
    ):
        return None
    choice_ids: dict[int, list[int]] = {}
    if quiz.shuffle_choices:
        for question_id, choice_id in (
            Choice.objects.filter(question__quiz=quiz)
            .order_by("order", "pk")
            .values_list("question_id", "pk")
        ):
            choice_ids.setdefault(question_id, []).append(choice_id)
    return rules.draw_variant(
        seed=rules.variant_seed(quiz.access_secret, student.pk),
        questions=slot_questions(questions, choice_ids),
        shuffle_questions=quiz.shuffle_questions,
        shuffle_choices=quiz.shuffle_choices,
    )


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


def answer_save(
    *,
    quiz: Quiz,
    student: Any,
    question_id: Any,
    value: Any,
    now: datetime,
    access_code: str | None = None,
    target: AnswerTarget | None = None,
    database_clock: bool = False,
) -> Answer:
    """Upsert the student's answer to one question of the quiz: one guarded statement.

    Starts the attempt if there is none yet (two simultaneous first answers still make one
    attempt). Refused (QuizError, nothing stored): a question of another quiz, a malformed
    value, an attempt submitted or past its deadline + grace. `target` is what
    selectors.answer_target read for this quiz, question and student, when the caller has it.

    Whether the attempt still takes answers is decided in the statement, under a share lock of
    the attempt row: a submit holds it exclusively while it grades, so an answer lands before
    the submit (and is graded) or not at all. With `database_clock` the statement reads the
    time from the database (what the web edges pass: one clock for every web server), else
    `now` is the time written and compared.
    """
    if target is None or target.quiz.pk != quiz.pk:
        try:
            qid = int(question_id)
        except (TypeError, ValueError) as exc:
            raise QuizError(_("Unknown question."), field="question", code="bad_question") from exc
        target = answer_target(quiz_pk=quiz.pk, question_pk=qid, student=student)
    if target is None:
        raise QuizError(
            _("This question is not part of this quiz."),
            field="question",
            code="bad_question",
            status=404,
        )
    question = target.question
    stored = _validate_value(question, value, target.choice_ids)
    attempt = target.attempt
    if attempt is None:
        attempt, _created = attempt_start(
            quiz=quiz, student=student, now=now, access_code=access_code
        )
    if question.pk in rules.not_drawn(attempt.variant):
        raise QuizError(
            _("This question is not part of your quiz."),
            field="question",
            code="bad_question",
            status=404,
        )
    # Refused without a write when the attempt read says so; the statement decides the rest.
    refusal = _answer_refusal(attempt, quiz, now)
    if refusal is not None:
        raise refusal
    clock = None if database_clock else now
    saved_at = _answer_upsert(
        attempt=attempt, question=question, stored=stored, quiz=quiz, clock=clock
    )
    if saved_at is None:  # submitted, past the cutoff, or its deadline moved meanwhile
        fresh = Attempt.objects.select_related("quiz").get(pk=attempt.pk)
        refusal = _answer_refusal(fresh, quiz, now)
        if refusal is None and fresh.deadline != attempt.deadline:
            # An accommodation moved the deadline between the read and the statement: the
            # statement is guarded by the deadline it was given, so it is tried once more.
            attempt = fresh
            saved_at = _answer_upsert(
                attempt=attempt, question=question, stored=stored, quiz=quiz, clock=clock
            )
        if saved_at is None:
            raise refusal or _deadline_passed()
    return Answer(attempt=attempt, question=question, value=stored, saved_at=saved_at)


def _deadline_passed() -> QuizError:
    return QuizError(
        _("Time is up: the deadline has passed, this answer was not saved."),
        code="deadline_passed",
        status=409,
    )


def _answer_refusal(attempt: Attempt, quiz: Quiz, now: datetime) -> QuizError | None:
    if attempt.submitted_at is not None:
        return QuizError(
            _("This attempt has been submitted: answers can no longer change."),
            code="submitted",
            status=409,
        )
    if not rules.accepts_answers(now=now, deadline=attempt.deadline, grace=quiz.grace):
        return _deadline_passed()
    return None


# The guarded upsert: the answer is written only if the attempt, share-locked, is open, still
# has the deadline the cutoff was computed from, and that cutoff (rules.answer_cutoff, the
# instant the Python check uses) is not past by `clock`, or by the database's own clock when it
# is NULL (SQLite writes one at a time and knows no row locks). Django's cursor runs it.
_UPSERT = (
    'INSERT INTO "{answer}"'
    ' ("attempt_id", "question_id", "value", "saved_at", "points", "graded_by_id")'
    ' SELECT a."id", %s, %s, {clock}, NULL, NULL FROM "{attempt}" a'
    ' WHERE a."id" = %s AND a."submitted_at" IS NULL AND a."deadline" = %s'
    " AND {cutoff} >= {compared_clock}"
    "{lock}"
    ' ON CONFLICT ("attempt_id", "question_id") DO UPDATE'
    ' SET "value" = EXCLUDED."value", "saved_at" = EXCLUDED."saved_at"'
    ' RETURNING "saved_at"'
)
_VENDOR_SQL = {
    "postgresql": {
        "clock": "COALESCE(%s::timestamptz, STATEMENT_TIMESTAMP())",
        "cutoff": "%s::timestamptz",
        "compared_clock": "COALESCE(%s::timestamptz, STATEMENT_TIMESTAMP())",
        "lock": " FOR SHARE",
    },
    "sqlite": {
        "clock": "COALESCE(%s, STRFTIME('%%Y-%%m-%%d %%H:%%M:%%f', 'now'))",
        # SQLite's date functions keep milliseconds: the cutoff and the clock are compared at
        # that precision, so an answer at exactly the cutoff is on time there too.
        "cutoff": "STRFTIME('%%Y-%%m-%%d %%H:%%M:%%f', %s)",
        "compared_clock": "STRFTIME('%%Y-%%m-%%d %%H:%%M:%%f', COALESCE(%s, 'now'))",
        "lock": "",
    },
}


def _answer_upsert(
    *,
    attempt: Attempt,
    question: Question,
    stored: Any,
    quiz: Quiz,
    clock: datetime | None,
) -> datetime | None:
    """One statement; the answer's saved_at, or None when nothing was written."""
    connection = connections[Answer.objects.db]
    vendor = connection.vendor
    sql = _UPSERT.format(
        answer=Answer._meta.db_table, attempt=Attempt._meta.db_table, **_VENDOR_SQL[vendor]
    )
    saved_at_field = Answer._meta.get_field("saved_at")
    clock_param = saved_at_field.get_db_prep_save(clock, connection)
    deadline_field = Attempt._meta.get_field("deadline")
    cutoff = rules.answer_cutoff(deadline=attempt.deadline, grace=quiz.grace)
    params = [
        question.pk,
        Answer._meta.get_field("value").get_db_prep_save(stored, connection),
        clock_param,
        attempt.pk,
        deadline_field.get_db_prep_save(attempt.deadline, connection),
        deadline_field.get_db_prep_save(cutoff, connection),
        clock_param,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    saved_at = saved_at_field.to_python(row[0])
    if timezone.is_naive(saved_at):  # SQLite returns its UTC text as written
        saved_at = timezone.make_aware(saved_at, UTC)
    return saved_at


def attempt_submit(*, attempt: Attempt, now: datetime, by_timeout: bool = False) -> Attempt:
    """Submit and auto-grade. An overdue attempt is recorded as submitted at its deadline."""
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
        if locked.submitted_at is not None:
            return locked
        overdue = rules.is_overdue(now=now, deadline=locked.deadline, grace=locked.quiz.grace)
        locked.submitted_at = min(now, locked.deadline) if overdue else now
        locked.submitted_by_timeout = by_timeout or overdue or now >= locked.deadline
        questions = list(
            Question.objects.filter(quiz_id=locked.quiz_id).prefetch_related("choices")
        )
        answers = {a.question_id: a for a in Answer.objects.filter(attempt=locked)}
        changed = grade_totals(locked, questions, answers)
        if changed:
            Answer.objects.bulk_update(changed, ["points"])
        # One write of the attempt: submitted and graded together.
        locked.save(update_fields=["submitted_at", "submitted_by_timeout", *_TOTALS])
    return locked


# --- grading ---------------------------------------------------------------------------------


def _answer_fraction(
    question: Question, value: Any, correct: set[int], params: dict[str, str]
) -> Decimal | None:
    """Fraction of the question's points; None for a text answer waiting for a grader."""
    if question.kind == Question.Kind.SINGLE:
        return rules.score_single(picked=value if isinstance(value, int) else None, correct=correct)
    if question.kind == Question.Kind.MULTIPLE:
        picked = set(value) if isinstance(value, list) else set()
        return rules.score_multiple(picked=picked, correct=correct)
    if question.kind == Question.Kind.NUMERIC:
        expected = question_answer(question, params)
        if expected is None:
            return None
        return rules.score_numeric(
            value=rules.parse_number(value) if value is not None else None,
            answer=expected,
            tolerance=question.numeric_tolerance,
        )
    return None


def _overrides(attempt_ids: list[int]) -> dict[int, dict[int, Decimal]]:
    """Accepted regrade requests: attempt -> question -> the points the staff gave."""
    out: dict[int, dict[int, Decimal]] = {}
    for attempt_id, question_id, points in RegradeRequest.objects.filter(
        attempt_id__in=attempt_ids,
        status=RegradeRequest.Status.ACCEPTED,
        new_points__isnull=False,
    ).values_list("attempt_id", "question_id", "new_points"):
        if points is not None:
            out.setdefault(attempt_id, {})[question_id] = points
    return out


def _grade(attempt: Attempt, questions: list[Question] | None = None) -> None:
    """Grade the auto-graded answers and total the attempt (text answers keep their grade)."""
    if questions is None:
        questions = list(
            Question.objects.filter(quiz_id=attempt.quiz_id).prefetch_related("choices")
        )
    answers = {a.question_id: a for a in Answer.objects.filter(attempt=attempt)}
    _grade_with(attempt, questions, answers, _overrides([attempt.pk]).get(attempt.pk))


def grade_totals(
    attempt: Attempt,
    questions: list[Question],
    answers: dict[int, Answer],
    overrides: dict[int, Decimal] | None = None,
) -> list[Answer]:
    """Grade the answers and total the attempt in memory; the answers whose points changed
    are returned for the caller to save (with the attempt's totals).

    Only the questions the student was given count (their drawn variant, with its
    parameters); `overrides` are the points of accepted regrade requests, by question."""
    total = Decimal(0)
    possible = Decimal(0)
    waiting = False
    changed: list[Answer] = []
    overrides = overrides or {}
    params: dict[int, dict[str, str]] = {}
    if attempt.variant:
        given = {
            p.id: p
            for p in rules.presented(
                seed=rules.variant_seed(attempt.quiz.access_secret, attempt.student_id),
                questions=slot_questions(questions),
                variant=attempt.variant,
            )
        }
        questions = [q for q in questions if q.pk in given]
        params = {qid: p.params for qid, p in given.items()}
    for q in questions:
        possible += q.points
        answer = answers.get(q.id)
        override = overrides.get(q.id)
        if override is not None:
            if answer is not None and answer.points != override:
                answer.points = override
                changed.append(answer)
            total += override
            continue
        if answer is None:
            continue
        if q.kind == Question.Kind.TEXT:
            if answer.points is None and (answer.value or "").strip():
                waiting = True
            total += answer.points or Decimal(0)
            continue
        correct = {c.pk for c in q.choices.all() if c.is_correct}
        fraction = _answer_fraction(q, answer.value, correct, params.get(q.id, {}))
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


_TOTALS = ["points", "points_possible", "percent", "needs_manual_grading"]


def _grade_with(
    attempt: Attempt,
    questions: list[Question],
    answers: dict[int, Answer],
    overrides: dict[int, Decimal] | None = None,
) -> None:
    changed = grade_totals(attempt, questions, answers, overrides)
    if changed:
        Answer.objects.bulk_update(changed, ["points"])
    attempt.save(update_fields=_TOTALS)


def regrade_stale() -> timedelta:
    """A regrade queued longer ago than this and not started is presumed never queued (the
    broker was down) or lost: the broker's visibility timeout, as for the gradebook."""
    return timedelta(seconds=getattr(settings, "COURSEKIT_BROKER_VISIBILITY_TIMEOUT", 110))


def quiz_regrade_schedule(
    *, quiz_id: int, now: datetime, then: Callable[[bool], None] | None = None
) -> None:
    """After an answer key changed: mark the quiz's regrade queued and queue it on commit.

    Not queued (the broker is down), the mark stays and `regrades_requeue` (beat) queues the
    regrade again once the broker is back; `then(queued)` tells the caller which it was."""
    from .tasks import regrade_quiz  # the tasks module imports the services: import late

    Quiz.objects.filter(pk=quiz_id).update(regrade_queued_at=now)
    queue_on_commit(regrade_quiz, quiz_id, then=then)


def regrades_requeue(*, now: datetime) -> list[int]:
    """The quizzes whose regrade was queued more than `regrade_stale()` ago and has not
    started: mark them queued again (now) and return them, for the beat task to queue."""
    with transaction.atomic():
        ids = list(
            Quiz.objects.select_for_update(skip_locked=True)
            .filter(regrade_queued_at__lte=now - regrade_stale())
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if ids:
            Quiz.objects.filter(pk__in=ids).update(regrade_queued_at=now)
    return ids


def quiz_regrade(*, quiz_id: int) -> int:
    """Regrade every submitted attempt of the quiz (after an answer key changed)."""
    # The run has started: a key changed from now on queues another run.
    Quiz.objects.filter(pk=quiz_id).update(regrade_queued_at=None)
    questions = list(Question.objects.filter(quiz_id=quiz_id).prefetch_related("choices"))
    attempts = list(
        Attempt.objects.filter(quiz_id=quiz_id, submitted_at__isnull=False).select_related("quiz")
    )
    by_attempt: dict[int, dict[int, Answer]] = {a.pk: {} for a in attempts}
    for answer in Answer.objects.filter(attempt__in=attempts):
        by_attempt[answer.attempt_id][answer.question_id] = answer
    overrides = _overrides([a.pk for a in attempts])
    with transaction.atomic():
        for attempt in attempts:
            _grade_with(attempt, questions, by_attempt[attempt.pk], overrides.get(attempt.pk))
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
    """Submit every open attempt past its deadline + grace (at its deadline). Idempotent.

    The beat task's entry; the pass itself is `finalise.finalise_overdue`, the one the reads
    run (it builds on this module's grading, hence the import here)."""
    from .finalise import finalise_overdue

    return finalise_overdue(now=now, quiz_ids=None if quiz_id is None else [quiz_id])


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


# --- results and regrade requests ------------------------------------------------------------


def quiz_release(*, quiz: Quiz, now: datetime) -> Quiz:
    """Release the results of a quiz held back by hand (students see them once it has also
    closed for everyone). Releasing again keeps the first moment."""
    if now <= closed_for_everyone_at(quiz):
        raise QuizError(
            _("The quiz has not closed for everyone yet: release its results afterwards."),
            code="not_closed",
            status=409,
        )
    with transaction.atomic():
        locked = Quiz.objects.select_for_update().get(pk=quiz.pk)
        if locked.released_at is None:
            locked.released_at = now
            locked.save(update_fields=["released_at", "updated_at"])
    return locked


MAX_REASON = 2000


def regrade_request_file(
    *, quiz: Quiz, student: Any, question_id: Any, reason: str, now: datetime
) -> RegradeRequest:
    """A student asks for a regrade of one question of their released attempt, with a reason,
    until the quiz's regrade deadline; one request per question (the thread is kept)."""
    try:
        qid = int(question_id)
    except (TypeError, ValueError) as exc:
        raise QuizError(_("Unknown question."), field="question", code="bad_question") from exc
    reason = (reason or "").strip()
    if not reason:
        raise QuizError(
            _("Say why the question should be regraded."), field="reason", code="required"
        )
    if "\x00" in reason:
        raise QuizError(
            _("The reason contains a null character, which cannot be stored."),
            field="reason",
            code="bad_value",
        )
    if len(reason) > MAX_REASON:
        raise QuizError(
            _("The reason is too long (2000 characters at most)."), field="reason", code="too_long"
        )
    attempt = one(Attempt.objects.filter(quiz=quiz, student=student).select_related("quiz"))
    if attempt is None or attempt.submitted_at is None:
        raise QuizError(
            _("There is no submitted attempt of yours to regrade."), code="no_attempt", status=409
        )
    if attempt.is_practice:
        raise QuizError(
            _("A practice attempt never reaches a grade: there is nothing to regrade."),
            code="practice",
            status=409,
        )
    released = results_released_at(quiz)
    if released is None or now < released:
        raise QuizError(
            _("Regrades can be asked for once the results are released."),
            code="not_released",
            status=409,
        )
    deadline = rules.regrade_deadline(
        released_at=released, window_days=quiz.regrade_window_days, tz=quiz.course.time_zone
    )
    if not rules.regrade_open(released=True, deadline=deadline, now=now):
        raise QuizError(
            _("The time to ask for a regrade of this quiz is over."), code="closed", status=409
        )
    shown = {
        p.id
        for p in rules.presented(
            seed=rules.variant_seed(quiz.access_secret, attempt.student_id),
            questions=slot_questions(list(quiz.questions.all()), {}),
            variant=attempt.variant,
        )
    }
    if qid not in shown:
        raise QuizError(
            _("This question is not part of your quiz."),
            field="question",
            code="bad_question",
            status=404,
        )
    try:
        with transaction.atomic():
            return RegradeRequest.objects.create(
                attempt=attempt, question_id=qid, reason=reason, created_at=now
            )
    except IntegrityError as exc:
        raise QuizError(
            _("You already asked for a regrade of this question."),
            field="question",
            code="already_asked",
            status=409,
        ) from exc


def regrade_request_answer(
    *,
    request: RegradeRequest,
    accept: bool,
    reply: str,
    new_points: Decimal | None,
    staff: Any,
    now: datetime,
) -> RegradeRequest:
    """The instructor's or TA's answer: accept with new points for the question (kept through
    every later regrade of the quiz) or decline with a reply. The student is notified."""
    reply = (reply or "").strip()
    with transaction.atomic():
        locked = (
            RegradeRequest.objects.select_for_update()
            .select_related("question", "attempt")
            .get(pk=request.pk)
        )
        if accept:
            if new_points is None:
                raise QuizError(
                    _("Give the new points of the question."), field="new_points", code="required"
                )
            if new_points < 0 or new_points > locked.question.points:
                raise QuizError(
                    _("Points must be between 0 and the question's points."),
                    field="new_points",
                    code="bad_points",
                )
        elif not reply:
            raise QuizError(_("Say why the request is declined."), field="reply", code="required")
        locked.status = RegradeRequest.Status.ACCEPTED if accept else RegradeRequest.Status.DECLINED
        locked.new_points = new_points if accept else None
        locked.reply = reply
        locked.answered_by = staff
        locked.answered_at = now
        locked.save(update_fields=["status", "new_points", "reply", "answered_by", "answered_at"])
        if accept:
            # An unanswered question regraded: its answer row carries the points shown.
            Answer.objects.get_or_create(
                attempt_id=locked.attempt_id,
                question_id=locked.question_id,
                defaults={"value": None, "saved_at": now},
            )
        attempt = (
            Attempt.objects.select_for_update().select_related("quiz").get(pk=locked.attempt_id)
        )
        _grade(attempt)
    return locked
