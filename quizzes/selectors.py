"""Reads of the daily quizzes, each in a fixed number of queries whatever the class size."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
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
from .models import Accommodation, Answer, Attempt, Choice, Question, Quiz
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
    excused_note, missed_note, grading_note = (
        Text(gettext_noop("excused by the instructor")),
        Text(gettext_noop("missed")),
        Text(gettext_noop("being graded")),
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


def quiz_component_for(course: Course, student: Any, now: datetime) -> rules.BestN:
    """The student's quiz component so far and the quizzes that counted (for the results page)."""
    n = course_policy(course, QuizPolicy).best_n
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


@dataclass
class QuestionStats:
    question: Question
    answered: int = 0
    share_correct: Decimal | None = None
    mean_points: Decimal | None = None
    choice_counts: list[tuple[Any, int]] = field(default_factory=list)
    values: list[tuple[str, int]] = field(default_factory=list)


def question_stats(quiz: Quiz) -> list[QuestionStats]:
    """Per question: answers, share fully correct, distribution of choices (3 queries)."""
    questions = list(Question.objects.filter(quiz=quiz).prefetch_related("choices"))
    answers = Answer.objects.filter(
        attempt__quiz=quiz, attempt__submitted_at__isnull=False
    ).values_list("question_id", "value", "points")
    by_q: dict[int, list[tuple[Any, Decimal | None]]] = {}
    for qid, value, pts in answers:
        by_q.setdefault(qid, []).append((value, pts))
    out = []
    for q in questions:
        rows = by_q.get(q.pk, [])
        stats = QuestionStats(q, answered=len(rows))
        graded = [p for _, p in rows if p is not None]
        if graded:
            full = sum(1 for p in graded if p >= q.points)
            stats.share_correct = (Decimal(full) * 100 / len(graded)).quantize(Decimal("0.1"))
            stats.mean_points = (sum(graded, Decimal(0)) / len(graded)).quantize(Decimal("0.01"))
        if q.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            counts: Counter[int] = Counter()
            for value, _p in rows:
                for v in value if isinstance(value, list) else [value]:
                    counts[v] += 1
            stats.choice_counts = [(c, counts.get(c.pk, 0)) for c in q.choices.all()]
        else:
            stats.values = Counter(str(v) for v, _p in rows if v not in (None, "")).most_common(10)
        out.append(stats)
    return out


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
