"""Reads of the daily quizzes, each in a fixed number of queries whatever the class size."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    FilteredRelation,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from course.extensions import LinkTarget
from course.models import Course, Enrolment, SessionReading
from course.scores import ScoreItem, ScoresByStudent, ScoreStatus
from course.selectors import active_students, course_policy
from course.texts import Text

from . import rules
from .models import Accommodation, Answer, Attempt, Choice, Question, Quiz, RegradeRequest
from .policy import QuizPolicy


def one(qs: QuerySet[Any]) -> Any:
    """The first row or None, without the ORDER BY (and its joins) that `.first()` adds."""
    return next(iter(qs.order_by()[:1]), None)


@dataclass(frozen=True)
class StudentTerms:
    """The quiz as it applies to one student (accommodation included)."""

    window: rules.Window
    extra: timedelta
    excused: bool

    def closed_at(self, quiz: Quiz) -> datetime:
        return rules.closed_for_student_at(window=self.window, extra=self.extra, grace=quiz.grace)


def student_terms(quiz: Quiz, accommodation: Accommodation | None) -> StudentTerms:
    acc = accommodation
    window = rules.student_window(
        opens_at=quiz.opens_at,
        closes_at=quiz.closes_at,
        later_opens_at=acc.opens_at if acc else None,
        later_closes_at=acc.closes_at if acc else None,
    )
    return StudentTerms(window, acc.extra if acc else timedelta(0), bool(acc and acc.excused))


def quizzes_of_course(course: Course) -> QuerySet[Quiz]:
    return (
        Quiz.objects.filter(course=course)
        .select_related("session")
        .annotate(question_count=Count("questions"))
        .order_by("opens_at", "pk")
    )


def link_targets(course: Course) -> list[LinkTarget]:
    """Each quiz of the course as a page a link from outside may open (one query)."""
    return [
        LinkTarget(
            key=f"quiz-{quiz.pk}",
            label=_("Quiz: %(quiz)s") % {"quiz": _label(quiz)},
            path=reverse("quiz_detail", kwargs={"code": course.code, "pk": quiz.pk}),
        )
        for quiz in Quiz.objects.filter(course=course)
        .select_related("session")
        .order_by("opens_at", "pk")
    ]


def quiz_of_course(course: Course, pk: int) -> Quiz | None:
    return one(Quiz.objects.filter(course=course, pk=pk).select_related("session", "course"))


def quiz_for_taking(course: Course, pk: int) -> Quiz | None:
    """The quiz with its questions, choices and the session's readings (3 queries)."""
    return (
        Quiz.objects.filter(course=course, pk=pk)
        .select_related("session", "course")
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.prefetch_related("choices")),
            Prefetch(
                "session__session_readings",
                queryset=SessionReading.objects.select_related("entry").order_by(
                    "-required", "order"
                ),
            ),
        )
        .first()
    )


def attempt_of(quiz: Quiz, student: Any) -> Attempt | None:
    if not getattr(student, "is_authenticated", False):
        return None
    return one(Attempt.objects.filter(quiz=quiz, student=student).select_related("quiz"))


def answers_by_question(attempt: Attempt | None) -> dict[int, Answer]:
    if attempt is None:
        return {}
    return {a.question_id: a for a in Answer.objects.filter(attempt=attempt)}


def accommodation_of(quiz: Quiz, student: Any) -> Accommodation | None:
    if not getattr(student, "is_authenticated", False):
        return None
    return one(Accommodation.objects.filter(quiz=quiz, student=student))


def closed_for_everyone_at(quiz: Quiz) -> datetime:
    accs = Accommodation.objects.filter(quiz=quiz, excused=False).values_list(
        "closes_at", "extra_seconds"
    )
    return rules.closed_for_everyone_at(
        closes_at=quiz.closes_at,
        grace=quiz.grace,
        accommodations=[(c, timedelta(seconds=e)) for c, e in accs],
    )


@dataclass
class QuizRow:
    quiz: Quiz
    terms: StudentTerms
    state: str  # upcoming / open / closed
    attempt: Attempt | None
    counted: bool = False


def quiz_rows_for_student(course: Course, student: Any, now: datetime) -> list[QuizRow]:
    """Every quiz of the course with the student's attempt and terms (3 queries)."""
    quizzes = list(quizzes_of_course(course))
    attempts = {a.quiz_id: a for a in Attempt.objects.filter(quiz__course=course, student=student)}
    accs = {
        a.quiz_id: a for a in Accommodation.objects.filter(quiz__course=course, student=student)
    }
    rows = []
    for quiz in quizzes:
        terms = student_terms(quiz, accs.get(quiz.pk))
        rows.append(
            QuizRow(
                quiz, terms, rules.window_state(now=now, window=terms.window), attempts.get(quiz.pk)
            )
        )
    return rows


# --- the gradebook -------------------------------------------------------------------------


def _label(quiz: Quiz) -> str:
    return f"{quiz.title} ({quiz.session.date:%Y-%m-%d})"


def gradebook_items(
    course: Course, now: datetime | None = None, *, student_ids: list[int] | None = None
) -> ScoresByStudent:
    """One ScoreItem per graded quiz per active student (self-assessment left out). 4 queries.

    PENDING until the quiz has closed for that student and text answers are graded;
    MISSING (counts 0) after close with no attempt; EXCUSED by an accommodation.
    """
    from django.utils import timezone

    now = now or timezone.now()
    quizzes = list(
        Quiz.objects.filter(course=course, is_self_assessment=False)
        .select_related("session")
        .order_by("opens_at", "pk")
    )
    enrolled = active_students(course)
    if student_ids is not None:
        enrolled = enrolled.filter(user_id__in=student_ids)
    students = [e.user_id for e in enrolled]
    # Plain tuples, not model instances: a class of 1,000 has 18,000 attempts.
    attempts = {
        (quiz_id, student_id): (submitted_at, percent, manual)
        for quiz_id, student_id, submitted_at, percent, manual in Attempt.objects.filter(
            quiz__in=quizzes, student_id__in=students
        ).values_list("quiz_id", "student_id", "submitted_at", "percent", "needs_manual_grading")
    }
    accs = {
        (a.quiz_id, a.student_id): a
        for a in Accommodation.objects.filter(quiz__in=quizzes, student_id__in=students)
    }
    # What does not depend on the student, once per quiz.
    per_quiz = [
        (quiz, quiz.gradebook_key, _label(quiz), now > student_terms(quiz, None).closed_at(quiz))
        for quiz in quizzes
    ]
    # Held back by hand: pending for everyone until released (a release comes after the
    # close for everyone, see services.quiz_release).
    held_back = {
        quiz.pk
        for quiz in quizzes
        if quiz.release_policy == Quiz.ReleasePolicy.MANUAL
        and (quiz.released_at is None or now < quiz.released_at)
    }
    excused_note, missed_note, grading_note, held_note = (
        Text(gettext_noop("excused by the instructor")),
        Text(gettext_noop("missed")),
        Text(gettext_noop("being graded")),
        Text(gettext_noop("results not released yet")),
    )
    out: ScoresByStudent = {}
    for sid in students:
        items: list[ScoreItem] = []
        for quiz, key, label, closed in per_quiz:
            acc = accs.get((quiz.pk, sid))
            if acc is not None:
                terms = student_terms(quiz, acc)
                if terms.excused:
                    items.append(ScoreItem(key, label, ScoreStatus.EXCUSED, note=excused_note))
                    continue
                closed = now > terms.closed_at(quiz)
            if not closed:
                items.append(ScoreItem(key, label, ScoreStatus.PENDING))
                continue
            if quiz.pk in held_back:
                items.append(ScoreItem(key, label, ScoreStatus.PENDING, note=held_note))
                continue
            attempt = attempts.get((quiz.pk, sid))
            if attempt is None:
                items.append(ScoreItem(key, label, ScoreStatus.MISSING, note=missed_note))
                continue
            submitted_at, percent, manual = attempt
            if submitted_at is None or manual or percent is None:
                items.append(ScoreItem(key, label, ScoreStatus.PENDING, note=grading_note))
            else:
                items.append(
                    ScoreItem(key, label, ScoreStatus.GRADED, percent=percent, raw_percent=percent)
                )
        out[sid] = items
    return out


def best_n_of(course: Course) -> int:
    """N of the course's best-N rule (the syllabus' quizzes.best_n)."""
    return course_policy(course, QuizPolicy).best_n


def quiz_component_for(course: Course, student: Any, now: datetime) -> rules.BestN:
    """The student's quiz component so far and the quizzes that counted (for the results page)."""
    n = best_n_of(course)
    items = gradebook_items_for_student(course, student, now)
    return rules.best_n_of_items(items, n)


def gradebook_items_for_student(course: Course, student: Any, now: datetime) -> list[ScoreItem]:
    """The student's own items (empty for anyone but an active registered student)."""
    return gradebook_items(course, now, student_ids=[student.pk]).get(student.pk, [])


# --- instructor views --------------------------------------------------------------------------


def live_counts(qs: QuerySet[Quiz]) -> QuerySet[Quiz]:
    """Annotate opened / answering / submitted counts (for the admin list)."""
    return qs.annotate(
        n_opened=Count("attempts", distinct=True),
        n_answering=Count("attempts", filter=Q(attempts__submitted_at__isnull=True), distinct=True),
        n_submitted=Count(
            "attempts", filter=Q(attempts__submitted_at__isnull=False), distinct=True
        ),
    )


def class_quizzes(course: Course) -> QuerySet[Quiz]:
    """The class's quizzes with their live counts, for the staff's quiz page (1 query)."""
    return live_counts(Quiz.objects.filter(course=course).select_related("session")).order_by(
        "opens_at", "pk"
    )


def attempts_for_export(quiz: Quiz) -> tuple[list[Question], list[Attempt]]:
    questions = list(Question.objects.filter(quiz=quiz))
    attempts = list(
        Attempt.objects.filter(quiz=quiz)
        .select_related("student")
        .prefetch_related("answers")
        .order_by("student__last_name", "student__username")
    )
    return questions, attempts


def closed_for_everyone_map(course: Course) -> dict[int, datetime]:
    """Quiz pk -> the moment it closed for everyone (accommodations included). 2 queries."""
    quizzes = list(Quiz.objects.filter(course=course).only("pk", "closes_at", "grace_seconds"))
    accs: dict[int, list[tuple[datetime | None, timedelta]]] = {}
    for quiz_id, closes_at, extra in Accommodation.objects.filter(
        quiz__course=course, excused=False
    ).values_list("quiz_id", "closes_at", "extra_seconds"):
        accs.setdefault(quiz_id, []).append((closes_at, timedelta(seconds=extra)))
    return {
        q.pk: rules.closed_for_everyone_at(
            closes_at=q.closes_at, grace=q.grace, accommodations=accs.get(q.pk, [])
        )
        for q in quizzes
    }


def row_for(quiz: Quiz, student: Any, now: datetime) -> QuizRow:
    terms = student_terms(quiz, accommodation_of(quiz, student))
    return QuizRow(
        quiz, terms, rules.window_state(now=now, window=terms.window), attempt_of(quiz, student)
    )


# --- saving an answer: what it needs, in one query -------------------------------------------


class _JSONIdList(Aggregate):
    """The aggregated values as a JSON list (NULL when there is no row)."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra)


@dataclass
class AnswerTarget:
    """Everything saving one answer reads: the question, its quiz and course, the student's
    non-dropped enrolment and attempt (or None) and the question's choice ids."""

    course: Course
    enrolment: Enrolment | None
    quiz: Quiz
    question: Question
    attempt: Attempt | None
    choice_ids: set[int]


def answer_target(
    *, quiz_pk: int, question_pk: int, student: Any, course_code: str | None = None
) -> AnswerTarget | None:
    """1 query. None when the question is not one of that quiz (of the course `course_code`,
    compared as every course address compares it, case-insensitively)."""
    user_id = student.pk if getattr(student, "is_authenticated", False) else None
    qs = Question.objects.filter(pk=question_pk, quiz_id=quiz_pk)
    if course_code is not None:
        qs = qs.filter(quiz__course__code__iexact=course_code)
    choice_ids = (
        Choice.objects.filter(question=OuterRef("pk"))
        .order_by()
        .values("question")
        .annotate(ids=_JSONIdList("pk"))
        .values("ids")
    )
    question = one(
        qs.annotate(
            my_enrolment=FilteredRelation(
                "quiz__course__enrolments",
                condition=Q(quiz__course__enrolments__user_id=user_id)
                & ~Q(quiz__course__enrolments__status=Enrolment.Status.DROPPED),
            ),
            my_attempt=FilteredRelation(
                "quiz__attempts", condition=Q(quiz__attempts__student_id=user_id)
            ),
            choice_ids=Subquery(choice_ids),
        ).select_related("quiz__course", "my_enrolment", "my_attempt")  # type: ignore[misc]  # FilteredRelation aliases, unknown to django-stubs
    )
    if question is None:
        return None
    quiz = question.quiz
    # select_related sets a filtered relation only when a row matched it.
    attempt = getattr(question, "my_attempt", None)
    if attempt is not None:
        attempt.quiz = quiz
    return AnswerTarget(
        course=quiz.course,
        enrolment=getattr(question, "my_enrolment", None),
        quiz=quiz,
        question=question,
        attempt=attempt,
        choice_ids=set(question.choice_ids or ()),
    )


@dataclass
class StudentQuiz:
    """A quiz of a course as one student opens or submits it: the quiz with its course, the
    student's non-dropped enrolment, accommodation and attempt (None when there is none)."""

    course: Course
    enrolment: Enrolment | None
    quiz: Quiz
    accommodation: Accommodation | None
    attempt: Attempt | None


def student_quiz(
    *, course_code: str, quiz_pk: int, student: Any, with_questions: bool = False
) -> StudentQuiz | None:
    """1 query (3 `with_questions`: and the questions with their choices). None when the
    course has no such quiz."""
    user_id = student.pk if getattr(student, "is_authenticated", False) else None
    qs = (
        Quiz.objects.filter(pk=quiz_pk, course__code__iexact=course_code)
        .annotate(
            my_enrolment=FilteredRelation(
                "course__enrolments",
                condition=Q(course__enrolments__user_id=user_id)
                & ~Q(course__enrolments__status=Enrolment.Status.DROPPED),
            ),
            my_accommodation=FilteredRelation(
                "accommodations", condition=Q(accommodations__student_id=user_id)
            ),
            my_attempt=FilteredRelation("attempts", condition=Q(attempts__student_id=user_id)),
        )
        .select_related("course", "my_enrolment", "my_accommodation", "my_attempt")  # type: ignore[misc]  # FilteredRelation aliases, unknown to django-stubs
    )
    if with_questions:
        qs = qs.prefetch_related(
            Prefetch("questions", queryset=Question.objects.prefetch_related("choices"))
        )
    quiz = one(qs)
    if quiz is None:
        return None
    # select_related sets a filtered relation only when a row matched it.
    attempt = getattr(quiz, "my_attempt", None)
    if attempt is not None:
        attempt.quiz = quiz
    return StudentQuiz(
        course=quiz.course,
        enrolment=getattr(quiz, "my_enrolment", None),
        quiz=quiz,
        accommodation=getattr(quiz, "my_accommodation", None),
        attempt=attempt,
    )


# --- variants ------------------------------------------------------------------------------


def question_parameters(question: Question) -> dict[str, rules.ParamRange]:
    """The question's parameter ranges; none when what is stored is unusable (the admin and the
    syllabus refuse such ranges, so this only guards rows written some other way)."""
    if not question.parameters:
        return {}
    try:
        return rules.parse_parameters(question.parameters)
    except rules.VariantError:
        return {}


def slot_questions(
    questions: Sequence[Question], choice_ids: dict[int, list[int]] | None = None
) -> list[rules.SlotQuestion]:
    """The questions as the draw sees them; their choices from `choice_ids` when given, else
    from each question's (prefetched) choices."""
    return [
        rules.SlotQuestion(
            id=q.pk,
            pool=q.pool,
            choice_ids=tuple(
                choice_ids.get(q.pk, [])
                if choice_ids is not None
                else (c.pk for c in q.choices.all())
            ),
            parameters=question_parameters(q) or None,
        )
        for q in questions
    ]


def question_answer(question: Question, params: dict[str, str]) -> Decimal | None:
    """The expected number of a numeric question for the student's parameter values (its
    formula), else its fixed answer; None when it has neither or the formula fails."""
    if question.answer_formula:
        try:
            return rules.evaluate_formula(question.answer_formula, dict(params))
        except rules.VariantError:
            return None
    return question.numeric_answer


@dataclass(frozen=True)
class ShownQuestion:
    """A question as one student saw it: the prompt with their values, choices in their order."""

    question: Question
    prompt: str
    choices: list[Choice]
    params: dict[str, str]


def shown_questions(quiz: Quiz, attempt: Attempt | None) -> list[ShownQuestion]:
    """The student's questions in their order (the quiz's questions and choices prefetched)."""
    questions = list(quiz.questions.all())
    variant = attempt.variant if attempt is not None else None
    if not variant:
        return [ShownQuestion(q, q.prompt, list(q.choices.all()), {}) for q in questions]
    by_id = {q.pk: q for q in questions}
    out = []
    for p in rules.presented(
        seed=rules.variant_seed(quiz.access_secret, attempt.student_id),  # type: ignore[union-attr]
        questions=slot_questions(questions),
        variant=variant,
    ):
        q = by_id[p.id]
        choices = {c.pk: c for c in q.choices.all()}
        out.append(
            ShownQuestion(
                q,
                rules.render_prompt(q.prompt, p.params),
                [choices[c] for c in p.choice_ids],
                p.params,
            )
        )
    return out


# --- results and regrade requests ----------------------------------------------------------


def results_released_at(quiz: Quiz, closed_all: datetime | None = None) -> datetime | None:
    """When the quiz's results are (or were) shown to students; None while held back by hand."""
    return rules.results_released_at(
        policy=quiz.release_policy,
        released_at=quiz.released_at,
        closed_for_everyone_at=closed_all or closed_for_everyone_at(quiz),
    )


def results_released(quiz: Quiz, now: datetime, closed_all: datetime | None = None) -> bool:
    return rules.results_released(
        policy=quiz.release_policy,
        released_at=quiz.released_at,
        closed_for_everyone_at=closed_all or closed_for_everyone_at(quiz),
        now=now,
    )


def regrade_requests_of(attempt: Attempt | None) -> dict[int, RegradeRequest]:
    """The attempt's regrade requests by question (1 query; none without an attempt)."""
    if attempt is None:
        return {}
    return {
        r.question_id: r
        for r in RegradeRequest.objects.filter(attempt=attempt).select_related("answered_by")
    }


# --- statistics (admin: a quiz after it closed, the term, the live view) -----------------------


@dataclass(frozen=True)
class Slot:
    """A position of the quiz: one question, or a pool whose members are its variants."""

    key: str
    questions: tuple[Question, ...]


def slots_of(questions: Sequence[Question]) -> list[Slot]:
    """The quiz's slots in order, as the draw makes them (`rules.slots_of`): questions sharing a
    pool make one slot, at the place of its first member."""
    by_pk = {q.pk: q for q in questions}
    return [
        Slot(
            f"pool:{slot[0].pool}" if slot[0].pool else f"q:{slot[0].id}",
            tuple(by_pk[q.id] for q in slot),
        )
        for slot in rules.slots_of(slot_questions(questions))
    ]


def _picked(value: Any) -> tuple[int, ...]:
    values = value if isinstance(value, list) else [value]
    return tuple(v for v in values if isinstance(v, int) and not isinstance(v, bool))


@dataclass
class QuizStatisticsData:
    quiz: Quiz
    slots: list[Slot]
    stats: rules.QuizStatistics
    questions: dict[int, Question]
    choices: dict[int, Choice]
    values: dict[int, list[tuple[str, int]]]  # numeric and text questions: the commonest answers


def quiz_statistics(quiz: Quiz) -> QuizStatisticsData:
    """Item analysis of the quiz's submitted, graded attempts (practice left out). 4 queries,
    whatever the class: the questions, their choices, the attempts, their answers."""
    questions = list(Question.objects.filter(quiz=quiz).prefetch_related("choices"))
    by_pk = {q.pk: q for q in questions}
    slots = slots_of(questions)
    slot_of = {q.pk: s.key for s in slots for q in s.questions}
    attempts = list(
        Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False, is_practice=False)
        .order_by("pk")
        .values_list("pk", "student_id", "variant")
    )
    answers: dict[tuple[int, int], tuple[Any, Decimal | None]] = {
        (attempt_id, question_id): (value, points)
        for attempt_id, question_id, value, points in Answer.objects.filter(
            attempt__quiz=quiz, attempt__submitted_at__isnull=False, attempt__is_practice=False
        ).values_list("attempt_id", "question_id", "value", "points")
    }
    drawable = slot_questions(questions)
    records = []
    for attempt_id, student_id, variant in attempts:
        responses: dict[str, rules.Response] = {}
        drawn = rules.presented(
            seed=rules.variant_seed(quiz.access_secret, student_id),
            questions=drawable,
            variant=variant,
        )
        for qid in (p.id for p in drawn):
            question = by_pk.get(qid)
            if question is None or slot_of[qid] in responses:
                continue
            value, points = answers.get((attempt_id, qid), (None, None))
            if points is None and value not in (None, "", []) and question.kind == "text":
                continue  # a text answer waiting for its grade is left out
            responses[slot_of[qid]] = rules.Response(
                variant=qid,
                earned=float(points or 0),
                possible=float(question.points),
                picked=_picked(value),
                answered=value not in (None, "", []),
            )
        records.append(rules.AttemptResponses(attempt_id, responses))
    spec = [(s.key, [(q.pk, [c.pk for c in q.choices.all()]) for q in s.questions]) for s in slots]
    typed: dict[int, Counter[str]] = {}
    for (_attempt_id, qid), (value, _points) in answers.items():
        if qid in by_pk and by_pk[qid].kind in ("numeric", "text") and value not in (None, ""):
            typed.setdefault(qid, Counter())[str(value)] += 1
    return QuizStatisticsData(
        quiz=quiz,
        slots=slots,
        stats=rules.quiz_statistics(records, spec),
        questions=by_pk,
        choices={c.pk: c for q in questions for c in q.choices.all()},
        values={qid: counter.most_common(10) for qid, counter in typed.items()},
    )


@dataclass(frozen=True)
class LiveQuestion:
    question: Question
    answered: int


@dataclass(frozen=True)
class LiveView:
    opened: int
    answering: int
    submitted: int
    questions: tuple[LiveQuestion, ...]


def live_view(quiz: Quiz) -> LiveView:
    """How many have answered each question (never what), for pacing. 3 queries."""
    counted = one(live_counts(Quiz.objects.filter(pk=quiz.pk)))
    opened, answering, submitted = (
        (counted.n_opened, counted.n_answering, counted.n_submitted) if counted else (0, 0, 0)
    )
    answered = dict(
        Answer.objects.filter(attempt__quiz=quiz)
        .exclude(value=None)
        .order_by()
        .values("question_id")
        .annotate(n=Count("pk"))
        .values_list("question_id", "n")
    )
    questions = Question.objects.filter(quiz=quiz).only("pk", "order", "prompt", "pool")
    return LiveView(
        opened,
        answering,
        submitted,
        tuple(LiveQuestion(q, answered.get(q.pk, 0)) for q in questions),
    )


@dataclass
class TermData:
    quizzes: list[Quiz]
    students: list[Enrolment]
    term: rules.TermStatistics
    best_n: int


def term_view(course: Course, items: ScoresByStudent) -> TermData:
    """The term's graded quizzes over the class, from the gradebook's items (read by the
    caller through quizzes.scores, which first submits overdue attempts). 3 queries."""
    quizzes = list(
        Quiz.objects.filter(course=course, is_self_assessment=False)
        .select_related("session")
        .order_by("opens_at", "pk")
    )
    students = list(active_students(course))
    n = best_n_of(course)
    ordered = {e.user_id: items.get(e.user_id, []) for e in students}
    term = rules.term_statistics([q.gradebook_key for q in quizzes], ordered, n)
    return TermData(quizzes, students, term, n)
